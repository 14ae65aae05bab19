//! Which names an expression or block uses from outside itself: what an
//! async block or a closure captures.

use super::syntax::{Block, Expr, ExprKind, Pat, Stmt};

/// The names `block` uses that it does not bind itself, in order of first use.
pub fn of_block(block: &Block) -> Vec<String> {
    let mut free = Vec::new();
    block_free(block, &mut Vec::new(), &mut free);
    free
}

/// The names `expr` uses that it does not bind itself (a closure's body
/// with its parameters bound: pass them in `bound`).
pub fn of_expr(expr: &Expr, bound: &[String]) -> Vec<String> {
    let mut free = Vec::new();
    let mut scope = bound.to_vec();
    expr_free(expr, &mut scope, &mut free);
    free
}

/// Whether `block` uses `name` from outside.
pub fn block_mentions(block: &Block, name: &str) -> bool {
    of_block(block).iter().any(|n| n == name)
}

fn note(name: &str, bound: &[String], free: &mut Vec<String>) {
    if !bound.iter().any(|b| b == name) && !free.iter().any(|f| f == name) {
        free.push(name.to_string());
    }
}

fn bind(pat: &Pat, bound: &mut Vec<String>) {
    match pat {
        Pat::Ident { name, .. } => bound.push(name.clone()),
        Pat::Tuple(items, _) => items.iter().for_each(|p| bind(p, bound)),
        Pat::Wild(_) => {}
    }
}

fn block_free(block: &Block, bound: &mut Vec<String>, free: &mut Vec<String>) {
    let depth = bound.len();
    for stmt in &block.stmts {
        match stmt {
            Stmt::Let { pat, init, .. } => {
                expr_free(init, bound, free);
                bind(pat, bound);
            }
            Stmt::Expr { expr, .. } => expr_free(expr, bound, free),
            Stmt::For {
                pat,
                start,
                end,
                body,
                ..
            } => {
                expr_free(start, bound, free);
                expr_free(end, bound, free);
                let inner = bound.len();
                bind(pat, bound);
                block_free(body, bound, free);
                bound.truncate(inner);
            }
        }
    }
    if let Some(tail) = &block.tail {
        expr_free(tail, bound, free);
    }
    bound.truncate(depth);
}

fn expr_free(expr: &Expr, bound: &mut Vec<String>, free: &mut Vec<String>) {
    match &expr.kind {
        ExprKind::Int(_) | ExprKind::Str(_) => {}
        ExprKind::Var(name) => note(name, bound, free),
        ExprKind::Call { name, args, .. } => {
            // A call of a closure held in a variable uses the variable; a
            // prelude function is no variable.
            let prelude = super::check::FUTURE_FNS.contains(&name.as_str())
                || super::check::OTHER_FNS.contains(&name.as_str());
            if !prelude {
                note(name, bound, free);
            }
            args.iter().for_each(|a| expr_free(a, bound, free));
        }
        ExprKind::Macro { args, .. } | ExprKind::Tuple(args) | ExprKind::Array(args) => {
            args.iter().for_each(|a| expr_free(a, bound, free));
        }
        ExprKind::Async { block, .. } | ExprKind::Block(block) => block_free(block, bound, free),
        ExprKind::Closure { params, body, .. } => {
            let depth = bound.len();
            params.iter().for_each(|p| bind(p, bound));
            expr_free(body, bound, free);
            bound.truncate(depth);
        }
        ExprKind::Await(inner)
        | ExprKind::Try(inner)
        | ExprKind::Clone(inner)
        | ExprKind::Ref(inner)
        | ExprKind::Paren(inner) => {
            expr_free(inner, bound, free);
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            expr_free(lhs, bound, free);
            expr_free(rhs, bound, free);
        }
    }
}
