//! `#[mark_awaits]`: lets async-demo's code pane light the `.await` at which
//! a traced future's run is suspended, with no noise in the code it shows.
//!
//! On an `async fn` (or any fn holding async blocks), it rewrites every
//! `expr.await` in the body into
//!
//! ```text
//! crate::trace::AwaitAt::new(expr).await
//! ```
//!
//! (`AwaitAt::timer(ms, TimeoutFuture::new)` for gloo's timer, so
//! that the ready queue can say its delay), spanned at the `.await`, so that
//! the constructor's `#[track_caller]` location is the line of that
//! `.await`. `AwaitAt` notes the location while
//! it polls what it awaits, and a traced future polled inside reads it: that
//! is the `.await` where the run waits for it. The arguments of
//! `join!`/`try_join!` (futures' macros, which await inside their own
//! expansion) are wrapped the same way, at the macro's line. Other macros are
//! left as they are.
//!
//! The wrapper changes nothing else: it polls what it wraps, with the same
//! context, and returns what that returns.

use proc_macro::TokenStream;
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{parse_macro_input, parse_quote_spanned, Expr, ItemFn, Macro, Token};

/// Marks every `.await` in the function's body (see the crate's docs).
#[proc_macro_attribute]
pub fn mark_awaits(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        let attr = proc_macro2::TokenStream::from(attr);
        return syn::Error::new(attr.span(), "#[mark_awaits] takes no arguments")
            .to_compile_error()
            .into();
    }
    let mut function = parse_macro_input!(item as ItemFn);
    Marker.visit_block_mut(&mut function.block);
    function.into_token_stream().into()
}

struct Marker;

/// `TimeoutFuture::new(ms)` (gloo's timer, which does not expose its delay):
/// the constructor's path and the argument.
fn timer_call(expr: &Expr) -> Option<(&syn::ExprPath, &Expr)> {
    let Expr::Call(call) = expr else { return None };
    let Expr::Path(path) = &*call.func else {
        return None;
    };
    let names: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
    let is_timer = names.ends_with(&["TimeoutFuture".into(), "new".into()]);
    match (is_timer, call.args.len()) {
        (true, 1) => Some((path, &call.args[0])),
        _ => None,
    }
}

impl VisitMut for Marker {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        // Inner awaits first, so `a.await.b.await` marks both.
        visit_mut::visit_expr_mut(self, expr);
        if let Expr::Await(awaited) = expr {
            let span = awaited.await_token.span;
            let base = &awaited.base;
            *awaited.base = match timer_call(base) {
                // The delay, evaluated once as before, is kept to be told.
                Some((make, ms)) => parse_quote_spanned! {span=>
                    crate::trace::AwaitAt::timer(#ms, #make)
                },
                None => parse_quote_spanned! {span=> crate::trace::AwaitAt::new(#base) },
            };
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        if !matches!(name.as_deref(), Some("join" | "try_join")) {
            return;
        }
        let Ok(mut args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) else {
            return; // not a list of futures: left as it is
        };
        let span = mac.path.span();
        for arg in args.iter_mut() {
            self.visit_expr_mut(arg);
            *arg = parse_quote_spanned! {span=> crate::trace::AwaitAt::new(#arg) };
        }
        mac.tokens = args.to_token_stream();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn only_a_timeout_future_built_with_one_argument_is_a_timer_call() {
        let timer: Expr = parse_quote!(TimeoutFuture::new(ms * 2));
        let (_, ms) = timer_call(&timer).expect("a timer");
        assert_eq!(ms.to_token_stream().to_string(), "ms * 2");
        assert!(timer_call(&parse_quote!(gloo_timers::future::TimeoutFuture::new(5))).is_some());
        assert!(timer_call(&parse_quote!(Sleep::new(5))).is_none());
        assert!(timer_call(&parse_quote!(TimeoutFuture::new())).is_none());
        assert!(timer_call(&parse_quote!(timeout(5))).is_none());
    }

    #[test]
    fn every_await_is_marked_at_its_own_span_and_join_arguments_too() {
        let mut function: ItemFn = parse_quote! {
            async fn f() {
                a.await;
                async { b.await }.await;
                futures::join!(c, d);
                TimeoutFuture::new(7).await;
            }
        };
        Marker.visit_block_mut(&mut function.block);
        let text = function.block.to_token_stream().to_string().replace(' ', "");
        for marked in [
            "crate::trace::AwaitAt::new(a).await",
            "crate::trace::AwaitAt::new(async{crate::trace::AwaitAt::new(b).await}).await",
            "futures::join!(crate::trace::AwaitAt::new(c),crate::trace::AwaitAt::new(d))",
            "crate::trace::AwaitAt::timer(7,TimeoutFuture::new).await",
        ] {
            assert!(text.contains(marked), "{marked} not in {text}");
        }
    }
}
