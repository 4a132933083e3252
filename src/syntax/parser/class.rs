//! Declared types: `contract Name { ... }`, `entity Name { ... }`, `data Name { ... }`, and
//! the type annotations their fields and actions may carry (skipped: types are not checked).

use std::collections::HashSet;

use super::{PResult, Parser};
use crate::syntax::ast::{ClassDecl, ClassKind, FieldDecl, MethodDecl, StmtKind};
use crate::syntax::token::TokenKind;

/// Words that may precede a member of a declared type and change nothing here.
const MEMBER_MODIFIERS: &[&str] = &["public", "private", "internal", "external", "view", "pure"];

/// Words that introduce a field: `state x = 1`, `data x = 1`, `let x = 1`.
const FIELD_WORDS: &[&str] = &["state", "data", "storage", "persistent"];

impl Parser<'_> {
    /// The declaring keyword if the statement here is a type declaration: the word
    /// `contract`, `entity` or `data`, then a name, then `{`.
    pub(super) fn class_kind_here(&self) -> Option<ClassKind> {
        let TokenKind::Ident(word) = self.peek_kind() else {
            return None;
        };
        let kind = match word.as_str() {
            "contract" => ClassKind::Contract,
            "entity" => ClassKind::Entity,
            "data" => ClassKind::Data,
            _ => return None,
        };
        let name_is_ident = matches!(self.peek_next().kind, TokenKind::Ident(_));
        let brace_follows = self
            .tokens
            .get(self.pos + 2)
            .is_some_and(|t| t.kind == TokenKind::LBrace);
        (name_is_ident && brace_follows).then_some(kind)
    }

    /// `contract|entity|data Name { members }`.
    pub(super) fn class_decl(&mut self, kind: ClassKind) -> PResult<StmtKind> {
        self.advance();
        let name = self.expect_ident("expected a type name")?;
        self.class_names.insert(name.clone());
        self.expect(&TokenKind::LBrace, "expected '{' after the type name")?;
        self.enter_block("blocks nested too deeply")?;
        let mut fields: Vec<FieldDecl> = Vec::new();
        let mut methods: Vec<MethodDecl> = Vec::new();
        let mut seen = HashSet::new();
        let result = loop {
            while self.eat(&TokenKind::Semicolon) || self.eat(&TokenKind::Comma) {}
            if self.check(&TokenKind::RBrace) || self.at_eof() {
                break Ok(());
            }
            if self.at_state_block() {
                for (idx, f) in self.state_block()? {
                    if !seen.insert(f.name.clone()) {
                        let e = self.error_at(idx, &format!("'{}' is declared twice", f.name));
                        self.report(e);
                    }
                    fields.push(f);
                }
                continue;
            }
            let idx = self.pos;
            match self.member() {
                Ok(Member::Field(f)) => {
                    if !seen.insert(f.name.clone()) {
                        let e = self.error_at(idx, &format!("'{}' is declared twice", f.name));
                        self.report(e);
                    }
                    fields.push(f);
                }
                Ok(Member::Method(m)) => {
                    if !seen.insert(m.name.clone()) {
                        let e = self.error_at(idx, &format!("'{}' is declared twice", m.name));
                        self.report(e);
                    }
                    methods.push(m);
                }
                Err(e) => break Err(e),
            }
        };
        self.leave_block();
        result?;
        self.expect(&TokenKind::RBrace, "expected '}' after the type's members")?;
        Ok(StmtKind::Class(Box::new(ClassDecl {
            kind,
            name,
            fields,
            methods,
        })))
    }

    /// One member: a field or an action.
    fn member(&mut self) -> PResult<Member> {
        while let TokenKind::Ident(w) = self.peek_kind() {
            if MEMBER_MODIFIERS.contains(&w.as_str()) {
                self.advance();
            } else {
                break;
            }
        }
        let line = self.peek().line;
        match self.peek_kind() {
            TokenKind::Action | TokenKind::Function => {
                self.advance();
                let name = self.expect_ident("expected an action name")?;
                let params = if self.check(&TokenKind::LParen) {
                    self.typed_params()?
                } else {
                    Vec::new()
                };
                self.skip_return_type()?;
                let saved_loops = std::mem::replace(&mut self.loop_depth, 0);
                let body = self.block("expected '{' before the action's body");
                self.loop_depth = saved_loops;
                Ok(Member::Method(MethodDecl {
                    name,
                    params,
                    body: body?,
                    line,
                }))
            }
            TokenKind::Let | TokenKind::Const => {
                self.advance();
                self.field(line)
            }
            TokenKind::Ident(w)
                if FIELD_WORDS.contains(&w.as_str())
                    && matches!(self.peek_next().kind, TokenKind::Ident(_)) =>
            {
                self.advance();
                // `persistent storage name ...`: several field words in a row.
                while matches!(self.peek_kind(), TokenKind::Ident(w) if FIELD_WORDS.contains(&w.as_str()))
                    && matches!(self.peek_next().kind, TokenKind::Ident(_))
                {
                    self.advance();
                }
                self.field(line)
            }
            TokenKind::Ident(_) => self.field(line),
            _ => Err(self.error_here("expected a field or an action")),
        }
    }

    /// Whether a `state { ... }` block starts here.
    fn at_state_block(&self) -> bool {
        matches!(self.peek_kind(), TokenKind::Ident(w) if w == "state")
            && self.peek_next().kind == TokenKind::LBrace
    }

    /// `state { name: value, name = value, ... }`: fields with initial values (the original's
    /// contract state block), each with the index of its name token.
    fn state_block(&mut self) -> PResult<Vec<(usize, FieldDecl)>> {
        self.advance();
        self.advance();
        let saved = self.paren_depth;
        self.paren_depth += 1;
        let mut out = Vec::new();
        let result = loop {
            while self.eat(&TokenKind::Semicolon) || self.eat(&TokenKind::Comma) {}
            if self.check(&TokenKind::RBrace) || self.at_eof() {
                break Ok(());
            }
            let idx = self.pos;
            let line = self.peek().line;
            let name = match self.expect_ident("expected a field name in the state block") {
                Ok(n) => n,
                Err(e) => break Err(e),
            };
            if !self.eat(&TokenKind::Colon) && !self.eat(&TokenKind::Assign) {
                break Err(self.error_here("expected ':' after the field name"));
            }
            match self.expression() {
                Ok(v) => out.push((
                    idx,
                    FieldDecl {
                        name,
                        default: Some(v),
                        line,
                    },
                )),
                Err(e) => break Err(e),
            }
        };
        self.paren_depth = saved;
        result?;
        self.expect(&TokenKind::RBrace, "expected '}' after the state block")?;
        Ok(out)
    }

    /// `name [: type] [= value]`.
    fn field(&mut self, line: u32) -> PResult<Member> {
        let name = self.expect_ident("expected a field name")?;
        if self.eat(&TokenKind::Colon) {
            self.skip_type()?;
        }
        let default = if self.eat(&TokenKind::Assign) {
            Some(self.expression()?)
        } else {
            None
        };
        Ok(Member::Field(FieldDecl {
            name,
            default,
            line,
        }))
    }

    /// `( name [: type], ... )`.
    pub(super) fn typed_params(&mut self) -> PResult<Vec<String>> {
        self.expect(&TokenKind::LParen, "expected '('")?;
        let mut params: Vec<String> = Vec::new();
        while !self.check(&TokenKind::RParen) {
            let idx = self.pos;
            let p = self.expect_ident("expected parameter name")?;
            if params.contains(&p) || p == "this" {
                let e = self.error_at(idx, "duplicate parameter name");
                self.report(e);
            }
            params.push(p);
            if self.eat(&TokenKind::Colon) {
                self.skip_type()?;
            }
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect(&TokenKind::RParen, "expected ')' after parameters")?;
        Ok(params)
    }

    /// An optional `-> type` after a parameter list.
    pub(super) fn skip_return_type(&mut self) -> PResult<()> {
        if self.eat(&TokenKind::Arrow) {
            self.skip_type()?;
        }
        Ok(())
    }
}

/// A parsed member of a declared type.
enum Member {
    Field(FieldDecl),
    Method(MethodDecl),
}
