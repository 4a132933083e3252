//! String interpolation: `"a ${e} b"` is parsed as `"a " + e + " b"`, whose `+` with a
//! string on the left concatenates display forms (as the original's interpreter does).

use super::expr::Node;
use super::{PResult, Parser};
use crate::syntax::ast::{BinOp, Expr, ExprKind};
use crate::syntax::lexer;
use crate::syntax::token::StrPart;

impl Parser<'_> {
    /// Parses the interpolated string literal at the current token, made of `parts` (which
    /// start with a text part).
    pub(super) fn interpolated(&mut self, parts: Vec<StrPart>) -> PResult<Node> {
        let at = self.pos;
        let line = self.advance_line();
        let mut acc: Option<Node> = None;
        for part in parts {
            let piece = match part {
                StrPart::Text(t) if t.is_empty() && acc.is_some() => continue,
                StrPart::Text(t) => (Expr::new(line, ExprKind::Str(t)), 1),
                StrPart::Expr { src, line: at_line } => {
                    self.interpolated_expr(&src, at_line, at)?
                }
            };
            acc = Some(match acc {
                None => piece,
                Some((lhs, h)) => {
                    let height = self.check_height(h.max(piece.1) + 1)?;
                    let kind = ExprKind::Binary {
                        op: BinOp::Add,
                        lhs: Box::new(lhs),
                        rhs: Box::new(piece.0),
                    };
                    (Expr::new(line, kind), height)
                }
            });
        }
        Ok(acc.unwrap_or((Expr::new(line, ExprKind::Str(String::new())), 1)))
    }

    /// Parses the source of one `${...}` part (which starts on line `line`) as an expression;
    /// an error is reported at the string token `at`.
    fn interpolated_expr(&mut self, src: &str, line: u32, at: usize) -> PResult<Node> {
        let mut tokens = lexer::tokenize(src);
        // Columns are those of the string token: the part's own are relative to its text.
        let col = self.tokens[at].col;
        for t in &mut tokens {
            t.line = t.line.saturating_add(line - 1);
            t.col = col;
            t.nl_before = false;
        }
        let mut sub = Parser::new(src, tokens);
        // The nested parse shares this one's nesting budget and stack guard.
        sub.depth = self.depth;
        sub.stack_base = self.stack_base;
        sub.paren_depth = 1;
        let result = sub.expr_bp(0);
        let result = match result {
            Ok(node) if sub.at_eof() => Ok(node),
            Ok(_) => Err(sub.error_here("expected '}' after interpolated expression")),
            Err(e) => Err(e),
        };
        result.map_err(|e| {
            // The innermost interpolation's error is reported once, with its source shortened.
            let message = if e.err.message.starts_with("in '${") {
                e.err.message.clone()
            } else {
                let shown = super::shown_lexeme(src.trim());
                format!("in '${{{shown}}}': {}", e.err.message)
            };
            let mut outer = self.error_at(at, &message);
            outer.fatal = e.fatal;
            outer
        })
    }
}
