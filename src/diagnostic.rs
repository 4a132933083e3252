//! Errors as a compiler prints them: `path:line:col: error: message`, then the source line
//! with a caret under the token at fault, then (for a runtime error) the folded call trace.
//!
//! The layout (line-number gutter, caret alignment under tabs and wide characters, colours)
//! is [annotate-snippets]'s, the renderer rustc and cargo use: its short form gives the
//! `path:line:col: error: message` header, a title-less group gives the snippet under it.
//! The error types keep their own one-line `Display` (`[line N] Error at 'tok': message`), so
//! what the library returns and what tests match on does not depend on the terminal.
//!
//! An error in a file the program `use`s (a compile error in it, or a runtime error raised
//! by its code) carries that file ([`SourceFile`]: its path as the user would open it and its
//! text), and is shown against it: `lib/shapes.zx:2:14: error: ...` and that file's line. An
//! error in a function that an earlier input of a REPL session defined is shown against that
//! input. Every error the parser, the compiler and the module loader report has a line and a
//! column; one whose position is still unknown (column 0: bytecode built by hand, a file that
//! could not be read) is shown as `path: error: [line N] ...` with no snippet.
//!
//! ```
//! use zexus::diagnostic::Diagnostics;
//! let source = "let a = 1\nprint(a +)\n";
//! let errors = zexus::compile(source, "t.zx").unwrap_err();
//! let text = Diagnostics::new("t.zx", source).compile_errors(&errors);
//! assert_eq!(text, "t.zx:2:10: error: expected expression\n  |\n2 | print(a +)\n  |          ^");
//! ```
//!
//! [annotate-snippets]: https://docs.rs/annotate-snippets

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::compiler::CompileError;
use crate::error::Error;
use crate::syntax::token::TokenKind;
use crate::syntax::{lexer, SourceFile};
use crate::vm::error::{fold_trace, ErrorKind};
use crate::vm::RuntimeError;

/// Renders errors against the source they came from.
#[derive(Debug, Clone, Copy)]
pub struct Diagnostics<'a> {
    path: &'a str,
    source: &'a str,
    color: bool,
}

impl<'a> Diagnostics<'a> {
    /// Diagnostics for the program `source`, named `path` in the headers; plain text.
    pub fn new(path: &'a str, source: &'a str) -> Self {
        Diagnostics {
            path,
            source,
            color: false,
        }
    }

    /// With ANSI colours (the error in red, the gutter in blue) when `yes`.
    pub fn color(mut self, yes: bool) -> Self {
        self.color = yes;
        self
    }

    /// Every compile error, one diagnostic after another.
    pub fn compile_errors(&self, errors: &[CompileError]) -> String {
        let shown: Vec<String> = errors
            .iter()
            .map(|e| {
                let (path, source) = self.in_file(e.file.as_deref());
                let note = e.file.as_ref().and_then(|f| self.used_at(f));
                match span(source, e.line, e.column) {
                    Some(s) => self.render(path, source, &e.message, s, note),
                    None => self.render_unplaced(path, &e.to_string()),
                }
            })
            .collect();
        shown.join("\n")
    }

    /// A runtime error: the diagnostic at the failing instruction's token, then the call
    /// trace (innermost call first, repeated frames folded).
    pub fn runtime_error(&self, e: &RuntimeError) -> String {
        let message = match e.kind {
            ErrorKind::Runtime => e.message.clone(),
            ErrorKind::InvalidBytecode => format!("invalid bytecode: {}", e.message),
        };
        let (path, source) = self.in_file(e.file.as_deref());
        let mut out = match span(source, e.line, e.column) {
            Some(s) => self.render(path, source, &message, s, None),
            None => self.render_unplaced(path, &message),
        };
        for line in fold_trace(&e.trace) {
            out.push('\n');
            out.push_str(&line);
        }
        out
    }

    /// Either kind of [`Error`].
    pub fn error(&self, e: &Error) -> String {
        match e {
            Error::Compile(errors) => self.compile_errors(errors),
            Error::Runtime(e) => self.runtime_error(e),
        }
    }

