//! Recursive-descent parser: shared state, token helpers, error reporting and recovery.
//!
//! Expressions are parsed in [`expr`] (a Pratt parser), statements in [`stmt`].
//!
//! Newlines: a line break ends a statement unless the statement is obviously incomplete.
//! Inside `( )`, `[ ]` and map `{ }` line breaks are ignored. Elsewhere an expression continues
//! on the next line after a binary operator, before a binary operator other than `-`, and before
//! `.`; a `-`, `(` or `[` at the start of a line begins a new statement instead.

mod blocks;
mod class;
mod decl;
mod enums;
mod expr;
mod interp;
mod lambda;
mod match_expr;
mod match_stmt;
mod modules;
mod policy;
mod print_split;
mod raise;
mod stmt;
mod watch_stmt;

use super::ast::{Stmt, MAX_NESTING, NESTING_COST_BLOCK};
use super::token::{Token, TokenKind};
use super::{SyntaxError, MAX_ERRORS};

/// An error on its way up to the statement loop that reports it.
pub(crate) struct PError {
    err: Box<SyntaxError>,
    /// Index of the offending token.
    at: usize,
    /// Fatal errors (nesting too deep) stop the whole parse.
    fatal: bool,
}

type PResult<T> = Result<T, PError>;

/// Stack the parser may use below its entry point, as a second guard behind `MAX_NESTING`
/// for unoptimised builds, whose frames are several times larger. Optimised builds stay far
/// below it (about 400 KiB at the deepest allowed nesting).
const STACK_BUDGET: usize = 1 << 20;

/// The current stack position (an address inside the caller's frame region).
#[inline(always)]
fn stack_position() -> usize {
    let probe = 0u8;
    std::hint::black_box(std::ptr::addr_of!(probe)) as usize
}

/// Longest token text shown in an error message.
const MAX_SHOWN_TOKEN: usize = 40;

/// Parser state over a token list that ends with `Eof`.
pub(crate) struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    errors: Vec<SyntaxError>,
    /// Set after a fatal error or too many errors: everything after is skipped.
    abort: bool,
    /// Token index of the last reported error (a second error at the same token is dropped).
    last_error_at: Option<usize>,
    /// Current nesting (blocks and expression recursion, weighted), bounded by `MAX_NESTING`.
    depth: u32,
    /// Stack position when the parser was created.
    stack_base: usize,
    /// Open `(`, `[` or map `{` around the current position, within the current statement.
    paren_depth: u32,
    /// Enclosing loops within the current function.
    loop_depth: u32,
    /// Statements to add after the one just parsed (the `export` of `export action f ...`).
    queued: Vec<Stmt>,
    /// Names of the types declared so far (`Name{...}` builds one of them).
    class_names: std::collections::HashSet<String>,
    /// Inside an indented (colon) block: the column of its statements; a line indented less
    /// ends it. `None` at the top level and directly inside `{ }`.
    indent_floor: Option<usize>,
    /// Whether the block parsed last was an indented one (for `else` after an `if`).
    last_block_indented: bool,
    /// The first names of the `package` blocks declared so far, with their lines.
    package_roots: std::collections::HashMap<String, u32>,
    /// The file's `watch` statements so far (see `syntax/watch.rs`).
    watches: Vec<super::watch::Watch>,
}

impl<'a> Parser<'a> {
    /// A parser over `tokens` (from `lexer::tokenize(src)`).
    pub(crate) fn new(src: &'a str, mut tokens: Vec<Token>) -> Self {
        if !matches!(tokens.last().map(|t| &t.kind), Some(TokenKind::Eof)) {
            tokens.push(Token {
                kind: TokenKind::Eof,
                line: tokens.last().map_or(1, |t| t.line),
                col: tokens.last().map_or(1, |t| t.col),
                start: src.len(),
                end: src.len(),
                nl_before: true,
            });
        }
        Parser {
            src,
            tokens,
            pos: 0,
            errors: Vec::new(),
            abort: false,
            last_error_at: None,
            depth: 0,
            stack_base: stack_position(),
            paren_depth: 0,
            loop_depth: 0,
            queued: Vec::new(),
            class_names: std::collections::HashSet::new(),
            indent_floor: None,
            last_block_indented: false,
            package_roots: std::collections::HashMap::new(),
            watches: Vec::new(),
        }
    }

