//! Declaration syntax around names: type annotations, function modifiers and parameter lists.
//!
//! Type annotations (`let x: int = 5`, `action f(a: int, b: list<int>) -> map { }`) are parsed
//! and dropped: the original's VM does not check them at run time either (LANGUAGE.md).

use std::collections::HashSet;

use super::{PResult, Parser};
use crate::syntax::ast::{Block, Expr, ExprKind, Stmt, StmtKind};
use crate::syntax::token::{keyword, TokenKind};

/// Words that may precede `action`/`function` and change nothing for a program run on one
/// machine (the original attaches them to the function as tags).
pub(super) const MODIFIERS: &[&str] = &[
    "public",
    "private",
    "protected",
    "internal",
    "inline",
    "pure",
    "secure",
    "sealed",
    "view",
    "payable",
    "native",
    "async",
    "static",
];

impl Parser<'_> {
    /// Whether the current token is a word (an identifier or a keyword), as a type name is.
    fn at_word(&self) -> bool {
        let tok = self.peek();
        match &tok.kind {
            TokenKind::Ident(_) => true,
            k => keyword(tok.lexeme(self.src)).as_ref() == Some(k),
        }
    }

    /// Skips a type: `name`, `module.Name`, `Name<T, U>`, each optionally followed by `[]`
    /// and `?`.
    pub(super) fn skip_type(&mut self) -> PResult<()> {
        self.enter("type nested too deeply")?;
        let result = self.skip_type_inner();
        self.leave();
        result
    }

    fn skip_type_inner(&mut self) -> PResult<()> {
        if !self.at_word() {
            return Err(self.error_here("expected a type name"));
        }
        self.advance();
        while self.check(&TokenKind::Dot) {
            self.advance();
            if !self.at_word() {
                return Err(self.error_here("expected a type name after '.'"));
            }
            self.advance();
        }
        if self.eat(&TokenKind::Lt) {
            loop {
                self.skip_type()?;
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            // `list<list<int>>`: the lexer made one `>>` of the two closing brackets.
            if !self.split_shr() {
                self.expect(&TokenKind::Gt, "expected '>' after type arguments")?;
            }
        }
        while self.check(&TokenKind::LBracket) && self.peek_next().kind == TokenKind::RBracket {
            self.advance();
            self.advance();
        }
        self.eat(&TokenKind::Question);
        Ok(())
    }

    /// After `let name` at a `:`: skips a type annotation and returns `None`, or, for the
    /// original's `let name : value` (a `:` standing for `=`), returns the value.
    pub(super) fn let_annotation(&mut self) -> PResult<Option<Expr>> {
        self.advance();
        let start = self.pos;
        let saved_errors = self.errors.len();
        if self.at_word() && self.skip_type().is_ok() {
            let tok = self.peek();
            if tok.kind == TokenKind::Assign || self.at_stmt_end() {
                return Ok(None);
            }
        }
        // Not `: Type =`: the original reads `let x : "World"` as `let x = "World"`.
        self.errors.truncate(saved_errors);
        self.pos = start;
        Ok(Some(self.expression()?))
    }

    /// Whether the current token is a modifier word followed by `action`/`function` (possibly
    /// after more modifiers).
    pub(super) fn at_modifiers(&self) -> bool {
        let mut i = self.pos;
        loop {
            match &self.tokens[i].kind {
                TokenKind::Ident(w) if MODIFIERS.contains(&w.as_str()) => i += 1,
                TokenKind::Action | TokenKind::Function => return i > self.pos,
                _ => return false,
            }
            if i >= self.tokens.len() {
                return false;
            }
        }
    }

    /// Skips `async` after `action`/`function` (`action async f() {}`), which, as a modifier
    /// before it, changes nothing.
    pub(super) fn skip_async(&mut self) {
        if matches!(self.peek_kind(), TokenKind::Ident(w) if w == "async")
            && matches!(self.peek_next().kind, TokenKind::Ident(_))
            && !self.peek_next().nl_before
        {
            self.advance();
        }
    }

    /// Whether an `external` declaration starts here: `external` followed on its line by a
    /// name, `action`/`function` or a modifier.
    pub(super) fn at_external(&self) -> bool {
        matches!(self.peek_kind(), TokenKind::Ident(w) if w == "external")
            && !self.peek_next().nl_before
            && matches!(
                self.peek_next().kind,
                TokenKind::Ident(_) | TokenKind::Action | TokenKind::Function
            )
    }

    /// `external name` or `external [modifiers] action [async] name(params) [-> Type]
    /// [from "module"]`, at `external`: a function the original links from its host. Nothing
    /// is linked here, so calling it raises `External 'name' not linked` (the original
    /// interpreter's message). It takes the parameters declared (none for `external name`).
    pub(super) fn external_decl(&mut self) -> PResult<StmtKind> {
        let line = self.advance_line();
        let (name, params) = if self.at_modifiers()
            || matches!(self.peek_kind(), TokenKind::Action | TokenKind::Function)
        {
            self.skip_modifiers();
            self.advance();
            self.skip_async();
            let name = self.expect_ident("expected function name")?;
            (name, self.params()?)
        } else {
            (
                self.expect_ident("expected a name after 'external'")?,
                Vec::new(),
            )
        };
        if matches!(self.peek_kind(), TokenKind::Ident(w) if w == "from") && !self.peek().nl_before
        {
            self.advance();
            if !matches!(self.peek_kind(), TokenKind::Str(_)) {
                return Err(self.error_here("expected the module's name (a string) after 'from'"));
            }
            self.advance();
        }
        self.end_stmt()?;
        let message = ExprKind::Str(format!("External '{name}' not linked"));
        let raise = Stmt::new(line, StmtKind::Throw(Expr::new(line, message)));
        Ok(StmtKind::FuncDef {
            name,
            params,
            body: Block {
                stmts: vec![raise],
                line,
                end_line: line,
            },
        })
    }

    /// Skips the modifiers before a function definition.
    pub(super) fn skip_modifiers(&mut self) {
        while matches!(self.peek_kind(), TokenKind::Ident(w) if MODIFIERS.contains(&w.as_str())) {
            self.advance();
        }
    }

    /// A function's parameters: `(a, b: int, ...)`, or none at all when the name is followed
    /// directly by its block (`action f { }`, `action f: ...`) or a return type; then an
    /// optional `-> Type`.
    pub(super) fn params(&mut self) -> PResult<Vec<String>> {
        let mut params: Vec<String> = Vec::new();
        if self.eat(&TokenKind::LParen) {
            let mut seen = HashSet::new();
            while !self.check(&TokenKind::RParen) {
                let idx = self.pos;
                let param = self.expect_var_name("expected parameter name")?;
                if !seen.insert(param.clone()) {
                    let e = self.error_at(idx, "duplicate parameter name");
                    self.report(e);
                }
                params.push(param);
                if self.eat(&TokenKind::Colon) {
                    self.skip_type()?;
                }
                if self.check(&TokenKind::Assign) {
                    return Err(self.error_here("default parameter values are not supported"));
                }
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect(&TokenKind::RParen, "expected ')' after parameters")?;
        } else if !matches!(
            self.peek_kind(),
            TokenKind::LBrace | TokenKind::Colon | TokenKind::Arrow
        ) {
            return Err(self.error_here("expected '(' after function name"));
        }
        if self.eat(&TokenKind::Arrow) {
            self.skip_type()?;
        }
        Ok(params)
    }

    /// `type_alias Name = Type` (or `= {field: Type, ...}`): names a type for annotations,
    /// which are not checked, so it declares nothing (an empty block).
    pub(super) fn type_alias(&mut self) -> PResult<StmtKind> {
        let line = self.advance_line();
        self.advance();
        self.expect(&TokenKind::Assign, "expected '=' after type alias name")?;
        if self.check(&TokenKind::LBrace) {
            self.expression()?;
        } else {
            self.skip_type()?;
        }
        self.end_stmt()?;
        Ok(StmtKind::Block(Block {
            stmts: Vec::new(),
            line,
            end_line: line,
        }))
    }
}
