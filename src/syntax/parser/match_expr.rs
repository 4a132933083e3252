//! `match subject { pattern => value, ..., _ => value }`, the original's match expression, also
//! written with `case pattern: value` arms and `default: value` (its other spelling; arms of
//! either kind may be mixed, separated by commas, semicolons or newlines).
//!
//! Patterns are literals (numbers, possibly negative, strings, `true`, `false`, `null`) or `_`,
//! which matches anything. The value of the first arm whose pattern `==` the subject is the
//! result; with no match the result is `null` (the original's VM gives `null`, its interpreter
//! an error). The expression becomes a chain of conditional expressions
//! (`subject == p1 ? v1 : subject == p2 ? v2 : ...`), so the subject is read once per arm
//! tried: it must be a variable, a literal, or a field, index or property of one with a
//! variable or literal index (reading those twice gives the same value); anything else is a
//! compile error asking for a variable.

use super::expr::Node;
use super::{PResult, Parser};
use crate::syntax::ast::{BinOp, Expr, ExprKind, UnaryOp};
use crate::syntax::token::TokenKind;

/// Whether reading `e` twice is the same as reading it once.
pub(super) fn rereadable(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Name(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Null => true,
        ExprKind::Attr { obj, .. } => rereadable(obj),
        ExprKind::Index { obj, index } => rereadable(obj) && rereadable(index),
        _ => false,
    }
}

/// Whether `e` may be a pattern: a literal or a negated number.
fn literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Null => true,
        ExprKind::Unary {
            op: UnaryOp::Neg,
            expr,
        } => matches!(expr.kind, ExprKind::Int(_) | ExprKind::Float(_)),
        _ => false,
    }
}

impl Parser<'_> {
    /// Whether a match expression starts here: the word `match` followed, on the same line, by
    /// the start of an operand.
    pub(super) fn at_match(&self) -> bool {
        matches!(self.peek_kind(), TokenKind::Ident(w) if w == "match")
            && self.starts_operand(self.peek_next())
    }

    /// Whether the current tokens are `=>` (one token or `=` directly followed by `>`).
    fn at_fat_arrow(&self) -> bool {
        let t = self.peek();
        if &self.src[t.start..t.end] == "=>" {
            return true;
        }
        let next = self.peek_next();
        t.kind == TokenKind::Assign && next.kind == TokenKind::Gt && next.start == t.end
    }

    /// Consumes `=>` if it is here.
    pub(super) fn eat_match_arrow(&mut self) -> bool {
        if !self.at_fat_arrow() {
            return false;
        }
        let t = self.peek();
        if &self.src[t.start..t.end] != "=>" {
            self.advance();
        }
        self.advance();
        true
    }

    /// Parses `match subject { arms }` at the word `match`.
    pub(super) fn match_expr(&mut self) -> PResult<Node> {
        let line = self.advance_line();
        let subject_at = self.pos;
        let (subject, mut height) = self.expr_bp(0)?;
        if !rereadable(&subject) {
            return Err(self.error_at(
                subject_at,
                "match needs a variable, a literal or a field of a variable here (assign the value to a variable first)",
            ));
        }
        self.expect(&TokenKind::LBrace, "expected '{' after the match subject")?;
        self.paren_depth += 1;
        let arms = self.match_arms();
        self.paren_depth -= 1;
        let arms = arms?;
        self.expect(&TokenKind::RBrace, "expected '}' after the match arms")?;
        let mut result = Expr::new(line, ExprKind::Null);
        for (pattern, value) in arms.into_iter().rev() {
            height = self.check_height(height.max(value.1) + 2)?;
            result = match pattern {
                None => value.0,
                Some(p) => {
                    let cond = Expr::new(
                        line,
                        ExprKind::Binary {
                            op: BinOp::Eq,
                            lhs: Box::new(subject.clone()),
                            rhs: Box::new(p),
                        },
                    );
                    Expr::new(
                        line,
                        ExprKind::Ternary {
                            cond: Box::new(cond),
                            then: Box::new(value.0),
                            else_: Box::new(result),
                        },
                    )
                }
            };
        }
        Ok((result, height))
    }

    /// The arms up to the closing `}`: each a pattern (`None` for `_`) and its value.
    fn match_arms(&mut self) -> PResult<Vec<(Option<Expr>, Node)>> {
        let mut arms = Vec::new();
        loop {
            while self.eat(&TokenKind::Comma) || self.eat(&TokenKind::Semicolon) {}
            if self.check(&TokenKind::RBrace) || self.at_eof() {
                return Ok(arms);
            }
            let pattern = self.match_pattern()?;
            if !self.eat_match_arrow() && !self.eat(&TokenKind::Colon) {
                return Err(self.error_here("expected '=>' or ':' after the match pattern"));
            }
            let value = self.expr_bp(0)?;
            arms.push((pattern, value));
        }
    }

    /// An arm's pattern: `None` for `_` or `default`; `case` before it is skipped (`case p:`
    /// and `default:` are the original's other spelling of arms).
    pub(super) fn match_pattern(&mut self) -> PResult<Option<Expr>> {
        let case = matches!(self.peek_kind(), TokenKind::Ident(w) if w == "case")
            && self.peek_next().kind != TokenKind::Colon
            && !self.peek_next().nl_before;
        if case {
            self.advance();
        }
        let wildcard = match self.peek_kind() {
            TokenKind::Ident(w) if w == "_" => true,
            TokenKind::Ident(w) if w == "default" => {
                !case && self.peek_next().kind == TokenKind::Colon
            }
            _ => false,
        };
        if wildcard {
            self.advance();
            return Ok(None);
        }
        let at = self.pos;
        let p = self.expr_bp(0)?.0;
        if !literal(&p) {
            return Err(self.error_at(at, "a match pattern is a literal or _"));
        }
        Ok(Some(p))
    }
}
