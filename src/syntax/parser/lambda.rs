//! Function values written in expressions, in every spelling the original accepts:
//!
//! - `lambda x: e`, `lambda x, y: e`, `lambda: e`, `lambda(x): e`, `lambda(x) => e`,
//!   `lambda(x) -> e`, `lambda(x) { statements }`;
//! - `(x, y) => e`, `() => e`, `x => e`, and `=> { statements }` for a body of statements;
//! - `function(a, b) { ... }` and `action(a) { ... }` (parameters as for a declared function).
//!
//! Each becomes an [`ExprKind::Function`] whose body returns the expression.

use super::expr::Node;
use super::{PResult, Parser};
use crate::syntax::ast::{Block, Expr, ExprKind, FuncLit, Stmt, StmtKind};
use crate::syntax::token::TokenKind;

impl Parser<'_> {
    /// Whether a function value starts at the current token.
    pub(super) fn at_function_literal(&self) -> bool {
        match self.peek_kind() {
            TokenKind::Ident(w) if w == "lambda" => matches!(
                self.peek_next().kind,
                TokenKind::LParen | TokenKind::Colon | TokenKind::Ident(_)
            ),
            TokenKind::Ident(_) => self.peek_next().kind == TokenKind::FatArrow,
            TokenKind::LParen => self.arrow_after_parens(),
            TokenKind::Function | TokenKind::Action => self.peek_next().kind == TokenKind::LParen,
            _ => false,
        }
    }

    /// At `(`: whether the matching `)` is followed by `=>`.
    fn arrow_after_parens(&self) -> bool {
        let mut depth = 0usize;
        for (i, t) in self.tokens.iter().enumerate().skip(self.pos) {
            match t.kind {
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    depth -= 1;
                    if depth == 0 {
                        return self
                            .tokens
                            .get(i + 1)
                            .is_some_and(|n| n.kind == TokenKind::FatArrow);
                    }
                }
                TokenKind::Eof | TokenKind::Semicolon => return false,
                _ => {}
            }
        }
        false
    }

    /// Parses the function value at the current token (see [`at_function_literal`]).
    pub(super) fn function_literal(&mut self) -> PResult<Node> {
        let line = self.peek().line;
        let saved_loops = std::mem::replace(&mut self.loop_depth, 0);
        let r = self.function_literal_inner(line);
        self.loop_depth = saved_loops;
        r
    }

    fn function_literal_inner(&mut self, line: u32) -> PResult<Node> {
        match self.peek_kind().clone() {
            TokenKind::Function | TokenKind::Action => {
                self.advance();
                let params = self.params()?;
                let body = self.literal_block()?;
                Ok(lit(line, params, body, 1))
            }
            TokenKind::Ident(w) if w == "lambda" => {
                self.advance();
                let params = if self.check(&TokenKind::LParen) {
                    self.paren_params()?
                } else {
                    let mut ps = Vec::new();
                    while let TokenKind::Ident(p) = self.peek_kind().clone() {
                        self.advance();
                        ps.push(p);
                        if !self.eat(&TokenKind::Comma) {
                            break;
                        }
                    }
                    ps
                };
                // `lambda(x) { statements }` (the original's programs use it).
                if self.check(&TokenKind::LBrace) && !self.brace_opens_map() {
                    let body = self.literal_block()?;
                    return Ok(lit(line, params, body, 1));
                }
                if !(self.eat(&TokenKind::Colon)
                    || self.eat(&TokenKind::FatArrow)
                    || self.eat(&TokenKind::Arrow))
                {
                    return Err(self.error_here("expected ':' or '=>' after lambda parameters"));
                }
                self.arrow_body(line, params)
            }
            TokenKind::Ident(p) => {
                self.advance();
                self.expect(&TokenKind::FatArrow, "expected '=>'")?;
                self.arrow_body(line, vec![p])
            }
            _ => {
                let params = self.paren_params()?;
                self.expect(&TokenKind::FatArrow, "expected '=>'")?;
                self.arrow_body(line, params)
            }
        }
    }

    /// `(a, b: type, ...)`: parameter names (types are skipped).
    fn paren_params(&mut self) -> PResult<Vec<String>> {
        let open = self.paren_depth;
        self.paren_depth += 1;
        let params = self.paren_params_inner();
        self.paren_depth = open;
        params
    }

    fn paren_params_inner(&mut self) -> PResult<Vec<String>> {
        self.expect(&TokenKind::LParen, "expected '('")?;
        let mut params: Vec<String> = Vec::new();
        while !self.check(&TokenKind::RParen) {
            let idx = self.pos;
            let p = self.expect_ident("expected parameter name")?;
            if params.contains(&p) {
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

    /// After `=>` (or `:`): `{ statements }` when the brace does not open a map, else one
    /// expression whose value the function returns.
    fn arrow_body(&mut self, line: u32, params: Vec<String>) -> PResult<Node> {
        if self.check(&TokenKind::LBrace) && !self.brace_opens_map() {
            let body = self.literal_block()?;
            return Ok(lit(line, params, body, 1));
        }
        let (e, h) = self.expr_bp(0)?;
        let end = e.line;
        let body = Block {
            stmts: vec![Stmt::new(e.line, StmtKind::Return(Some(e)))],
            line,
            end_line: end,
        };
        Ok(lit(line, params, body, h + 1))
    }

    /// At `{`: whether it opens a map literal (`{}`, `{k: v}`, `{"k": v}`).
    fn brace_opens_map(&self) -> bool {
        let next = self.peek_next();
        match next.kind {
            TokenKind::RBrace => true,
            TokenKind::Str(_) | TokenKind::Ident(_) => self
                .tokens
                .get(self.pos + 2)
                .is_some_and(|t| t.kind == TokenKind::Colon),
            _ => false,
        }
    }

    /// A function literal's `{ }` block, inside whatever brackets are open around it.
    fn literal_block(&mut self) -> PResult<Block> {
        let open = self.paren_depth;
        let body = self.block("expected '{' before function body");
        self.paren_depth = open;
        body
    }
}

fn lit(line: u32, params: Vec<String>, body: Block, height: u32) -> Node {
    let f = FuncLit { params, body };
    (Expr::new(line, ExprKind::Function(Box::new(f))), height)
}
