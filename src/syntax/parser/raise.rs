//! The statements that raise or handle errors: `try`/`catch`/`finally`, `throw`, `defer`,
//! `emit`, and the contract checks `require`, `revert` and `verify`.
//!
//! Their words are not reserved: each is a statement only at the start of a statement and
//! followed by what the statement needs (`try {`, `require(`, `emit Name`, ...), so programs
//! that use them as ordinary names keep working. The checks are parsed into what they mean, an
//! `if` around a `throw` of the original implementation's message:
//! - `require(c, m)`: `if !c { throw "Requirement failed: " + m }` (without `m`, the message is
//!   `Requirement failed: Requirement failed`, as in the original's VM);
//! - `revert(m)`: `throw "Transaction reverted: " + m` (`revert()`: `Transaction reverted:
//!   Transaction reverted`);
//! - `verify c, m` or `verify(c, m)`: `if !c { throw "Requirement failed: " + m }` (without
//!   `m`: `Requirement failed: Verification failed`), as the original's VM compiles it.

use super::{PResult, Parser};
use crate::syntax::ast::{BinOp, Block, Expr, ExprKind, Stmt, StmtKind, UnaryOp};
use crate::syntax::token::TokenKind;

/// The contextual keywords handled here.
const WORDS: [&str; 7] = [
    "try", "throw", "defer", "emit", "require", "revert", "verify",
];

impl Parser<'_> {
    /// Whether the current token starts one of this module's statements.
    pub(super) fn at_raise_stmt(&self) -> bool {
        let TokenKind::Ident(word) = self.peek_kind() else {
            return false;
        };
        if !WORDS.contains(&word.as_str()) {
            return false;
        }
        let next = self.peek_next();
        let same_line = !next.nl_before;
        match word.as_str() {
            "try" | "defer" => next.kind == TokenKind::LBrace,
            "require" | "revert" => next.kind == TokenKind::LParen && same_line,
            "emit" => matches!(next.kind, TokenKind::Ident(_)) && same_line,
            // `throw x`, `verify x, "m"`: an expression must follow on the same line (so
            // `verify = 1` or `throw.x()` use the word as an ordinary name).
            _ => same_line && starts_expression(&next.kind),
        }
    }

    /// Parses the statement [`at_raise_stmt`](Self::at_raise_stmt) found.
    pub(super) fn raise_stmt(&mut self) -> PResult<StmtKind> {
        let word = match self.peek_kind() {
            TokenKind::Ident(w) => w.clone(),
            _ => unreachable!("at_raise_stmt checked the token"),
        };
        let line = self.advance_line();
        match word.as_str() {
            "try" => self.try_stmt(),
            "throw" => {
                let value = self.expression()?;
                self.end_stmt()?;
                Ok(StmtKind::Throw(value))
            }
            "defer" => Ok(StmtKind::Defer(self.block("expected '{' after 'defer'")?)),
            "emit" => self.emit_stmt(),
            "require" => {
                let (cond, msg) = self.require_args()?;
                let msg = prefixed(line, "Requirement failed: ", msg, "Requirement failed");
                Ok(throw_unless(line, cond, msg))
            }
            "revert" => {
                let (args, _) = self.arguments()?;
                if args.len() > 1 {
                    return Err(self.error_at(self.pos - 1, "revert takes at most one argument"));
                }
                self.end_stmt()?;
                let msg = args.into_iter().next();
                let msg = prefixed(line, "Transaction reverted: ", msg, "Transaction reverted");
                Ok(StmtKind::Throw(msg))
            }
            _ => {
                let (cond, msg) = self.verify_args()?;
                let msg = prefixed(line, "Requirement failed: ", msg, "Verification failed");
                Ok(throw_unless(line, cond, msg))
            }
        }
    }

    /// `try {} catch (e) {} finally {}`, after `try`.
    fn try_stmt(&mut self) -> PResult<StmtKind> {
        let body = self.block("expected '{' after 'try'")?;
        let catch = if self.eat_word("catch") {
            let var = self.catch_var()?;
            Some((var, self.block("expected '{' after the catch clause")?))
        } else {
            None
        };
        let finally = if self.eat_word("finally") {
            Some(self.block("expected '{' after 'finally'")?)
        } else {
            None
        };
        if catch.is_none() && finally.is_none() {
            return Err(self.error_here("expected 'catch' or 'finally' after the try block"));
        }
        Ok(StmtKind::Try {
            body,
            catch,
            finally,
        })
    }

    /// Consumes the identifier `word` if it is the current token.
    fn eat_word(&mut self, word: &str) -> bool {
        if matches!(self.peek_kind(), TokenKind::Ident(w) if w == word) {
            self.advance();
            true
        } else {
            false
        }
    }

    /// The variable of a catch clause: `(e)`, `((e))`, `e`, or none before the `{`.
    fn catch_var(&mut self) -> PResult<Option<String>> {
        let mut parens = 0;
        while self.eat(&TokenKind::LParen) {
            parens += 1;
        }
        let var = if parens == 0 && self.check(&TokenKind::LBrace) {
            None
        } else {
            Some(self.expect_ident("expected the error variable's name")?)
        };
        for _ in 0..parens {
            self.expect(&TokenKind::RParen, "expected ')' after the error variable")?;
        }
        Ok(var)
    }

    /// `emit Name(args)`, `emit Name {k: v}` (one map argument) or `emit Name`, after `emit`.
    fn emit_stmt(&mut self) -> PResult<StmtKind> {
        let name = self.expect_ident("expected the event's name after 'emit'")?;
        let same_line = !self.peek().nl_before;
        let args = match self.peek_kind() {
            TokenKind::LParen if same_line => self.arguments()?.0,
            TokenKind::LBrace if same_line => vec![self.expression()?],
            _ => Vec::new(),
        };
        self.end_stmt()?;
        Ok(StmtKind::Emit { name, args })
    }

    /// `(cond)` or `(cond, message)` of `require`.
    fn require_args(&mut self) -> PResult<(Expr, Option<Expr>)> {
        let open = self.pos;
        let (args, _) = self.arguments()?;
        self.end_stmt()?;
        let mut args = args.into_iter();
        match (args.next(), args.next(), args.next()) {
            (Some(cond), msg, None) => Ok((cond, msg)),
            _ => Err(self.error_at(open, "require takes a condition and an optional message")),
        }
    }

    /// `verify cond`, `verify cond, message`, `verify(cond)` or `verify(cond, message)`.
    fn verify_args(&mut self) -> PResult<(Expr, Option<Expr>)> {
        let open = self.pos;
        let (cond, mut msg) = if self.check(&TokenKind::LParen) {
            let (mut args, height) = self.arguments()?;
            if args.len() == 1 && self.continues_expression() {
                // `verify (a) && b, "m"`: the parentheses only began the condition.
                let first = (args.remove(0), height);
                let e = self.postfix(first)?;
                (self.infix_loop(e, 0)?.0, None)
            } else {
                let mut it = args.into_iter();
                match (it.next(), it.next(), it.next()) {
                    (Some(c), m, None) => (c, m),
                    _ => {
                        return Err(
                            self.error_at(open, "verify takes a condition and an optional message")
                        )
                    }
                }
            }
        } else {
            (self.expression()?, None)
        };
        if msg.is_none() && self.eat(&TokenKind::Comma) {
            msg = Some(self.expression()?);
        }
        self.end_stmt()?;
        Ok((cond, msg))
    }
}

