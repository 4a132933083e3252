//! String literals: `"..."`, `'...'`, `"""..."""` and `'''...'''`, as the original lexer
//! reads them.
//!
//! - Any string may span lines; only the end of input leaves one unterminated.
//! - Escapes: `\n \t \r \0 \\ \" \' \$`, `\xNN` and `\uNNNN` (hex); a backslash before any
//!   other character gives that character (`\q` is `q`).
//! - In a double-quoted (not triple-quoted) string, `${expr}` interpolates: the literal becomes
//!   an [`TokenKind::InterpStr`] whose expression parts the parser parses.

use super::Lexer;
use crate::syntax::token::{StrPart, TokenKind};

impl Lexer<'_> {
    /// Scans a string literal starting at the quote `quote` at `start`.
    pub(super) fn string(&mut self, quote: u8, start: usize, line: u32) {
        let triple = self.peek_at(1) == quote && self.peek_at(2) == quote;
        let open_len = if triple { 3 } else { 1 };
        self.pos += open_len;
        let interpolates = quote == b'"' && !triple;
        let mut parts: Vec<StrPart> = Vec::new();
        let mut value = String::new();
        let mut seg = self.pos;
        loop {
            if self.pos >= self.bytes.len() {
                return self.push_error(
                    "unterminated string".to_string(),
                    start,
                    start + open_len,
                    line,
                );
            }
            let c = self.bytes[self.pos];
            if c == quote && (!triple || (self.peek_at(1) == quote && self.peek_at(2) == quote)) {
                value.push_str(&self.src[seg..self.pos]);
                self.pos += open_len;
                break;
            }
            match c {
                b'\n' => {
                    self.line = self.line.saturating_add(1);
                    self.pos += 1;
                }
                b'\\' => {
                    value.push_str(&self.src[seg..self.pos]);
                    self.pos += 1;
                    if self.pos >= self.bytes.len() {
                        continue; // reported as unterminated on the next turn
                    }
                    self.escape(&mut value);
                    seg = self.pos;
                }
                b'$' if interpolates && self.peek_at(1) == b'{' => {
                    value.push_str(&self.src[seg..self.pos]);
                    parts.push(StrPart::Text(std::mem::take(&mut value)));
                    let expr_line = self.line;
                    self.pos += 2;
                    let expr_start = self.pos;
                    let mut depth = 1;
                    while self.pos < self.bytes.len() {
                        match self.bytes[self.pos] {
                            b'{' => depth += 1,
                            b'}' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            b'\n' => self.line = self.line.saturating_add(1),
                            _ => {}
                        }
                        self.pos += 1;
                    }
                    if self.pos >= self.bytes.len() {
                        return self.push_error(
                            "unterminated interpolation '${' in string".to_string(),
                            start,
                            start + 1,
                            line,
                        );
                    }
                    parts.push(StrPart::Expr {
                        src: self.src[expr_start..self.pos].to_string(),
                        line: expr_line,
                    });
                    self.pos += 1;
                    seg = self.pos;
                }
                _ => self.pos += 1,
            }
        }
        if parts.is_empty() {
            self.push(TokenKind::Str(value), start, line);
        } else {
            parts.push(StrPart::Text(value));
            self.push(TokenKind::InterpStr(parts), start, line);
        }
    }

    /// Decodes the escape whose character is at `pos` (just after the backslash).
    fn escape(&mut self, value: &mut String) {
        let hex = |lx: &Self, n: usize| -> Option<char> {
            let digits = lx.src.get(lx.pos + 1..lx.pos + 1 + n)?;
            if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            char::from_u32(u32::from_str_radix(digits, 16).ok()?)
        };
        let decoded = match self.bytes[self.pos] {
            b'n' => Some(('\n', 1)),
            b't' => Some(('\t', 1)),
            b'r' => Some(('\r', 1)),
            b'0' => Some(('\0', 1)),
            b'x' => hex(self, 2).map(|c| (c, 3)),
            b'u' => hex(self, 4).map(|c| (c, 5)),
            _ => None,
        };
        match decoded {
            Some((ch, len)) => {
                value.push(ch);
                self.pos += len;
            }
            None => {
                // Any other character stands for itself (`\\`, `\"`, `\'`, `\$`, `\q`).
                let ch = self.src[self.pos..].chars().next().unwrap_or('\u{fffd}');
                if ch == '\n' {
                    self.line = self.line.saturating_add(1);
                }
                value.push(ch);
                self.pos += ch.len_utf8();
            }
        }
    }
}
