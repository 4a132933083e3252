//! Statement parsing, statement lists with error recovery, and blocks.

use super::{PResult, Parser};
use crate::syntax::ast::{AssignTarget, BinOp, Block, Expr, ExprKind, Stmt, StmtKind};
use crate::syntax::token::TokenKind;

/// The operator of an assignment token: `Some(None)` for `=`, `Some(Some(op))` for `op=`.
fn assign_op(kind: &TokenKind) -> Option<Option<BinOp>> {
    Some(match kind {
        TokenKind::Assign => None,
        TokenKind::PlusEq => Some(BinOp::Add),
        TokenKind::MinusEq => Some(BinOp::Sub),
        TokenKind::StarEq => Some(BinOp::Mul),
        TokenKind::SlashEq => Some(BinOp::Div),
        TokenKind::PercentEq => Some(BinOp::Mod),
        TokenKind::StarStarEq => Some(BinOp::Pow),
        TokenKind::AmpEq => Some(BinOp::BitAnd),
        TokenKind::PipeEq => Some(BinOp::BitOr),
        TokenKind::CaretEq => Some(BinOp::BitXor),
        TokenKind::ShlEq => Some(BinOp::Shl),
        TokenKind::ShrEq => Some(BinOp::Shr),
        _ => return None,
    })
}

