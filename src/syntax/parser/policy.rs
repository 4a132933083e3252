//! The original implementation's `debug` and `seal` statements and `sanitize` expression.
//!
//! No word is reserved: each starts its form only when followed, on the same line, by the
//! start of an operand other than `(` (so `debug(x)` and `sanitize(x, "sql")` stay calls, and
//! `let debug = true` or `if debug {` keep `debug` a variable); `seal` only when a name
//! follows it.
//!
//! - `debug e` prints `e` as `print(e)` does (the original's VM; its interpreter prefixes the
//!   line with `🔍 DEBUG: `). It is parsed into a [`StmtKind::Print`].
//! - `sanitize e, context`, `sanitize e as word` and `sanitize e` give `e`'s display form
//!   escaped for `context` (`"html"` when none is given): a call of the builtin `sanitize`.
//!   Inside brackets the comma form is not available (the comma separates the list's items).
//! - `seal name` makes the variable read-only from there on: a [`StmtKind::Seal`]. The
//!   original also seals an object's property (`seal obj.key`); here that is a compile error.

use super::expr::Node;
use super::{PResult, Parser};
use crate::syntax::ast::{Expr, ExprKind, StmtKind};
use crate::syntax::token::TokenKind;

impl Parser<'_> {
    /// Whether the current token is `word` followed on its line by an operand that is not
    /// parenthesised.
    fn at_policy_word(&self, word: &str) -> bool {
        matches!(self.peek_kind(), TokenKind::Ident(w) if w == word)
            && self.peek_next().kind != TokenKind::LParen
            && self.starts_operand(self.peek_next())
    }

    /// Whether a `debug e` statement starts here.
    pub(super) fn at_debug_stmt(&self) -> bool {
        self.at_policy_word("debug")
    }

    /// `debug e`, at the word `debug`: prints `e`.
    pub(super) fn debug_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let value = self.expression()?;
        self.end_stmt()?;
        Ok(StmtKind::Print(vec![value]))
    }

    /// Whether a `seal name` statement starts here.
    pub(super) fn at_seal(&self) -> bool {
        matches!(self.peek_kind(), TokenKind::Ident(w) if w == "seal")
            && matches!(self.peek_next().kind, TokenKind::Ident(_))
            && !self.peek_next().nl_before
    }

    /// `seal name`, at the word `seal`.
    pub(super) fn seal_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let name = self.expect_ident("expected a variable name after 'seal'")?;
        if self.check(&TokenKind::Dot) || self.check(&TokenKind::LBracket) {
            return Err(self
                .error_here("'seal' applies to a variable here, not to a property or an element"));
        }
        self.end_stmt()?;
        Ok(StmtKind::Seal(name))
    }

    /// Whether a `sanitize e ...` expression starts here.
    pub(super) fn at_sanitize(&self) -> bool {
        self.at_policy_word("sanitize")
    }

    /// `sanitize e`, `sanitize e, context` or `sanitize e as word`, at the word `sanitize`: a
    /// call of the builtin `sanitize(e, context)`.
    pub(super) fn sanitize_expr(&mut self) -> PResult<Node> {
        let line = self.advance_line();
        let (value, height) = self.expr_bp(0)?;
        // Inside brackets a comma separates the enclosing list's items, as in the original
        // (`print(sanitize a, "sql")` prints two values): use `as` or the call form there.
        let context = if self.paren_depth == 0 && self.eat(&TokenKind::Comma) {
            self.expression()?
        } else if matches!(self.peek_kind(), TokenKind::Ident(w) if w == "as")
            && !self.peek().nl_before
        {
            self.advance();
            let at = self.pos;
            match self.peek_kind().clone() {
                TokenKind::Ident(word) | TokenKind::Str(word) => {
                    self.advance();
                    Expr::new(line, ExprKind::Str(word))
                }
                _ => return Err(self.error_at(at, "expected the context's name after 'as'")),
            }
        } else {
            Expr::new(line, ExprKind::Str("html".to_string()))
        };
        let call = ExprKind::Call {
            callee: Box::new(Expr::new(line, ExprKind::Name("sanitize".to_string()))),
            args: vec![value, context],
        };
        Ok((Expr::new(line, call), self.check_height(height + 1)?))
    }
}
