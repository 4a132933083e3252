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

use std::fmt;
use std::sync::Arc;

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
    /// The file the position is in when it is not the source being compiled: a file the
    /// program `use`s (`None`: the source itself). Shown as `(in path)` after the message.
    pub file: Option<Arc<SourceFile>>,
}

/// A source file other than the one being compiled: a module's file, kept with the errors
/// and the code that come from it so that diagnostics can show its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as the user would open it: relative to the working directory when inside
    /// it (unless the main program was named by an absolute path), else absolute
    /// (diagnostics' `path:line:col` headers).
    pub path: String,
    /// The path as messages show it (relative to the main program's directory when inside
    /// it): the `(in path)` of an error's one-line form.
    pub shown: String,
    /// Its text.
    pub text: String,
    /// The `use` that first loaded it, if it is a module's file.
    pub used_at: Option<UseSite>,
}

/// Where a `use` is: the path's token in the file that contains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseSite {
    /// That file (`None`: the program being compiled).
    pub file: Option<Arc<SourceFile>>,
    /// The line of the path's token.
    pub line: u32,
    /// Its column (1-based, in characters).
    pub column: u32,
}

impl SyntaxError {
    /// An error at the token whose text is `token`, column unknown.
    pub fn new(line: u32, token: impl Into<String>, message: impl Into<String>) -> Self {
        SyntaxError {
            line,
            column: 0,
            token: token.into(),
            message: message.into(),
            file: None,
        }
    }

    /// The same error, in `file` (a file the program uses).
    pub fn in_file(mut self, file: Arc<SourceFile>) -> Self {
        self.file = Some(file);
        self
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
            write!(f, "[line {}] Error at end: {}", self.line, self.message)?;
        } else {
            write!(
                f,
                "[line {}] Error at '{}': {}",
                self.line, self.token, self.message
            )?;
        }
        match &self.file {
            Some(file) => write!(f, " (in {})", file.shown),
            None => Ok(()),
        }
    }
}

impl std::error::Error for SyntaxError {}

/// The column (1-based, in characters) of the first token on line `line` of `text`, at or
/// after column `from`, whose text is `tok`: where a compiler error that knows its statement
/// and the token at fault points. `None` if there is no such token on that line.
pub(crate) fn token_column(text: &str, line: u32, from: u32, tok: &str) -> Option<u32> {
    if line == 0 || tok.is_empty() {
        return None;
    }
    let line_text = text.split('\n').nth(line as usize - 1)?;
    let from = from.max(1);
    let offset = line_text
        .char_indices()
        .nth(from as usize - 1)
        .map(|(i, _)| i)?;
    let tail = &line_text[offset..];
    lexer::tokenize(tail)
        .iter()
        .take_while(|t| !matches!(t.kind, token::TokenKind::Eof))
        .find(|t| t.lexeme(tail) == tok)
        .map(|t| from + tail[..t.start].chars().count() as u32)
}

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
