//! Expression parsing: a Pratt parser with binding powers.
//!
//! Precedence, lowest to highest: `?:` (right-assoc), `??`, `|| or`, `&& and`, `== !=`,
//! `< > <= >= in`, `|`, `^`, `&`, `<< >>` (the bitwise operators sit as in Python and Lua 5.4:
//! `a & 1 == 0` is `(a & 1) == 0`), `+ -`, `* / %`, prefix `- ! not ~`, `**` (right-assoc, and
//! tighter than a prefix operator on its left: `-2 ** 2` is `-(2 ** 2)`), postfix call / index /
//! method call.
//!
//! Every parse function returns the expression with its tree height, which is bounded by
//! `MAX_EXPR_HEIGHT` so that no later recursive walk (or drop) of the tree can overflow.

use super::{PResult, Parser};
use crate::syntax::ast::{BinOp, Expr, ExprKind, LogicalOp, UnaryOp, MAX_EXPR_HEIGHT};
use crate::syntax::token::{Token, TokenKind};

/// An expression and the height of its tree.
pub(super) type Node = (Expr, u32);

/// Binding power of a prefix operator's operand: only `**` and postfix bind tighter.
const PREFIX_BP: u8 = 23;
/// Left binding power of the ternary `?`.
const TERNARY_BP: u8 = 1;

enum Infix {
    Ternary,
    Logical(LogicalOp),
    Binary(BinOp),
    /// `item in container`: a call of the builtin named `in` (a keyword, so no program can
    /// declare or shadow it).
    In,
}

/// The infix operator a token stands for, with its left and right binding powers.
fn infix_op(kind: &TokenKind) -> Option<(Infix, u8, u8)> {
    use TokenKind as T;
    Some(match kind {
        T::Question => (Infix::Ternary, TERNARY_BP, TERNARY_BP),
        // `??` binds looser than `||` and tighter than `?:` (the original's NULLISH_PREC).
        T::QuestionQuestion => (Infix::Logical(LogicalOp::Nullish), 2, 3),
        T::OrOr | T::Or => (Infix::Logical(LogicalOp::Or), 3, 4),
        T::AndAnd | T::And => (Infix::Logical(LogicalOp::And), 5, 6),
        T::EqEq => (Infix::Binary(BinOp::Eq), 7, 8),
        T::BangEq => (Infix::Binary(BinOp::Neq), 7, 8),
        T::Lt => (Infix::Binary(BinOp::Lt), 9, 10),
        T::Gt => (Infix::Binary(BinOp::Gt), 9, 10),
        T::LtEq => (Infix::Binary(BinOp::Lte), 9, 10),
        T::GtEq => (Infix::Binary(BinOp::Gte), 9, 10),
        T::In => (Infix::In, 9, 10),
        T::Pipe => (Infix::Binary(BinOp::BitOr), 11, 12),
        T::Caret => (Infix::Binary(BinOp::BitXor), 13, 14),
        T::Amp => (Infix::Binary(BinOp::BitAnd), 15, 16),
        T::Shl => (Infix::Binary(BinOp::Shl), 17, 18),
        T::Shr => (Infix::Binary(BinOp::Shr), 17, 18),
        T::Plus => (Infix::Binary(BinOp::Add), 19, 20),
        T::Minus => (Infix::Binary(BinOp::Sub), 19, 20),
        T::Star => (Infix::Binary(BinOp::Mul), 21, 22),
        T::Slash => (Infix::Binary(BinOp::Div), 21, 22),
        T::Percent => (Infix::Binary(BinOp::Mod), 21, 22),
        T::StarStar => (Infix::Binary(BinOp::Pow), 25, 24),
        _ => return None,
    })
}

fn boxed(e: Expr) -> Box<Expr> {
    Box::new(e)
}

/// What brackets after an operand hold.
enum Bracket {
    /// `[index]`.
    Index(Expr),
    /// `[lo:hi]`: the arguments of the `slice` method.
    Slice(Vec<Expr>),
}

