//! `match` as a statement whose arms run statements, as the original's programs write it:
//!
//! ```text
//! match count {
//!     case 42: print("The answer")
//!     case 100: { print("Century"); total = total + 1 }
//!     default: print("Other")
//! }
//! ```
//!
//! A `match` at the start of a statement takes this form when one of its arms is a statement
//! (`print`, `return`, `let`, `if`, ... or a `{ }` block after `:` or `=>`); otherwise it is the
//! expression of `match_expr.rs`, evaluated as an expression statement. The arms and patterns
//! are those of the expression (`case p:`, `p =>`, `default:`, `_ =>`), and the statement
//! becomes an `if`/`elif`/`else` chain comparing the subject with `==`: the first matching
//! arm runs, `default`/`_` runs when none matched, and with no match and no default nothing runs.

use super::{PResult, Parser};
use crate::syntax::ast::{BinOp, Block, Expr, ExprKind, Stmt, StmtKind};
use crate::syntax::token::TokenKind;

/// Whether a token after an arm's `:` or `=>` makes the arm a statement.
fn starts_statement(kind: &TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Print
            | TokenKind::Return
            | TokenKind::Let
            | TokenKind::Const
            | TokenKind::If
            | TokenKind::While
            | TokenKind::For
            | TokenKind::Break
            | TokenKind::Continue
    )
}

impl Parser<'_> {
    /// Whether the `match` here (see `at_match`) has an arm that is a statement: scans its
    /// braces for `:` or `=>` at the arms' level followed by a statement keyword.
    pub(super) fn match_has_statement_arm(&self) -> bool {
        let mut i = self.pos + 1;
        // The subject: up to the first `{` outside brackets.
        let mut depth = 0usize;
        while let Some(t) = self.tokens.get(i) {
            match t.kind {
                TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RParen | TokenKind::RBracket => depth = depth.saturating_sub(1),
                TokenKind::LBrace if depth == 0 => break,
                TokenKind::Eof => return false,
                _ => {}
            }
            i += 1;
        }
        let mut depth = 0usize;
        while let Some(t) = self.tokens.get(i) {
            match t.kind {
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    depth -= 1;
                    if depth == 0 {
                        return false;
                    }
                }
                TokenKind::Eof => return false,
                _ if depth == 1 => {
                    let arrow = &self.src[t.start..t.end] == "=>";
                    if arrow || t.kind == TokenKind::Colon {
                        let next = self.tokens.get(i + 1).map(|n| &n.kind);
                        if next.is_some_and(|k| starts_statement(k) || *k == TokenKind::LBrace) {
                            return true;
                        }
                    }
                }
                _ => {}
            }
            i += 1;
        }
        false
    }

    /// Parses the statement form of `match` at the word `match`.
    pub(super) fn match_stmt(&mut self) -> PResult<StmtKind> {
        let line = self.advance_line();
        let subject_at = self.pos;
        let subject = self.expr_bp(0)?.0;
        if !super::match_expr::rereadable(&subject) {
            return Err(self.error_at(
                subject_at,
                "match needs a variable, a literal or a field of a variable here (assign the value to a variable first)",
            ));
        }
        self.expect(&TokenKind::LBrace, "expected '{' after the match subject")?;
        let mut branches = Vec::new();
        let mut default = None;
        loop {
            while self.eat(&TokenKind::Comma) || self.eat(&TokenKind::Semicolon) {}
            if self.check(&TokenKind::RBrace) || self.at_eof() {
                break;
            }
            let arm_line = self.peek().line;
            let pattern = self.match_pattern()?;
            let body = self.match_arm_body(arm_line)?;
            match pattern {
                // Arms after a default can never run; they are parsed and dropped.
                _ if default.is_some() => {}
                None => default = Some(body),
                Some(p) => {
                    let cond = Expr::new(
                        arm_line,
                        ExprKind::Binary {
                            op: BinOp::Eq,
                            lhs: Box::new(subject.clone()),
                            rhs: Box::new(p),
                        },
                    );
                    branches.push((cond, body));
                }
            }
        }
        self.expect(&TokenKind::RBrace, "expected '}' after the match arms")?;
        if branches.is_empty() {
            // Only a default (or nothing): it runs unconditionally.
            let block = default.unwrap_or(Block {
                stmts: Vec::new(),
                line,
                end_line: line,
            });
            return Ok(StmtKind::Block(block));
        }
        Ok(StmtKind::If {
            branches,
            else_block: default,
        })
    }

    /// An arm's body after its pattern: `:` or `=>`, then a `{ }` block, a statement, or an
    /// expression (an expression statement).
    fn match_arm_body(&mut self, line: u32) -> PResult<Block> {
        if !self.eat_match_arrow() && !self.eat(&TokenKind::Colon) {
            return Err(self.error_here("expected '=>' or ':' after the match pattern"));
        }
        if self.check(&TokenKind::LBrace) {
            return self.block("expected '{'");
        }
        let stmt = if starts_statement(self.peek_kind()) {
            self.statement()?
        } else {
            let e = self.expression()?;
            Stmt::new(line, StmtKind::Expr(e))
        };
        Ok(Block {
            stmts: vec![stmt],
            line,
            end_line: line,
        })
    }
}
