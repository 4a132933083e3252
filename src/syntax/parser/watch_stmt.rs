//! Parsing `watch { B }`, `watch x => { B }` and `watch x { B }`, where `x` is a variable or a
//! field path such as `order.status` (see `syntax/watch.rs`, which adds the reactions after
//! the file is parsed). `watch` is not reserved: it starts the statement only when followed
//! on its line by `{` or a name.

use super::{PResult, Parser};
use crate::syntax::ast::{Block, Expr, ExprKind, Stmt, StmtKind};
use crate::syntax::token::TokenKind;
use crate::syntax::watch::{self, Watch};

impl Parser<'_> {
    /// Whether a `watch` statement starts here.
    pub(super) fn at_watch(&self) -> bool {
        if !matches!(self.peek_kind(), TokenKind::Ident(w) if w == "watch") {
            return false;
        }
        let next = self.peek_next();
        !next.nl_before && matches!(next.kind, TokenKind::LBrace | TokenKind::Ident(_))
    }

    /// Parses the watch statement at the word `watch`: its function, with the statements that
    /// follow it (evaluating the watched expression or running the block once, and switching
    /// the watch on) queued after it.
    pub(super) fn watch_stmt(&mut self) -> PResult<StmtKind> {
        let at = self.pos;
        let line = self.advance_line();
        if self.depth != 0 {
            return Err(self.error_at(
                at,
                "watch is supported only at the top level of a file (not in a function or block)",
            ));
        }
        let watched = if self.check(&TokenKind::LBrace) {
            None
        } else {
            Some(self.watched_path(line)?)
        };
        let body = self.block("expected '{' before the watch's block")?;
        let deps = match &watched {
            Some(e) => watch::names_read(&Block {
                stmts: vec![Stmt::new(line, StmtKind::Expr(e.clone()))],
                line,
                end_line: line,
            }),
            None => watch::names_read(&body),
        };
        let w = Watch::new(self.watches.len() + 1, deps);
        match watched {
            Some(e) => {
                self.queued.push(Stmt::new(line, StmtKind::Expr(e)));
                self.queued.push(watch::switch_on(line, &w));
            }
            None => {
                self.queued.push(watch::call(line, &w));
                self.queued.push(watch::switch_on(line, &w));
            }
        }
        let func = watch::function(line, &w, body);
        self.watches.push(w);
        Ok(func)
    }

    /// What an explicit watch watches: a variable or a field path (`x`, `order.status`),
    /// followed by `=>` or directly by the block. (A general expression is not taken: `x =>
    /// { }` would read as a lambda.)
    fn watched_path(&mut self, line: u32) -> PResult<Expr> {
        const MESSAGE: &str = "watch takes a variable or a field, as in watch x => { ... }";
        let first = self.expect_ident(MESSAGE)?;
        let mut e = Expr::new(line, ExprKind::Name(first));
        while self.eat(&TokenKind::Dot) {
            let name = self.expect_ident(MESSAGE)?;
            e = Expr::new(
                line,
                ExprKind::Attr {
                    obj: Box::new(e),
                    name,
                },
            );
        }
        if !self.eat_match_arrow() && !self.check(&TokenKind::LBrace) {
            return Err(self.error_here("expected '=>' or '{' after the watched variable"));
        }
        Ok(e)
    }
}
