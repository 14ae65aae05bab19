//! The checker on macros (`join!`, `try_join!`, `println!`, `format!`,
//! `vec!`) and on what `{}` and `{:?}` can format.

use super::*;

impl Checker<'_> {
    pub(super) fn macro_call(&mut self, span: Span, name: &str, args: &[Expr]) -> Check<Ty> {
        match name {
            "join" | "try_join" => {
                if !self.in_async() {
                    return Err(Diagnostic::error(span, format!("`{name}!` awaits, and `await` is only allowed inside `async` functions and blocks")).code("E0728"));
                }
                if args.is_empty() {
                    return Err(Diagnostic::error(
                        span,
                        format!("`{name}!` needs at least one future"),
                    ));
                }
                self.written(span);
                let mut outs = Vec::new();
                for arg in args {
                    let ty = self.expr(arg)?;
                    let out = self.future(arg, &ty)?;
                    if name == "try_join" {
                        let value = self.fresh();
                        self.unify(arg.span, &Self::result(value.clone()), &out)
                            .map_err(|_| {
                                Diagnostic::error(
                                    arg.span,
                                    "try_join! takes futures whose output is a `Result<_, Error>`",
                                )
                                .code("E0277")
                            })?;
                        outs.push(value);
                    } else {
                        outs.push(out);
                    }
                }
                let tuple = Ty::Tuple(outs);
                Ok(if name == "try_join" {
                    Self::result(tuple)
                } else {
                    tuple
                })
            }
            "println" | "format" => {
                let Some(first) = args.first() else {
                    return if name == "println" {
                        Ok(Ty::Unit)
                    } else {
                        Ok(Ty::String)
                    };
                };
                let ExprKind::Str(template) = &first.kind else {
                    return Err(
                        Diagnostic::error(first.span, "format argument must be a string literal").help(
                            format!(
                            "you might be missing a string literal to format with: `{name}!(\"{{}}\", …)`"
                        ),
                        ),
                    );
                };
                let holes = holes(template).map_err(|m| Diagnostic::error(first.span, m))?;
                if holes.len() != args.len() - 1 {
                    return Err(Diagnostic::error(
                        span,
                        format!(
                            "{} positional argument{} in format string, but there {} {} argument{}",
                            holes.len(),
                            if holes.len() == 1 { "" } else { "s" },
                            if args.len() - 1 == 1 { "is" } else { "are" },
                            args.len() - 1,
                            if args.len() - 1 == 1 { "" } else { "s" }
                        ),
                    ));
                }
                for (arg, debug) in args[1..].iter().zip(holes) {
                    let ty = self.expr_inner(arg, false)?;
                    self.types.insert((arg.span.start, arg.span.end), ty.clone());
                    self.formattable(arg.span, &ty, debug)?;
                }
                Ok(if name == "println" { Ty::Unit } else { Ty::String })
            }
            "vec" => {
                let elem = self.fresh();
                for arg in args {
                    let ty = self.expr(arg)?;
                    self.unify(arg.span, &elem, &ty)?;
                }
                Ok(Ty::Vec(Box::new(elem)))
            }
            _ => Err(
                Diagnostic::error(span, format!("cannot find macro `{name}` in this scope"))
                    .help("the sandbox's macros are join!, try_join!, println!, format! and vec!"),
            ),
        }
    }

    /// Whether `ty` can be written with `{}` (or `{:?}`).
    pub(super) fn formattable(&mut self, span: Span, ty: &Ty, debug: bool) -> Check<()> {
        let resolved = self.resolve(ty);
        let ok = if debug {
            self.is_debug(&resolved)
        } else {
            matches!(resolved, Ty::Int | Ty::Str | Ty::String | Ty::Error)
                || matches!(&resolved, Ty::Ref(inner) if matches!(**inner, Ty::Int | Ty::Str | Ty::String))
        };
        if ok {
            return Ok(());
        }
        if matches!(resolved, Ty::Var(_)) {
            // A value whose type is still open: u64, as rustc's default.
            return self.unify(span, &Ty::Int, ty);
        }
        let trait_name = if debug { "Debug" } else { "Display" };
        let d = Diagnostic::error(
            span,
            format!("`{resolved}` doesn't implement `std::fmt::{trait_name}`"),
        )
        .code("E0277");
        Err(match resolved {
            Ty::Fut(..) => d.help("this is a future: await it first, and print what it gives"),
            _ if !debug && self.is_debug(&resolved) => d.help("use `{:?}` (Debug) instead of `{}`"),
            _ => d,
        })
    }

    pub(super) fn is_debug(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Unit | Ty::Int | Ty::Str | Ty::String | Ty::Error => true,
            Ty::Tuple(items) => items.iter().all(|t| self.is_debug(t)),
            Ty::Array(t) | Ty::Vec(t) | Ty::Ref(t) => self.is_debug(t),
            Ty::Result(a, b) => self.is_debug(a) && self.is_debug(b),
            _ => false,
        }
    }
}

/// The `{}` and `{:?}` of a format string, in order (`true` for Debug).
pub(super) fn holes(template: &str) -> Result<Vec<bool>, String> {
    Ok(crate::sandbox::template::pieces(template)?
        .into_iter()
        .filter_map(|p| match p {
            crate::sandbox::template::Piece::Hole { debug } => Some(debug),
            crate::sandbox::template::Piece::Text(_) => None,
        })
        .collect())
}
