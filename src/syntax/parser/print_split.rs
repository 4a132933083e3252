//! The original implementation's statement splitting for a paren-less `print` at the top level.
//!
//! The original cuts a program's top-level statements apart before parsing them, and a
//! statement other than `let`/`const`/`if`/`while`/`for`/`action` ends just before a call
//! `name(` met outside brackets: `print "Total: " + total(xs)` is the statement
//! `print "Total: " +` (the dangling operator is ignored, so it prints `Total: `) followed by the
//! expression statement `total(xs)`. Programs written for it print what it prints, so a
//! top-level `print` without parentheses is split the same way here. Inside blocks (function
//! bodies, `if` and loop blocks) the original parses whole statements, and so do we.

use super::Parser;
use crate::syntax::token::{Token, TokenKind};

/// Tokens that cannot end an expression: dropped from the end of the cut-off `print`.
fn dangles(kind: &TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Plus | Minus
            | Star
            | Slash
            | Percent
            | StarStar
            | Bang
            | Not
            | And
            | Or
            | AndAnd
            | OrOr
            | EqEq
            | BangEq
            | Lt
            | Gt
            | LtEq
            | GtEq
            | Comma
            | Question
            | QuestionQuestion
            | Colon
            | In
    )
}

impl Parser<'_> {
    /// Called with the current token just after a top-level `print` that has no parentheses:
    /// when the statement's line holds a call `name(` outside brackets after its first token
    /// (and not a method call `x.name(`), ends the `print` before it as the original does,
    /// by inserting a `;` there and dropping the operators left dangling in front of it.
    pub(super) fn split_print_before_call(&mut self) {
        if self.depth != 0 || self.indent_floor.is_some() {
            return;
        }
        let start = self.pos;
        let mut nest = 0i32;
        let mut k = start;
        let cut = loop {
            let t = &self.tokens[k];
            if k > start && t.nl_before && nest == 0 {
                return;
            }
            match t.kind {
                TokenKind::Eof => return,
                TokenKind::Semicolon if nest == 0 => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => nest += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    if nest == 0 {
                        return;
                    }
                    nest -= 1;
                }
                TokenKind::Ident(_)
                    if nest == 0
                        && k > start
                        && self.tokens[k + 1].kind == TokenKind::LParen
                        && self.tokens[k - 1].kind != TokenKind::Dot =>
                {
                    break k;
                }
                _ => {}
            }
            k += 1;
        };
        let mut end = cut;
        while end > start && dangles(&self.tokens[end - 1].kind) {
            end -= 1;
        }
        if end == start {
            return;
        }
        let at = &self.tokens[cut];
        let semi = Token {
            kind: TokenKind::Semicolon,
            line: at.line,
            col: at.col,
            start: at.start,
            end: at.start,
            nl_before: false,
        };
        self.tokens.splice(end..cut, [semi]);
    }
}