impl Parser<'_> {
    /// Parses a full expression.
    pub(super) fn expression(&mut self) -> PResult<Expr> {
        Ok(self.expr_bp(0)?.0)
    }

    /// Parses an expression whose operators all bind at least as tightly as `min_bp`.
    ///
    /// This and the functions it calls recursively are kept small, each with few
    /// temporaries, so that unoptimised builds use little stack per nesting level.
    pub(super) fn expr_bp(&mut self, min_bp: u8) -> PResult<Node> {
        self.enter("expression nested too deeply")?;
        let result = self.prefix_then_infix(min_bp);
        self.leave();
        result
    }

    fn prefix_then_infix(&mut self, min_bp: u8) -> PResult<Node> {
        let lhs = self.prefix()?;
        self.infix_loop(lhs, min_bp)
    }

    /// Whether `tok` continues the expression before it as a postfix `(`, `[` or `.`.
    fn is_postfix_start(&self, tok: &Token) -> bool {
        match tok.kind {
            TokenKind::Dot => true,
            TokenKind::LParen | TokenKind::LBracket => !(tok.nl_before && self.newlines_matter()),
            _ => false,
        }
    }

    /// Whether `tok` is an infix operator here (a `-` at the start of a line is not: it begins
    /// a new statement).
    fn infix_here(&self, tok: &Token) -> Option<(Infix, u8, u8)> {
        if tok.kind == TokenKind::Minus && tok.nl_before && self.newlines_matter() {
            return None;
        }
        infix_op(&tok.kind)
    }

    /// Whether the current token continues an already parsed operand (postfix or infix).
    pub(super) fn continues_expression(&self) -> bool {
        let tok = self.peek();
        self.is_postfix_start(tok) || self.infix_here(tok).is_some()
    }

    pub(super) fn check_height(&self, height: u32) -> PResult<u32> {
        if height > MAX_EXPR_HEIGHT {
            Err(self.error_here("expression too complex"))
        } else {
            Ok(height)
        }
    }

    /// Applies infix operators binding at least as tightly as `min_bp` to `lhs`.
    pub(super) fn infix_loop(&mut self, mut lhs: Node, min_bp: u8) -> PResult<Node> {
        loop {
            match self.infix_here(self.peek()) {
                Some((op, lbp, rbp)) if lbp >= min_bp => lhs = self.infix_rest(lhs, op, rbp)?,
                _ => return Ok(lhs),
            }
        }
    }

    /// Parses the operator at the current token and its right side, combining with `lhs`.
    fn infix_rest(&mut self, lhs: Node, op: Infix, rbp: u8) -> PResult<Node> {
        let at = self.advance_pos();
        let (line, col) = at;
        match op {
            Infix::Ternary => self.ternary_rest(lhs, at, rbp),
            Infix::Logical(op) => {
                self.binary_rest(lhs, at, rbp, |lhs, rhs| ExprKind::Logical { op, lhs, rhs })
            }
            Infix::Binary(op) => {
                self.binary_rest(lhs, at, rbp, |lhs, rhs| ExprKind::Binary { op, lhs, rhs })
            }
            Infix::In => self.binary_rest(lhs, at, rbp, |item, container| ExprKind::Call {
                callee: boxed(Expr::at(line, col, ExprKind::Name("in".into()))),
                args: vec![*item, *container],
            }),
        }
    }

    /// Parses the right operand of a binary operator and builds the node with `make`.
    fn binary_rest(
        &mut self,
        lhs: Node,
        (line, col): (u32, u32),
        rbp: u8,
        make: impl FnOnce(Box<Expr>, Box<Expr>) -> ExprKind,
    ) -> PResult<Node> {
        let (rhs, h) = self.expr_bp(rbp)?;
        let height = self.check_height(lhs.1.max(h) + 1)?;
        let kind = make(boxed(lhs.0), boxed(rhs));
        Ok((Expr::at(line, col, kind), height))
    }

    /// Parses `then : else` after a `?`.
    fn ternary_rest(&mut self, cond: Node, (line, col): (u32, u32), rbp: u8) -> PResult<Node> {
        let (then, h1) = self.expr_bp(0)?;
        self.expect(&TokenKind::Colon, "expected ':' in conditional expression")?;
        let (else_, h2) = self.expr_bp(rbp)?;
        let height = self.check_height(cond.1.max(h1).max(h2) + 1)?;
        let kind = ExprKind::Ternary {
            cond: boxed(cond.0),
            then: boxed(then),
            else_: boxed(else_),
        };
        Ok((Expr::at(line, col, kind), height))
    }

    /// `if c then a else b` (the original's conditional expression), at `if`: the ternary
    /// `c ? a : b`. The `else` branch extends as far as it can, so `else if` chains.
    fn if_then_else(&mut self) -> PResult<Node> {
        let (line, col) = self.advance_pos();
        let (cond, h0) = self.expr_bp(0)?;
        if !matches!(self.peek_kind(), TokenKind::Ident(w) if w == "then") {
            return Err(self.error_here("expected 'then' after the condition of an if expression"));
        }
        self.advance();
        let (then, h1) = self.expr_bp(0)?;
        self.expect(&TokenKind::Else, "expected 'else' in an if expression")?;
        let (else_, h2) = self.expr_bp(0)?;
        let height = self.check_height(h0.max(h1).max(h2) + 1)?;
        let kind = ExprKind::Ternary {
            cond: boxed(cond),
            then: boxed(then),
            else_: boxed(else_),
        };
        Ok((Expr::at(line, col, kind), height))
    }

    /// Parses a prefix-operator expression or a primary with its postfix operators.
    fn prefix(&mut self) -> PResult<Node> {
        match self.peek_kind() {
            TokenKind::Minus | TokenKind::Bang | TokenKind::Not | TokenKind::Tilde => self.unary(),
            TokenKind::Ident(w) if w == "await" && self.starts_operand(self.peek_next()) => {
                // `await e` is `e`: as in the original's VM, an `async` function's call
                // returns its result directly.
                self.advance();
                self.expr_bp(PREFIX_BP)
            }
            TokenKind::If => self.if_then_else(),
            TokenKind::Ident(_) if self.at_sanitize() => self.sanitize_expr(),
            TokenKind::Ident(_) if self.at_match() => {
                let m = self.match_expr()?;
                self.postfix(m)
            }
            _ => self.primary_postfix(),
        }
    }

    /// Whether `tok`, on the same line, can begin an operand.
    pub(super) fn starts_operand(&self, tok: &Token) -> bool {
        !tok.nl_before
            && matches!(
                tok.kind,
                TokenKind::Ident(_)
                    | TokenKind::Int(_)
                    | TokenKind::Float(_)
                    | TokenKind::Str(_)
                    | TokenKind::InterpStr(_)
                    | TokenKind::True
                    | TokenKind::False
                    | TokenKind::Null
                    | TokenKind::LParen
                    | TokenKind::LBracket
                    | TokenKind::Bang
                    | TokenKind::Not
                    | TokenKind::Tilde
            )
    }

    fn primary_postfix(&mut self) -> PResult<Node> {
        let primary = self.primary()?;
        self.postfix(primary)
    }

    /// Parses `-e`, `!e` or `not e` at the current operator.
    fn unary(&mut self) -> PResult<Node> {
        let op = match self.peek_kind() {
            TokenKind::Minus => UnaryOp::Neg,
            TokenKind::Tilde => UnaryOp::BitNot,
            _ => UnaryOp::Not,
        };
        let (line, col) = self.advance_pos();
        if op == UnaryOp::Neg {
            if let Some(mut e) = self.int_min_literal(line) {
                e.col = col;
                return Ok((e, 1));
            }
        }
        let (operand, h) = self.expr_bp(PREFIX_BP)?;
        let height = self.check_height(h + 1)?;
        let kind = ExprKind::Unary {
            op,
            expr: boxed(operand),
        };
        Ok((Expr::at(line, col, kind), height))
    }

    /// After a unary `-`: the literal `9223372036854775808` standing alone (not followed by
    /// `**` or a postfix operator) is `i64::MIN`.
    fn int_min_literal(&mut self, line: u32) -> Option<Expr> {
        const MIN_ABS: u64 = 1 << 63;
        if self.peek_kind() != &TokenKind::Int(MIN_ABS) {
            return None;
        }
        let next = self.peek_next();
        if next.kind == TokenKind::StarStar || self.is_postfix_start(next) {
            return None;
        }
        self.advance();
        Some(Expr::new(line, ExprKind::Int(i64::MIN)))
    }

    /// Applies postfix calls, indexing and method calls to `lhs`.
    pub(super) fn postfix(&mut self, mut lhs: Node) -> PResult<Node> {
        while self.is_postfix_start(self.peek()) {
            lhs = self.postfix_step(lhs)?;
        }
        Ok(lhs)
    }

    /// Applies one postfix operator (at the current token) to `lhs`.
    fn postfix_step(&mut self, lhs: Node) -> PResult<Node> {
        let (line, col) = (self.peek().line, self.peek().col);
        let (kind, h) = match self.peek_kind() {
            TokenKind::LParen => {
                let (args, h) = self.arguments()?;
                let callee = boxed(lhs.0);
                (ExprKind::Call { callee, args }, h)
            }
            TokenKind::LBracket => match self.index_suffix(line, col)? {
                (Bracket::Index(index), h) => {
                    let (obj, index) = (boxed(lhs.0), boxed(index));
                    (ExprKind::Index { obj, index }, h)
                }
                (Bracket::Slice(args), h) => {
                    let obj = boxed(lhs.0);
                    let name = "slice".to_string();
                    (ExprKind::MethodCall { obj, name, args }, h)
                }
            },
            _ => match self.method_suffix()? {
                (name, Some(args), h) => {
                    let obj = boxed(lhs.0);
                    (ExprKind::MethodCall { obj, name, args }, h)
                }
                (name, None, _) => (
                    ExprKind::Attr {
                        obj: boxed(lhs.0),
                        name,
                    },
                    0,
                ),
            },
        };
        let height = self.check_height(lhs.1.max(h) + 1)?;
        Ok((Expr::at(line, col, kind), height))
    }

    /// Parses `[ index ]`, or a slice `[lo:hi]`, `[lo:]`, `[:hi]`, `[:]` (the `[` at `line`,
    /// `col`), which is the method call `.slice(lo, hi)` (`lo` 0 when left out): part of a list
    /// or string, negative bounds counting from the end, as in the original's VM.
    fn index_suffix(&mut self, line: u32, col: u32) -> PResult<(Bracket, u32)> {
        self.advance();
        self.paren_depth += 1;
        let lo = if self.check(&TokenKind::Colon) {
            None
        } else {
            Some(self.expr_bp(0)?)
        };
        let result = match lo {
            Some((index, h)) if !self.eat(&TokenKind::Colon) => (Bracket::Index(index), h),
            lo => {
                self.eat(&TokenKind::Colon);
                let (lo, h0) = lo.unwrap_or((Expr::at(line, col, ExprKind::Int(0)), 1));
                let mut args = vec![lo];
                let mut h = h0;
                if !self.check(&TokenKind::RBracket) {
                    let (hi, h1) = self.expr_bp(0)?;
                    args.push(hi);
                    h = h.max(h1);
                }
                (Bracket::Slice(args), h)
            }
        };
        self.expect(&TokenKind::RBracket, "expected ']' after index")?;
        self.paren_depth -= 1;
        Ok(result)
    }

    /// Parses `. name ( args )` (the arguments are `None` for a property, `. name` with no
    /// call). A call's `(` must be on the same line as the name, as for any call.
    fn method_suffix(&mut self) -> PResult<(String, Option<Vec<Expr>>, u32)> {
        self.advance();
        let name = self.member_name()?;
        if !self.is_postfix_start(self.peek()) || !self.check(&TokenKind::LParen) {
            return Ok((name, None, 0));
        }
        let (args, h) = self.arguments()?;
        Ok((name, Some(args), h))
    }

    /// The name after a `.`: an identifier, or a keyword used as a property name (`m.print`,
    /// `x.in`).
    fn member_name(&mut self) -> PResult<String> {
        let tok = self.peek();
        let is_word = match &tok.kind {
            TokenKind::Ident(_) => true,
            k => crate::syntax::token::keyword(tok.lexeme(self.src)).as_ref() == Some(k),
        };
        if !is_word {
            return Err(self.error_here("expected a property or method name after '.'"));
        }
        let name = tok.lexeme(self.src).to_string();
        self.advance();
        Ok(name)
    }

    /// `Name{field: value, ...}` for a declared type `Name`, at the `{` after the name.
    fn construct(&mut self, class: String, line: u32) -> PResult<Node> {
        self.advance();
        self.paren_depth += 1;
        let mut fields: Vec<(String, Expr)> = Vec::new();
        let mut height = 0;
        while !self.check(&TokenKind::RBrace) {
            let idx = self.pos;
            let name = match self.peek_kind() {
                TokenKind::Str(s) => {
                    let s = s.clone();
                    self.advance();
                    s
                }
                _ => self.expect_ident("expected a field name")?,
            };
            if fields.iter().any(|(n, _)| *n == name) {
                let e = self.error_at(idx, &format!("field '{name}' given twice"));
                self.report(e);
            }
            self.expect(&TokenKind::Colon, "expected ':' after the field name")?;
            let (value, h) = self.expr_bp(0)?;
            height = height.max(h);
            fields.push((name, value));
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect(&TokenKind::RBrace, "expected '}' after the fields")?;
        self.paren_depth -= 1;
        let e = Expr::new(line, ExprKind::Construct { class, fields });
        Ok((e, self.check_height(height + 1)?))
    }

    /// Parses `( args )` at the current `(`; returns the arguments and their greatest height.
    pub(super) fn arguments(&mut self) -> PResult<(Vec<Expr>, u32)> {
        self.expect(&TokenKind::LParen, "expected '('")?;
        self.comma_list(&TokenKind::RParen, "expected ')' after arguments")
    }

    /// Parses `e, e, ...` (trailing comma allowed) up to and including `close`, with line
    /// breaks ignored; the opening bracket has been consumed.
    fn comma_list(&mut self, close: &TokenKind, message: &str) -> PResult<(Vec<Expr>, u32)> {
        self.paren_depth += 1;
        let mut items = Vec::new();
        let mut height = 0;
        while !self.check(close) {
            let (e, h) = self.expr_bp(0)?;
            items.push(e);
            height = height.max(h);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect(close, message)?;
        self.paren_depth -= 1;
        Ok((items, height))
    }

    /// Parses a literal, name, parenthesised expression, list or map.
    fn primary(&mut self) -> PResult<Node> {
        if self.at_function_literal() {
            return self.function_literal();
        }
        match self.peek_kind() {
            TokenKind::LParen => self.paren_group(),
            TokenKind::LBracket => self.list_literal(),
            TokenKind::LBrace => self.map_literal(),
            _ => self.atom(),
        }
    }

    /// Parses a literal or a name.
    fn atom(&mut self) -> PResult<Node> {
        let kind = match self.peek_kind() {
            TokenKind::Int(v) => match i64::try_from(*v) {
                Ok(v) => ExprKind::Int(v),
                Err(_) => return Err(self.error_here("integer literal too large")),
            },
            TokenKind::Float(v) => ExprKind::Float(*v),
            TokenKind::Str(s) => ExprKind::Str(s.clone()),
            TokenKind::Ident(name)
                if self.class_names.contains(name)
                    && self.peek_next().kind == TokenKind::LBrace
                    && !self.peek_next().nl_before =>
            {
                let (class, line) = (name.clone(), self.advance_line());
                return self.construct(class, line);
            }
            TokenKind::InterpStr(parts) => {
                let parts = parts.clone();
                return self.interpolated(parts);
            }
            TokenKind::Ident(name) => ExprKind::Name(name.clone()),
            // Not `action (...) {}` (a function literal, seen before): a variable's name.
            TokenKind::Action => ExprKind::Name("action".to_string()),
            TokenKind::True => ExprKind::Bool(true),
            TokenKind::False => ExprKind::Bool(false),
            TokenKind::Null => ExprKind::Null,
            _ => return Err(self.error_here("expected expression")),
        };
        let (line, col) = self.advance_pos();
        Ok((Expr::at(line, col, kind), 1))
    }

    /// Parses `( e )`; the parentheses add no node.
    fn paren_group(&mut self) -> PResult<Node> {
        self.advance();
        self.paren_depth += 1;
        let inner = self.expr_bp(0)?;
        self.expect(&TokenKind::RParen, "expected ')' after expression")?;
        self.paren_depth -= 1;
        Ok(inner)
    }

    /// Parses `[a, b, ...]`.
    fn list_literal(&mut self) -> PResult<Node> {
        let (line, col) = self.advance_pos();
        let (items, h) = self.comma_list(&TokenKind::RBracket, "expected ']' after list")?;
        let height = self.check_height(h + 1)?;
        Ok((Expr::at(line, col, ExprKind::List(items)), height))
    }

    /// The current token as a bare map key (`{name: v}`, `{action: f}`): an identifier or
    /// a keyword other than `true`, `false` and `null`, followed by `:`.
    fn bare_key(&self) -> Option<String> {
        if self.peek_next().kind != TokenKind::Colon {
            return None;
        }
        let tok = self.peek();
        match &tok.kind {
            TokenKind::Ident(name) => Some(name.clone()),
            TokenKind::True | TokenKind::False | TokenKind::Null => None,
            k if crate::syntax::token::keyword(tok.lexeme(self.src)).as_ref() == Some(k) => {
                Some(tok.lexeme(self.src).to_string())
            }
            _ => None,
        }
    }

    /// Parses `{k: v, ...}` at the current `{`. A bare identifier (or keyword) key is a
    /// string.
    fn map_literal(&mut self) -> PResult<Node> {
        let (line, col) = self.advance_pos();
        self.paren_depth += 1;
        let mut entries = Vec::new();
        let mut height = 0;
        while !self.check(&TokenKind::RBrace) {
            let key = match self.bare_key() {
                Some(name) => {
                    let key = Expr::new(self.peek().line, ExprKind::Str(name));
                    self.advance();
                    (key, 1)
                }
                None => self.expr_bp(0)?,
            };
            self.expect(&TokenKind::Colon, "expected ':' after map key")?;
            let value = self.expr_bp(0)?;
            height = height.max(key.1).max(value.1);
            entries.push((key.0, value.0));
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect(&TokenKind::RBrace, "expected '}' after map entries")?;
        self.paren_depth -= 1;
        let e = Expr::at(line, col, ExprKind::Map(entries));
        Ok((e, self.check_height(height + 1)?))
    }
}