    /// The errors reported so far.
    pub(crate) fn into_errors(self) -> Vec<SyntaxError> {
        self.errors
    }

    /// The file's `watch` statements, in order.
    pub(crate) fn watches(&self) -> &[super::watch::Watch] {
        &self.watches
    }

    // ----- token access -------------------------------------------------------------------

    fn peek(&self) -> &Token {
        &self.tokens[self.pos]
    }

    fn peek_kind(&self) -> &TokenKind {
        &self.tokens[self.pos].kind
    }

    /// The token after the current one (the `Eof` token at the end).
    fn peek_next(&self) -> &Token {
        let i = (self.pos + 1).min(self.tokens.len() - 1);
        &self.tokens[i]
    }

    fn at_eof(&self) -> bool {
        matches!(self.peek_kind(), TokenKind::Eof)
    }

    fn check(&self, kind: &TokenKind) -> bool {
        self.peek_kind() == kind
    }

    /// Consumes the current token (never moves past `Eof`) and returns its index.
    fn advance(&mut self) -> usize {
        let i = self.pos;
        if !self.at_eof() {
            self.pos += 1;
        }
        i
    }

    /// Consumes the current token and returns its line.
    fn advance_line(&mut self) -> u32 {
        let i = self.advance();
        self.tokens[i].line
    }

    /// Consumes the current token and returns its line and column.
    fn advance_pos(&mut self) -> (u32, u32) {
        let i = self.advance();
        (self.tokens[i].line, self.tokens[i].col)
    }

