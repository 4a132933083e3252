//! `enum Name { A, B = 5, C }` and the declarations that only name an interface:
//! `protocol Name { ... }` and `interface Name { ... }`.
//!
//! An enum is a map from each member's name to its value: the value given after `=`, else the
//! member's position (so `C` above is 2, as in the original's interpreter). The statement is
//! `let Name = {"A": 0, "B": 5, "C": 2}`, so `Name.A` and `Name["A"]` read a member.
//! A protocol or interface only lists method signatures: nothing checks them at run time (the
//! original's VM ignores them too), so the declaration declares nothing.

use super::{PResult, Parser};
use crate::syntax::ast::{Block, Expr, ExprKind, StmtKind};
use crate::syntax::token::TokenKind;

impl Parser<'_> {
    /// Whether an `enum`, `protocol` or `interface` declaration starts here.
    pub(super) fn at_enum_or_protocol(&self) -> bool {
        matches!(self.peek_kind(), TokenKind::Ident(w) if matches!(w.as_str(), "enum" | "protocol" | "interface"))
            && matches!(self.peek_next().kind, TokenKind::Ident(_))
            && self
                .tokens
                .get(self.pos + 2)
                .is_some_and(|t| t.kind == TokenKind::LBrace)
    }

    /// Parses an `enum`, `protocol` or `interface` declaration.
    pub(super) fn enum_or_protocol(&mut self) -> PResult<StmtKind> {
        let is_enum = matches!(self.peek_kind(), TokenKind::Ident(w) if w == "enum");
        let line = self.advance_line();
        let name = self.expect_ident("expected a name")?;
        if is_enum {
            return self.enum_body(name, line);
        }
        // `protocol P { ... }`: skip the signatures, brackets balanced.
        let mut depth = 0usize;
        loop {
            match self.peek_kind() {
                TokenKind::Eof => return Err(self.error_here("expected '}' after declaration")),
                TokenKind::LBrace => depth += 1,
                TokenKind::RBrace => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            self.advance();
        }
        let end = self.advance_line();
        self.eat(&TokenKind::Semicolon);
        Ok(StmtKind::Block(Block {
            stmts: Vec::new(),
            line,
            end_line: end,
        }))
    }

    fn enum_body(&mut self, name: String, line: u32) -> PResult<StmtKind> {
        let open = self.paren_depth;
        self.paren_depth += 1;
        let r = self.enum_members();
        self.paren_depth = open;
        let entries = r?;
        self.eat(&TokenKind::Semicolon);
        Ok(StmtKind::Let {
            name,
            value: Expr::new(line, ExprKind::Map(entries)),
            is_const: false,
        })
    }

    fn enum_members(&mut self) -> PResult<Vec<(Expr, Expr)>> {
        self.expect(&TokenKind::LBrace, "expected '{' after enum name")?;
        let mut entries: Vec<(Expr, Expr)> = Vec::new();
        while !self.check(&TokenKind::RBrace) {
            let at = self.peek().line;
            let member = self.expect_ident("expected an enum member name")?;
            let value = if self.eat(&TokenKind::Assign) {
                self.expression()?
            } else {
                Expr::new(at, ExprKind::Int(entries.len() as i64))
            };
            entries.push((Expr::new(at, ExprKind::Str(member)), value));
            if !self.eat(&TokenKind::Comma) && !self.eat(&TokenKind::Semicolon) {
                break;
            }
        }
        self.expect(&TokenKind::RBrace, "expected '}' after enum members")?;
        Ok(entries)
    }
}
