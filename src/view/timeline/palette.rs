//! The timeline's colours, from the widget's CSS custom properties.

use web_sys::Element;

use crate::trace::TaskState;

/// Colours, read from the widget's CSS custom properties so that light and
/// dark schemes both read well.
#[derive(Debug, Clone)]
pub struct Palette {
    pub(super) fg: String,
    pub(super) muted: String,
    pub(super) line: String,
    pub(super) accent: String,
    pub(super) ok: String,
    pub(super) bad: String,
    pub(super) warn: String,
}

impl Palette {
    /// Reads the palette from `host`'s computed style.
    pub fn of(host: &Element) -> Self {
        let style = web_sys::window().and_then(|w| w.get_computed_style(host).ok().flatten());
        let get = |name: &str, fallback: &str| {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| fallback.to_string())
        };
        Palette {
            fg: get("--fg", "#1b1f24"),
            muted: get("--muted", "#57606a"),
            line: get("--line", "#d0d7de"),
            accent: get("--accent", "#0b62c4"),
            ok: get("--ok", "#1a7f37"),
            bad: get("--bad", "#cf222e"),
            warn: get("--warn", "#9a6700"),
        }
    }

    pub(super) fn state(&self, state: TaskState) -> &str {
        match state {
            TaskState::Done => &self.ok,
            TaskState::Error => &self.bad,
            TaskState::Cancelled => &self.warn,
            TaskState::Pending => &self.muted,
        }
    }
}

/// `#rgb` or `#rrggbb` as bytes; anything else as a mid grey.
pub(super) fn rgb(color: &str) -> [u8; 3] {
    let hex = color.trim().trim_start_matches('#');
    let digit = |i: usize, len: usize| u8::from_str_radix(hex.get(i..i + len)?, 16).ok();
    match hex.len() {
        6 => [digit(0, 2), digit(2, 2), digit(4, 2)],
        3 => [
            digit(0, 1).map(|v| v * 17),
            digit(1, 1).map(|v| v * 17),
            digit(2, 1).map(|v| v * 17),
        ],
        _ => [None, None, None],
    }
    .map(|c| c.unwrap_or(128))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_hex_colours_parse_and_others_fall_back_to_grey() {
        assert_eq!(rgb("#1a7f37"), [0x1a, 0x7f, 0x37]);
        assert_eq!(rgb(" #fff"), [255, 255, 255]);
        assert_eq!(rgb("rgb(1, 2, 3)"), [128, 128, 128]);
    }
}
