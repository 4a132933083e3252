//! The front end's syntax layer: lexer, tokens, AST and parser for `.zx` source.
//!
//! The entry point is [`parse`], which turns source text into an [`ast::Program`] or a list of
//! [`SyntaxError`]s (several per file, found with panic-mode recovery, at most
//! [`MAX_ERRORS`]).

pub mod ast;
pub mod captures;
pub mod lexer;
mod parser;
pub mod token;
mod watch;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_sugar;

use std::fmt;

/// At most this many errors are reported for one source text.
pub const MAX_ERRORS: usize = 50;

/// A compile-time error, displayed as `[line N] Error at 'tok': message`
/// (or `[line N] Error at end: message` at end of input); [`crate::diagnostic`] renders it
/// as a compiler does, with the source line and a caret under the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based source line of the offending token.
    pub line: u32,
    /// 1-based column of the offending token's first character, counted in characters
    /// (0 when unknown). At end of input: just after the last token.
    pub column: u32,
    /// The offending token's text, or `"end"` at end of input.
    pub token: String,
    /// What went wrong.
    pub message: String,
}

impl SyntaxError {
    /// An error at the token whose text is `token`, column unknown.
    pub fn new(line: u32, token: impl Into<String>, message: impl Into<String>) -> Self {
        SyntaxError {
            line,
            column: 0,
            token: token.into(),
            message: message.into(),
        }
    }

    /// The same error at `column` (1-based, in characters; 0 for unknown).
    pub fn with_column(mut self, column: u32) -> Self {
        self.column = column;
        self
    }

    /// An error at end of input.
    pub fn at_end(line: u32, message: impl Into<String>) -> Self {
        SyntaxError::new(line, "end", message)
    }

    /// Whether the error is at end of input (its token is `"end"`).
    ///
    /// An identifier literally named `end` is displayed the same way.
    pub fn is_at_end(&self) -> bool {
        self.token == "end"
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_at_end() {
            write!(f, "[line {}] Error at end: {}", self.line, self.message)
        } else {
            write!(
                f,
                "[line {}] Error at '{}': {}",
                self.line, self.token, self.message
            )
        }
    }
}

impl std::error::Error for SyntaxError {}

/// Parses a whole source file.
///
/// Never panics and never recurses deeper than [`ast::MAX_NESTING`] levels, whatever the input.
/// On failure returns every error found (in source order, at most [`MAX_ERRORS`]).
pub fn parse(source: &str) -> Result<ast::Program, Vec<SyntaxError>> {
    let (program, errors) = parse_recovering(source);
    if errors.is_empty() {
        Ok(program)
    } else {
        Err(errors)
    }
}

/// Parses a whole source file and returns what could be parsed along with the errors: the
/// statements that failed to parse are left out of the program (as are the remaining ones
/// after a fatal error). Lets the compiler report its own errors after the parser's.
pub fn parse_recovering(source: &str) -> (ast::Program, Vec<SyntaxError>) {
    let tokens = lexer::tokenize(source);
    let mut parser = parser::Parser::new(source, tokens);
    let mut stmts = parser.program();
    watch::apply(&mut stmts, parser.watches());
    (ast::Program { stmts }, parser.into_errors())
}
