//! The module statements: `use`, `export`, `module Name { ... }` and `package a.b { ... }`.
//!
//! `use`, `export`, `module` and `package` are not reserved words: they start one of these
//! statements only when the tokens after them fit (`use "..."`, `use {`, `export name`,
//! `export action ...`, `module Name {`, `package a.b {`), so a variable may still be called
//! `module`.
//!
//! `package a.b.c { body }` is the original's spelling of nested module blocks:
//! `module a { module b { module c { body } } }`. A package whose first name was already
//! declared by an earlier `package` (`package app {}` then `package app.api {}`) would
//! replace it, so that is a compile error rather than a silent loss of its members.

use super::{PResult, Parser};
use crate::syntax::ast::{Block, Stmt, StmtKind, UseBinding};
use crate::syntax::token::TokenKind;

/// The module statement a token sequence starts.
pub(super) enum ModuleStmt {
    Use,
    Export,
    Module,
    Package,
}

/// The names a declaration statement declares (what `export <declaration>` exports).
pub(crate) fn declared_names(kind: &StmtKind) -> Vec<String> {
    match kind {
        StmtKind::Let { name, .. }
        | StmtKind::FuncDef { name, .. }
        | StmtKind::Module { name, .. } => vec![name.clone()],
        StmtKind::Class(c) => vec![c.name.clone()],
        StmtKind::Use {
            binding: UseBinding::Alias(name),
            ..
        } => vec![name.clone()],
        StmtKind::Use {
            binding: UseBinding::Names(names),
            ..
        } => names.clone(),
        _ => Vec::new(),
    }
}