impl Parser<'_> {
    /// Parses the whole token list as a program.
    pub(crate) fn program(&mut self) -> Vec<Stmt> {
        self.stmt_list(false)
    }

    /// Parses statements up to end of input (or a `}` when `in_block`), recovering from errors.
    pub(super) fn stmt_list(&mut self, in_block: bool) -> Vec<Stmt> {
        let mut stmts = Vec::new();
        while !self.abort {
            match self.peek_kind() {
                TokenKind::Eof => break,
                TokenKind::RBrace if in_block => break,
                TokenKind::Semicolon => {
                    self.advance();
                    continue;
                }
                _ => {}
            }
            if self.dedented() {
                break;
            }
            let start = self.pos;
            self.paren_depth = 0;
            match self.statement() {
                Ok(stmt) => {
                    stmts.push(stmt);
                    stmts.append(&mut self.queued);
                }
                Err(e) => {
                    self.report(e);
                    if self.abort {
                        break;
                    }
                    self.queued.clear();
                    self.synchronize();
                    if self.pos == start {
                        self.advance();
                    }
                }
            }
        }
        stmts
    }

    /// Parses `{ statements }` or an indented block after `:` (see `blocks.rs`); `message` is
    /// the error when neither starts here.
    pub(super) fn block(&mut self, message: &str) -> PResult<Block> {
        if self.check(&TokenKind::Colon) {
            return self.colon_block();
        }
        if !self.check(&TokenKind::LBrace) {
            return Err(self.error_here(message));
        }
        self.enter_block("blocks nested too deeply")?;
        let line = self.advance_line();
        let saved_floor = self.indent_floor.take();
        let stmts = self.stmt_list(true);
        self.indent_floor = saved_floor;
        self.last_block_indented = false;
        self.leave_block();
        let close = self.expect(&TokenKind::RBrace, "expected '}' after block")?;
        Ok(Block {
            stmts,
            line,
            end_line: self.line_of(close),
        })
    }

    /// Parses a block with one more enclosing loop.
    fn loop_body(&mut self, message: &str) -> PResult<Block> {
        self.loop_depth += 1;
        let body = self.block(message);
        self.loop_depth -= 1;
        body
    }

    /// Ends a simple statement: a `;` is consumed; a `}`, end of input or a line break also
    /// end it.
    pub(super) fn end_stmt(&mut self) -> PResult<()> {
        if self.eat(&TokenKind::Semicolon) || self.at_stmt_end() {
            Ok(())
        } else {
            Err(self.error_here("expected ';' or newline after statement"))
        }
    }

    pub(super) fn statement(&mut self) -> PResult<Stmt> {
        let (line, col) = (self.peek().line, self.peek().col);
        let kind = self.statement_kind()?;
        Ok(Stmt::at(line, col, kind))
    }

    /// Dispatches on the statement's first token (kept small: it is on the recursion path of
    /// nested blocks).
    pub(super) fn statement_kind(&mut self) -> PResult<StmtKind> {
        match self.peek_kind() {
            TokenKind::Ident(_) if self.class_kind_here().is_some() => {
                let kind = self.class_kind_here().expect("checked");
                self.class_decl(kind)
            }
            TokenKind::Let => self.let_stmt(false),
            TokenKind::Const => self.let_stmt(true),
            TokenKind::If => self.if_stmt(),
            TokenKind::While => self.while_stmt(),
            TokenKind::For => self.for_stmt(),
            TokenKind::Action | TokenKind::Function => self.func_def(),
            TokenKind::Ident(_) if self.at_modifiers() => self.func_def(),
            TokenKind::Ident(_) if self.at_enum_or_protocol() => self.enum_or_protocol(),
            TokenKind::Ident(w)
                if w == "type_alias" && matches!(self.peek_next().kind, TokenKind::Ident(_)) =>
            {
                self.type_alias()
            }
            // `var x = e` is the original's synonym of `let` (`var` stays usable as a name).
            TokenKind::Ident(w)
                if w == "var" && matches!(self.peek_next().kind, TokenKind::Ident(_)) =>
            {
                self.let_stmt(false)
            }
            TokenKind::Return => self.return_stmt(),
            TokenKind::Break | TokenKind::Continue => self.break_continue(),
            TokenKind::Print => self.print_stmt(),
            TokenKind::LBrace => self.block("expected '{'").map(StmtKind::Block),
            TokenKind::Elif | TokenKind::Else => {
                Err(self.error_here("'elif' or 'else' without a matching 'if'"))
            }
            TokenKind::Ident(_) if self.at_raise_stmt() => self.raise_stmt(),
            TokenKind::Ident(_) if self.at_debug_stmt() => self.debug_stmt(),
            TokenKind::Ident(_) if self.at_seal() => self.seal_stmt(),
            TokenKind::Ident(_) if self.at_external() => self.external_decl(),
            TokenKind::Ident(_) if self.at_watch() => self.watch_stmt(),
            TokenKind::Ident(_) if self.at_match() && self.match_has_statement_arm() => {
                self.match_stmt()
            }
            TokenKind::Ident(_) => match self.module_stmt_here() {
                Some(which) => self.module_stmt(which),
                None => self.expr_stmt(),
            },
            _ => self.expr_stmt(),
        }
    }

    /// `while cond {}`.
    fn while_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let cond = self.expression()?;
        let body = self.loop_body("expected '{' after while condition")?;
        Ok(StmtKind::While { cond, body })
    }

    /// `return` or `return value`.
    fn return_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let value = if self.at_stmt_end() {
            None
        } else {
            Some(self.expression()?)
        };
        self.end_stmt()?;
        Ok(StmtKind::Return(value))
    }

    /// `break` or `continue` (reported, but still parsed, outside a loop).
    fn break_continue(&mut self) -> PResult<StmtKind> {
        let is_break = self.check(&TokenKind::Break);
        let idx = self.advance();
        if !is_break && self.loop_depth == 0 && self.depth == 0 {
            // At the program's top level: the original's "continue on error" mode.
            self.end_stmt()?;
            return Ok(StmtKind::ContinueOnError);
        }
        if self.loop_depth == 0 {
            let what = if is_break { "break" } else { "continue" };
            let e = self.error_at(idx, &format!("'{what}' outside a loop"));
            self.report(e);
        }
        self.end_stmt()?;
        Ok(if is_break {
            StmtKind::Break
        } else {
            StmtKind::Continue
        })
    }

    /// `let name [= value]` / `const name = value`.
    fn let_stmt(&mut self, is_const: bool) -> PResult<StmtKind> {
        let kw_line = self.advance_line();
        let what = if is_const { "constant" } else { "variable" };
        let name = self.expect_var_name(&format!("expected {what} name"))?;
        let colon_value = if self.check(&TokenKind::Colon) {
            self.let_annotation()?
        } else {
            None
        };
        let value = if let Some(v) = colon_value {
            v
        } else if self.eat(&TokenKind::Assign) {
            self.expression()?
        } else if !is_const && self.at_stmt_end() {
            Expr::new(kw_line, ExprKind::Null)
        } else {
            return Err(self.error_here(&format!("expected '=' after {what} name")));
        };
        self.end_stmt()?;
        Ok(StmtKind::Let {
            name,
            value,
            is_const,
        })
    }

    /// `if c {} (elif c {} | else if c {})* [else {}]`.
    fn if_stmt(&mut self) -> PResult<StmtKind> {
        let if_idx = self.advance();
        let mut branches = Vec::new();
        let mut message = "expected '{' after if condition";
        loop {
            branches.push(self.cond_block(message)?);
            if !self.continues_if(if_idx, self.last_block_indented) {
                break;
            }
            if self.eat(&TokenKind::Elif) {
                message = "expected '{' after elif condition";
            } else if self.check(&TokenKind::Else) && self.peek_next().kind == TokenKind::If {
                self.advance();
                self.advance();
                message = "expected '{' after if condition";
            } else {
                break;
            }
        }
        let colon = self.last_block_indented;
        let else_block = if self.continues_if(if_idx, colon) && self.eat(&TokenKind::Else) {
            Some(self.block("expected '{' after 'else'")?)
        } else {
            None
        };
        Ok(StmtKind::If {
            branches,
            else_block,
        })
    }

    /// A condition followed by a block.
    fn cond_block(&mut self, message: &str) -> PResult<(Expr, Block)> {
        let cond = self.expression()?;
        let block = self.block(message)?;
        Ok((cond, block))
    }

    /// `for each x in e {}` / `for each i, x in e {}`; also `for (let x in e) {}` and
    /// `for (x in e) {}`, the same loop.
    fn for_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        if self.check(&TokenKind::LParen) && self.at_paren_for_in() {
            self.advance();
            if matches!(self.peek_kind(), TokenKind::Let | TokenKind::Const)
                || matches!(self.peek_kind(), TokenKind::Ident(w) if w == "var")
            {
                self.advance();
            }
            let var = self.expect_ident("expected loop variable name")?;
            self.expect(&TokenKind::In, "expected 'in' after loop variable")?;
            let iterable = self.expression()?;
            self.expect(
                &TokenKind::RParen,
                "expected ')' after the for loop's iterable",
            )?;
            let body = self.loop_body("expected '{' after for-each iterable")?;
            return Ok(StmtKind::ForEach {
                index_var: None,
                var,
                iterable,
                body,
            });
        }
        // `for x in xs` (without `each`) is the same loop, as in the original.
        if !(matches!(self.peek_kind(), TokenKind::Ident(_))
            && matches!(self.peek_next().kind, TokenKind::In | TokenKind::Comma))
        {
            self.expect(&TokenKind::Each, "expected 'each' after 'for'")?;
        }
        let first = self.expect_var_name("expected loop variable name")?;
        let (index_var, var) = if self.eat(&TokenKind::Comma) {
            let second_idx = self.pos;
            let second = self.expect_ident("expected second loop variable name")?;
            if second == first {
                let e = self.error_at(second_idx, "duplicate loop variable name");
                self.report(e);
            }
            (Some(first), second)
        } else {
            (None, first)
        };
        self.expect(&TokenKind::In, "expected 'in' after loop variable")?;
        let iterable = self.expression()?;
        let body = self.loop_body("expected '{' after for-each iterable")?;
        Ok(StmtKind::ForEach {
            index_var,
            var,
            iterable,
            body,
        })
    }

    /// At `(` after `for`: whether `let x in`, `const x in`, `var x in` or `x in` follows.
    fn at_paren_for_in(&self) -> bool {
        let kind = |i: usize| &self.tokens[(self.pos + i).min(self.tokens.len() - 1)].kind;
        let declares = matches!(kind(1), TokenKind::Let | TokenKind::Const)
            || matches!(kind(1), TokenKind::Ident(w) if w == "var");
        let at = if declares { 2 } else { 1 };
        matches!(kind(at), TokenKind::Ident(_)) && *kind(at + 1) == TokenKind::In
    }

    /// `[modifiers] action name(params) [-> Type] {}` / `function ...` (see `decl.rs`).
    fn func_def(&mut self) -> PResult<StmtKind> {
        self.skip_modifiers();
        self.advance();
        self.skip_async();
        let name = self.expect_ident("expected function name")?;
        let params = self.params()?;
        let saved_loops = std::mem::replace(&mut self.loop_depth, 0);
        let body = if self.at_eof() {
            // `action f()` as the last line of a file: an empty function (the original
            // accepts it).
            let line = self.peek().line;
            Ok(Block {
                stmts: Vec::new(),
                line,
                end_line: line,
            })
        } else {
            self.block("expected '{' before function body")
        };
        self.loop_depth = saved_loops;
        Ok(StmtKind::FuncDef {
            name,
            params,
            body: body?,
        })
    }

    /// `print`, `print e, ...`, `print(e, ...)`. A parenthesised single argument followed by
    /// an operator (`print (a) + b`) is an ordinary expression.
    fn print_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let mut args = Vec::new();
        if self.at_stmt_end() {
            // bare `print`: an empty line
        } else if self.check(&TokenKind::LParen) {
            let (mut list, height) = self.arguments()?;
            if list.len() == 1 && self.continues_expression() {
                let first = (list.remove(0), height);
                let e = self.postfix(first)?;
                let e = self.infix_loop(e, 0)?;
                list.push(e.0);
            }
            args = list;
        } else {
            self.split_print_before_call();
            loop {
                args.push(self.expression()?);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        self.end_stmt()?;
        Ok(StmtKind::Print(args))
    }

    /// An expression statement or an assignment.
    fn expr_stmt(&mut self) -> PResult<StmtKind> {
        let expr = self.expression()?;
        let Some(op) = assign_op(self.peek_kind()) else {
            self.end_stmt()?;
            return Ok(StmtKind::Expr(expr));
        };
        let eq_idx = self.advance();
        let target = match expr.kind {
            ExprKind::Name(name) => AssignTarget::Name(name),
            ExprKind::Index { obj, index } => AssignTarget::Index {
                obj: *obj,
                index: *index,
            },
            ExprKind::Attr { obj, name } => AssignTarget::Attr { obj: *obj, name },
            _ => return Err(self.error_at(eq_idx, "invalid assignment target")),
        };
        let value = self.expression()?;
        self.end_stmt()?;
        Ok(StmtKind::Assign { target, op, value })
    }
}