    /// The path and text of `file`, or of the program's source when `None`.
    fn in_file<'f>(&'f self, file: Option<&'f SourceFile>) -> (&'f str, &'f str) {
        match file {
            Some(f) => (&f.path, &f.text),
            None => (self.path, self.source),
        }
    }

    /// `in the module used at path:line:col`: where the program first uses module `file`.
    fn used_at(&self, file: &SourceFile) -> Option<String> {
        let site = file.used_at.as_ref()?;
        let (path, _) = self.in_file(site.file.as_deref());
        Some(format!(
            "in the module used at {path}:{}:{}",
            site.line, site.column
        ))
    }

    fn renderer(&self) -> Renderer {
        if self.color {
            Renderer::styled()
        } else {
            Renderer::plain()
        }
    }

    /// `path:line:col: error: message`, the line of `source` and the caret under `at`, then
    /// the `note`, if any.
    fn render(
        &self,
        path: &str,
        source: &str,
        message: &str,
        at: Range<usize>,
        note: Option<String>,
    ) -> String {
        let snippet =
            || Snippet::source(source).annotation(AnnotationKind::Primary.span(at.clone()));
        let header = [
            Group::with_title(Level::ERROR.primary_title(message)).element(snippet().path(path))
        ];
        let mut body = Group::with_level(Level::ERROR).element(snippet());
        if let Some(note) = note {
            body = body.element(Level::NOTE.message(note));
        }
        let body = [body];
        let r = self.renderer();
        format!(
            "{}\n{}",
            r.clone().short_message(true).render(&header),
            r.render(&body)
        )
    }

    /// `path: error: message`, for an error with no known position.
    fn render_unplaced(&self, path: &str, message: &str) -> String {
        let header = [Group::with_title(Level::ERROR.primary_title(message))
            .element(Snippet::<annotate_snippets::Annotation>::source("").path(path))];
        self.renderer().short_message(true).render(&header)
    }
}

/// The byte range in `source` of the token at `line` and `column` (both 1-based, the column
/// in characters, as [`CompileError`] and [`RuntimeError`] give them): the whole token as
/// the lexer reads it from there, cut at the end of the line; empty at the end of a line or
/// of the source. `None` when the position is unknown (0) or not in `source`.
///
/// ```
/// let source = "let x = 10\nprint(x / 0)";
/// assert_eq!(zexus::diagnostic::span(source, 2, 9), Some(19..20)); // the '/'
/// assert_eq!(zexus::diagnostic::span(source, 1, 9), Some(8..10)); // "10"
/// assert_eq!(zexus::diagnostic::span(source, 3, 1), None);
/// ```
pub fn span(source: &str, line: u32, column: u32) -> Option<Range<usize>> {
    if line == 0 || column == 0 {
        return None;
    }
    let line_start = if line == 1 {
        0
    } else {
        source
            .match_indices('\n')
            .nth(line as usize - 2)
            .map(|(i, _)| i + 1)?
    };
    let rest = &source[line_start..];
    let text = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let offset = text
        .char_indices()
        .nth(column as usize - 1)
        .map_or(text.len(), |(i, _)| i);
    let tail = &text[offset..];
    let start = line_start + offset;
    let len = match lexer::tokenize(tail).first() {
        Some(t) if !matches!(t.kind, TokenKind::Eof) && t.start == 0 => t.end.min(tail.len()),
        _ => 0,
    };
    Some(start..start + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_covers_the_token_and_counts_columns_in_characters() {
        let src = "let é = \"héllo\" + 1\nx\t[2]";
        // `+` is the 17th character of the first line (é is one character, two bytes).
        let s = span(src, 1, 17).unwrap();
        assert_eq!(&src[s], "+");
        let s = span(src, 1, 9).unwrap();
        assert_eq!(&src[s], "\"héllo\"");
        let s = span(src, 2, 3).unwrap();
        assert_eq!(&src[s], "[");
        // Past the end of the line: an empty span at its end.
        let s = span(src, 2, 40).unwrap();
        assert_eq!(s, src.len()..src.len());
        assert_eq!(span(src, 3, 1), None);
        assert_eq!(span(src, 1, 0), None);
    }

    #[test]
    fn a_lexical_error_is_underlined_within_its_line() {
        let src = "print(\"abc\nnext";
        let s = span(src, 1, 7).unwrap();
        assert!(src[s.clone()].starts_with('"') && s.end <= 10, "{s:?}");
    }

    #[test]
    fn runtime_error_has_header_snippet_caret_and_trace() {
        let src = "function f(a) {\n  return a / 0\n}\nf(1)\n";
        let bc = crate::compile(src, "t.zx").unwrap();
        let e = crate::VM::builder()
            .jit(false)
            .build()
            .execute(&bc)
            .unwrap_err();
        assert_eq!((e.line, e.column), (2, 12));
        assert_eq!(
            Diagnostics::new("t.zx", src).runtime_error(&e),
            "t.zx:2:12: error: division by zero\n  |\n2 |   return a / 0\n  |            ^\n\
             [line 2] in f\n[line 4] in <main>"
        );
    }

    #[test]
    fn errors_without_a_column_have_no_snippet() {
        let mut e = crate::compile("x = ", "t.zx").unwrap_err();
        e[0].column = 0;
        assert_eq!(
            Diagnostics::new("t.zx", "x = ").compile_errors(&e),
            "t.zx: error: [line 1] Error at end: expected expression"
        );
    }

    #[test]
    fn color_adds_ansi_escapes() {
        let e = crate::compile("print(1 +)", "t.zx").unwrap_err();
        let d = Diagnostics::new("t.zx", "print(1 +)");
        assert!(d.color(true).compile_errors(&e).contains("\x1b["));
        assert!(!d.compile_errors(&e).contains('\x1b'));
    }
}