    /// Consumes the current token if it is `kind`.
    fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.check(kind) {
            self.advance();
            true
        } else {
            false
        }
    }

    /// At a `>>` token, consumes its first `>` (leaving a `>` token) and returns true.
    fn split_shr(&mut self) -> bool {
        let Some(tok) = self.tokens.get_mut(self.pos) else {
            return false;
        };
        if tok.kind != TokenKind::Shr {
            return false;
        }
        tok.kind = TokenKind::Gt;
        tok.start += 1;
        tok.col += 1;
        tok.nl_before = false;
        true
    }

    /// Consumes a token of `kind` or fails with `message` at the current token.
    fn expect(&mut self, kind: &TokenKind, message: &str) -> PResult<usize> {
        if self.check(kind) {
            Ok(self.advance())
        } else {
            Err(self.error_here(message))
        }
    }

    /// Consumes an identifier and returns its name, or fails with `message`.
    fn expect_ident(&mut self, message: &str) -> PResult<String> {
        if let TokenKind::Ident(name) = self.peek_kind() {
            let name = name.clone();
            self.advance();
            Ok(name)
        } else {
            Err(self.error_here(message))
        }
    }

    /// A variable's name where one is declared (`let`, a parameter, a loop variable): an
    /// identifier, or the word `action`, which the original's programs also use as a name
    /// (`let action = "login"`, `action f(user, action)`).
    fn expect_var_name(&mut self, message: &str) -> PResult<String> {
        if self.check(&TokenKind::Action) {
            self.advance();
            return Ok("action".to_string());
        }
        self.expect_ident(message)
    }

    fn line_of(&self, idx: usize) -> u32 {
        self.tokens[idx].line
    }

    /// Whether the current token ends a simple statement: `;`, `}`, end of input, or a token
    /// on a new line.
    fn at_stmt_end(&self) -> bool {
        let t = self.peek();
        t.nl_before
            || matches!(
                t.kind,
                TokenKind::Semicolon | TokenKind::RBrace | TokenKind::Eof
            )
    }

    /// Whether line breaks are currently significant (not inside brackets).
    fn newlines_matter(&self) -> bool {
        self.paren_depth == 0
    }

    // ----- errors -----------------------------------------------------------------------------

    /// An error at token `idx`. At a lexical-error token, the lexer's message wins.
    fn error_at(&self, idx: usize, message: &str) -> PError {
        let tok = &self.tokens[idx];
        let err = match &tok.kind {
            TokenKind::Eof => SyntaxError::at_end(tok.line, message),
            TokenKind::Error(lex_msg) => SyntaxError::new(
                tok.line,
                shown_lexeme(tok.lexeme(self.src)),
                lex_msg.clone(),
            ),
            _ => SyntaxError::new(tok.line, shown_lexeme(tok.lexeme(self.src)), message),
        }
        .with_column(tok.col);
        PError {
            err: Box::new(err),
            at: idx,
            fatal: false,
        }
    }

    fn error_here(&self, message: &str) -> PError {
        self.error_at(self.pos, message)
    }

    /// Records an error (ignored once the parse has been aborted, or if an error was already
    /// reported at the same token).
    fn report(&mut self, e: PError) {
        if self.abort || (self.last_error_at == Some(e.at) && !e.fatal) {
            return;
        }
        self.last_error_at = Some(e.at);
        self.errors.push(*e.err);
        if e.fatal || self.errors.len() >= MAX_ERRORS {
            self.abort = true;
            self.pos = self.tokens.len() - 1; // jump to Eof: the rest of the parse is skipped
        }
    }

    /// Enters one level of expression recursion; fails fatally past `MAX_NESTING`.
    fn enter(&mut self, message: &str) -> PResult<()> {
        self.enter_with_cost(1, message)
    }

    /// Enters a block.
    fn enter_block(&mut self, message: &str) -> PResult<()> {
        self.enter_with_cost(NESTING_COST_BLOCK, message)
    }

    #[inline(never)]
    fn enter_with_cost(&mut self, cost: u32, message: &str) -> PResult<()> {
        let used = self.stack_base.saturating_sub(stack_position());
        if self.depth + cost > MAX_NESTING || used > STACK_BUDGET {
            let mut e = self.error_here(message);
            e.fatal = true;
            return Err(e);
        }
        self.depth += cost;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn leave_block(&mut self) {
        self.depth -= NESTING_COST_BLOCK;
    }

    /// Panic-mode recovery after an error inside a statement: skips tokens up to a likely
    /// statement boundary (a `;`, which is consumed; a `{` or `}`; a statement keyword; or a
    /// token starting a new line), ignoring boundaries inside brackets open at the error.
    fn synchronize(&mut self) {
        let mut open = self.paren_depth;
        self.paren_depth = 0;
        loop {
            let tok = self.peek();
            if matches!(tok.kind, TokenKind::Eof) || tok.kind.is_statement_keyword() {
                return;
            }
            if open == 0 {
                match tok.kind {
                    TokenKind::Semicolon => {
                        self.advance();
                        return;
                    }
                    // A `{` here most likely opens the block of a broken statement header
                    // (`for each x [1] {`): parsing it as a block keeps braces balanced.
                    TokenKind::RBrace | TokenKind::LBrace => return,
                    _ if tok.nl_before => return,
                    _ => {}
                }
            }
            match tok.kind {
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => open += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    open = open.saturating_sub(1)
                }
                _ => {}
            }
            self.advance();
        }
    }
}

/// The token text as shown in an error: control characters escaped, long text shortened.
fn shown_lexeme(lexeme: &str) -> String {
    let mut out = String::new();
    for (n, ch) in lexeme.chars().enumerate() {
        if n == MAX_SHOWN_TOKEN {
            out.push_str("...");
            break;
        }
        if ch.is_control() {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out
}