/// Whether a token can begin an expression.
fn starts_expression(kind: &TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Int(_)
            | TokenKind::Float(_)
            | TokenKind::Str(_)
            | TokenKind::Ident(_)
            | TokenKind::True
            | TokenKind::False
            | TokenKind::Null
            | TokenKind::LParen
            | TokenKind::LBracket
            | TokenKind::LBrace
            | TokenKind::Minus
            | TokenKind::Bang
            | TokenKind::Not
    )
}

fn str_lit(line: u32, s: &str) -> Expr {
    Expr::new(line, ExprKind::Str(s.to_string()))
}

/// `prefix + msg`, or the constant `prefix + default` without a message.
fn prefixed(line: u32, prefix: &str, msg: Option<Expr>, default: &str) -> Expr {
    match msg {
        Some(m) => Expr::new(
            line,
            ExprKind::Binary {
                op: BinOp::Add,
                lhs: Box::new(str_lit(line, prefix)),
                rhs: Box::new(m),
            },
        ),
        None => str_lit(line, &format!("{prefix}{default}")),
    }
}

/// `if !cond { throw msg }`.
fn throw_unless(line: u32, cond: Expr, msg: Expr) -> StmtKind {
    let test = Expr::new(
        line,
        ExprKind::Unary {
            op: UnaryOp::Not,
            expr: Box::new(cond),
        },
    );
    let body = Block {
        stmts: vec![Stmt::new(line, StmtKind::Throw(msg))],
        line,
        end_line: line,
    };
    StmtKind::If {
        branches: vec![(test, body)],
        else_block: None,
    }
}
