//! The form: parameter inputs shown as the attributes stand, the notes on
//! attributes, the Python twin with the widget's values, and the question
//! asked before Run.

use super::super::dom;
use super::layout::fill_code;
use super::WidgetView;
use crate::lessons::Params;
use crate::markup::Lang;

/// The longest value an input shows and edits, in bytes. A longer one (a
/// data: URL of megabytes) costs the browser a second or more of text
/// layout in the field, so the field stays empty and disabled and says why;
/// the attribute keeps the value and the run uses it.
const FIELD_MAX: usize = 10_000;

impl WidgetView {
    /// Shows the parameters as they now stand: every input and slider text
    /// (also after an attribute changed from outside, which fires no input
    /// event), the Python twin with these values, and a note for each
    /// attribute the lesson does not read.
    pub fn show_params(&self, twin: &str, params: &Params, unknown: &[String], api_note: Option<&str>) {
        for (name, input) in &self.inputs {
            // This lesson's own parameter of that name: lessons differ in
            // their defaults (delay-ms is 800 in one, 8000 in another).
            let own = self.lesson_ref.params.iter().find(|p| p.name == *name);
            if let Some(shown) = own.map(|p| params.shown(p)) {
                if shown.len() > FIELD_MAX {
                    // Seconds of text layout for one input: it says so instead.
                    input.set_value("");
                    input.set_placeholder(&format!(
                        "{} characters: too long to edit here; set the attribute itself",
                        shown.chars().count()
                    ));
                    input.set_disabled(true);
                } else {
                    if input.disabled() {
                        input.set_disabled(false);
                        input.set_placeholder("");
                    }
                    if input.value() != shown {
                        input.set_value(&shown);
                    }
                }
                if let Some((_, output)) = self.outputs.iter().find(|(n, _)| n == name) {
                    output.set_text_content(Some(&shown));
                }
            }
        }
        if let Some(sandbox) = &self.sandbox {
            self.show_program(sandbox, params);
        } else if let Some(Err(e)) = self
            .python
            .as_ref()
            .map(|code| super::layout::fill_twin(code, twin))
        {
            dom::warn_once("the Python twin could not be shown", &e);
        }
        dom::clear(&self.notes);
        let notes = unknown
            .iter()
            .map(|n| ("note", n.as_str()))
            .chain(api_note.map(|n| ("note api-note", n)));
        for (class, note) in notes {
            if let Err(e) = dom::text_child(&self.notes, "li", class, note) {
                dom::warn_once("a note could not be shown", &e);
            }
        }
    }

    /// The sandbox's program as the attribute now has it: in the editor
    /// (unless it is what the editor holds already), highlighted under it,
    /// checked, and written in Python and JavaScript; and the question of
    /// the example it is, if it is one.
    fn show_program(&self, sandbox: &super::layout::Sandbox, params: &Params) {
        let program = params.text(&crate::lessons::PROGRAM);
        if sandbox.editor.value() != program {
            sandbox.editor.set_value(&program);
        }
        if *sandbox.shown.borrow() == program {
            return;
        }
        *sandbox.shown.borrow_mut() = program.clone();
        let generated = crate::sandbox::generate_shown(&program, params.module_base());
        let shown = [
            super::layout::fill_editor(&sandbox.code, &program),
            self.python
                .as_ref()
                .map_or(Ok(()), |code| fill_code(code, Lang::Python, &generated.python)),
            fill_code(&sandbox.javascript, Lang::JavaScript, &generated.javascript),
        ];
        for result in shown {
            if let Err(e) = result {
                dom::warn_once("the program could not be shown", &e);
            }
        }
        sandbox.diagnostics.set_text_content(Some(&generated.diagnostics));
        // The lit lines are the new program's.
        let mut lines = Vec::new();
        let mut line = sandbox.code.first_element_child();
        while let Some(next) = line {
            line = next.next_element_sibling();
            lines.push(next);
        }
        *self.rust_lines.borrow_mut() = lines;
        if let Some((question, block)) = &self.question {
            let asked = crate::markup::widget::question(self.lesson_ref, params);
            question.set_text_content(Some(
                &asked
                    .map(crate::markup::widget::question_text)
                    .unwrap_or_default(),
            ));
            let _ = block.toggle_attribute_with_force("hidden", asked.is_none());
            self.show_verdict("");
        }
    }

    /// The reader's prediction, if the lesson asks for one and it was given.
    pub fn prediction(&self) -> Option<f64> {
        let value = self.prediction.as_ref()?.value_as_number();
        value.is_finite().then_some(value)
    }

    /// Shows how the run answered the question asked before it.
    pub fn show_verdict(&self, sentence: &str) {
        if let Some(verdict) = &self.verdict {
            verdict.set_text_content(Some(sentence));
        }
    }
}
