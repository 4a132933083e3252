//! Indented ("colon") blocks, the original's tolerable syntax:
//!
//! ```text
//! action check(n):
//!     if n > 10:
//!         return "big"
//!     else:
//!         return "small"
//! ```
//!
//! A `:` where a block is expected (after a function's parameters, an `if`/`elif`/`while`
//! condition, `else`, a `for each` iterable) opens a block. If a statement follows on the same
//! line, that one statement is the block (`action f(): return 1`). Otherwise the block is the
//! following lines indented deeper than the line of the `:`; it ends before the first line
//! indented less than its first statement (a dedent), as the original's structural parser ends
//! it, or at a `}` or the end of input. Inside a `{ }` block lines may be indented freely.

use super::{PResult, Parser};
use crate::syntax::ast::Block;
use crate::syntax::token::TokenKind;

impl Parser<'_> {
    /// The column (in characters from the start of its line) of token `idx`.
    pub(super) fn column(&self, idx: usize) -> usize {
        let start = self.tokens[idx].start.min(self.src.len());
        let line_start = self.src[..start].rfind('\n').map_or(0, |i| i + 1);
        self.src[line_start..start].chars().count()
    }

    /// The indentation (leading spaces and tabs, in characters) of the line of token `idx`.
    pub(super) fn line_indent(&self, idx: usize) -> usize {
        let start = self.tokens[idx].start.min(self.src.len());
        let line_start = self.src[..start].rfind('\n').map_or(0, |i| i + 1);
        self.src[line_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .count()
    }

    /// Whether the current token starts a line indented less than the enclosing indented
    /// block's statements (so that block ends here).
    pub(super) fn dedented(&self) -> bool {
        self.indent_floor
            .is_some_and(|floor| self.peek().nl_before && self.column(self.pos) < floor)
    }

    /// Parses an indented block at the current `:`.
    pub(super) fn colon_block(&mut self) -> PResult<Block> {
        let colon = self.pos;
        let header_indent = self.line_indent(colon);
        self.enter_block("blocks nested too deeply")?;
        let line = self.advance_line();
        let result = self.colon_block_body(header_indent);
        self.last_block_indented = true;
        self.leave_block();
        let stmts = result?;
        let end_line = self.line_of(self.pos.saturating_sub(1).max(colon));
        Ok(Block {
            stmts,
            line,
            end_line,
        })
    }

    fn colon_block_body(&mut self, header_indent: usize) -> PResult<Vec<crate::syntax::ast::Stmt>> {
        let tok = self.peek();
        if !tok.nl_before && !matches!(tok.kind, TokenKind::Eof | TokenKind::Semicolon) {
            // `action f(): return 1`: one statement on the same line.
            let saved = self.indent_floor.take();
            let stmt = self.statement();
            self.indent_floor = saved;
            return Ok(vec![stmt?]);
        }
        let baseline = self.column(self.pos);
        if self.at_eof() || !tok.nl_before || baseline <= header_indent {
            return Err(self.error_here("expected an indented block after ':'"));
        }
        let saved = self.indent_floor.replace(baseline);
        let stmts = self.stmt_list(true);
        self.indent_floor = saved;
        Ok(stmts)
    }

    /// Whether an `elif`/`else` at the current token may continue an `if` whose keyword is
    /// token `if_idx` and whose last block was `colon` (indented): an `else` on a line indented
    /// less than the `if` belongs to an enclosing `if`.
    pub(super) fn continues_if(&self, if_idx: usize, colon: bool) -> bool {
        !colon || !self.peek().nl_before || self.column(self.pos) >= self.line_indent(if_idx)
    }
}