impl Parser<'_> {
    /// Whether the current token (an identifier) starts a module statement, and which.
    pub(super) fn module_stmt_here(&self) -> Option<ModuleStmt> {
        let TokenKind::Ident(word) = self.peek_kind() else {
            return None;
        };
        let next = self.peek_next();
        if next.nl_before {
            return None;
        }
        match (word.as_str(), &next.kind) {
            ("use", TokenKind::Str(_) | TokenKind::LBrace | TokenKind::Ident(_)) => {
                Some(ModuleStmt::Use)
            }
            ("export", TokenKind::Ident(_) | TokenKind::LBrace) => Some(ModuleStmt::Export),
            ("export", k) if k.is_statement_keyword() => Some(ModuleStmt::Export),
            ("module", TokenKind::Ident(_)) => {
                let after = self.tokens.get(self.pos + 2).map(|t| &t.kind);
                matches!(after, Some(TokenKind::LBrace)).then_some(ModuleStmt::Module)
            }
            ("package", TokenKind::Ident(_)) => self.at_package().then_some(ModuleStmt::Package),
            _ => None,
        }
    }

    /// Parses the module statement `which` starting at the current token.
    pub(super) fn module_stmt(&mut self, which: ModuleStmt) -> PResult<StmtKind> {
        match which {
            ModuleStmt::Use => self.use_stmt(),
            ModuleStmt::Export => self.export_stmt(),
            ModuleStmt::Module => self.module_block(),
            ModuleStmt::Package => self.package_block(),
        }
    }

    /// `use "path"`, `use "path" as name`, `use { a, b } from "path"`.
    fn use_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        if self.eat(&TokenKind::LBrace) {
            let mut names = Vec::new();
            while !self.check(&TokenKind::RBrace) {
                names.push(self.expect_ident("expected a name to import")?);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect(&TokenKind::RBrace, "expected '}' after the imported names")?;
            if !matches!(self.peek_kind(), TokenKind::Ident(w) if w == "from") {
                return Err(self.error_here("expected 'from' after the imported names"));
            }
            self.advance();
            let path = self.module_path()?;
            self.end_stmt()?;
            return Ok(StmtKind::Use {
                path,
                binding: UseBinding::Names(names),
            });
        }
        let path = self.module_path()?;
        let binding = if matches!(self.peek_kind(), TokenKind::Ident(w) if w == "as")
            && !self.peek().nl_before
        {
            self.advance();
            UseBinding::Alias(self.expect_ident("expected a name after 'as'")?)
        } else {
            UseBinding::Exports
        };
        self.end_stmt()?;
        Ok(StmtKind::Use { path, binding })
    }

    /// The module path: a string literal.
    fn module_path(&mut self) -> PResult<String> {
        if let TokenKind::Str(path) = self.peek_kind() {
            let path = path.clone();
            self.advance();
            Ok(path)
        } else {
            Err(self.error_here("expected the module's path in quotes, as in use \"file.zx\""))
        }
    }

    /// `export a, b`, `export { a, b }`, or `export` before a declaration or a `use ... as m`
    /// (which is returned, with the `export` of its names queued after it).
    fn export_stmt(&mut self) -> PResult<StmtKind> {
        let line = self.peek().line;
        self.advance();
        let braced = self.eat(&TokenKind::LBrace);
        // `export use ...`, `export public action f ...`, `export contract C { ... }` and
        // `export var x = ...` export a declaration; any other word starts a list of names.
        let export_decl = matches!(self.module_stmt_here(), Some(ModuleStmt::Use))
            || self.at_modifiers()
            || self.class_kind_here().is_some()
            || (matches!(self.peek_kind(), TokenKind::Ident(w) if w == "var")
                && matches!(self.peek_next().kind, TokenKind::Ident(_)));
        if braced || (!export_decl && matches!(self.peek_kind(), TokenKind::Ident(_))) {
            let mut names = Vec::new();
            loop {
                if braced && self.check(&TokenKind::RBrace) {
                    break;
                }
                names.push(self.expect_ident("expected a name to export")?);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            if braced {
                self.expect(&TokenKind::RBrace, "expected '}' after the exported names")?;
            }
            self.end_stmt()?;
            return Ok(StmtKind::Export(names));
        }
        let at = self.pos;
        let decl = self.statement_kind()?;
        let names = declared_names(&decl);
        if names.is_empty() {
            return Err(self.error_at(at, "expected a declaration or a name after 'export'"));
        }
        self.queued.push(Stmt::new(line, StmtKind::Export(names)));
        Ok(decl)
    }

    /// `module Name { ... }`.
    fn module_block(&mut self) -> PResult<StmtKind> {
        self.advance();
        let name = self.expect_ident("expected the module's name")?;
        let saved_loops = std::mem::replace(&mut self.loop_depth, 0);
        let body = self.block("expected '{' after the module's name");
        self.loop_depth = saved_loops;
        Ok(StmtKind::Module { name, body: body? })
    }

    /// Whether `package` is followed by a dotted name and `{`.
    fn at_package(&self) -> bool {
        let mut i = self.pos + 1;
        loop {
            match self.tokens.get(i).map(|t| &t.kind) {
                Some(TokenKind::Ident(_)) => i += 1,
                _ => return false,
            }
            match self.tokens.get(i).map(|t| &t.kind) {
                Some(TokenKind::Dot) => i += 1,
                Some(TokenKind::LBrace) => return true,
                _ => return false,
            }
        }
    }

    /// `package a.b.c { ... }`: nested module blocks, one per name.
    fn package_block(&mut self) -> PResult<StmtKind> {
        let line = self.advance_line();
        let first = self.pos;
        let mut names = vec![self.expect_ident("expected the package's name")?];
        while self.eat(&TokenKind::Dot) {
            names.push(self.expect_ident("expected a name after '.'")?);
        }
        if let Some(&earlier) = self.package_roots.get(&names[0]) {
            if names.len() > 1 {
                return Err(self.error_at(
                    first,
                    &format!(
                        "package '{}' was declared at line {earlier}; adding to it with 'package {}' is not supported (declare the inner package inside it)",
                        names[0],
                        names.join(".")
                    ),
                ));
            }
        }
        self.package_roots.entry(names[0].clone()).or_insert(line);
        let saved_loops = std::mem::replace(&mut self.loop_depth, 0);
        let body = self.block("expected '{' after the package's name");
        self.loop_depth = saved_loops;
        let body = body?;
        let (open, close) = (body.line, body.end_line);
        let mut names = names.into_iter().rev();
        let innermost = names.next().expect("a package has a name");
        let mut kind = StmtKind::Module {
            name: innermost,
            body,
        };
        for name in names {
            let body = Block {
                stmts: vec![Stmt::new(line, kind)],
                line: open,
                end_line: close,
            };
            kind = StmtKind::Module { name, body };
        }
        Ok(kind)
    }
}
