//! The lexer: turns source text into a list of tokens.
//!
//! Lexical errors do not stop the scan: they become [`TokenKind::Error`] tokens that the parser
//! reports at the place where it meets them. The list always ends with one [`TokenKind::Eof`].

mod strings;

use super::token::{keyword, Token, TokenKind};

/// Splits `source` into tokens; the last token is always [`TokenKind::Eof`].
pub fn tokenize(source: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        src: source,
        bytes: source.as_bytes(),
        pos: 0,
        line: 1,
        nl_before: false,
        tokens: Vec::new(),
        col_pos: 0,
        col_at: 1,
    };
    lexer.run();
    lexer.tokens
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    nl_before: bool,
    tokens: Vec<Token>,
    /// A byte offset at or before the next token's start, and the column there: columns are
    /// counted on from it, so the whole scan counts each byte once.
    col_pos: usize,
    col_at: u32,
}

impl Lexer<'_> {
    fn peek_at(&self, offset: usize) -> u8 {
        self.bytes.get(self.pos + offset).copied().unwrap_or(0)
    }

    fn newline(&mut self) {
        self.line = self.line.saturating_add(1);
        self.nl_before = true;
    }

    /// The 1-based column (in characters) of byte offset `at`, which is at or after every
    /// offset asked before.
    fn col_of(&mut self, at: usize) -> u32 {
        let at = at.min(self.bytes.len());
        let (from, mut col) = if at >= self.col_pos {
            (self.col_pos, self.col_at)
        } else {
            (0, 1)
        };
        let seg = &self.bytes[from..at];
        let seg = match seg.iter().rposition(|&b| b == b'\n') {
            Some(nl) => {
                col = 1;
                &seg[nl + 1..]
            }
            None => seg,
        };
        // Count characters: every byte that is not a UTF-8 continuation byte.
        let chars = seg.iter().filter(|&&b| b & 0xC0 != 0x80).count();
        col = col.saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
        self.col_pos = at;
        self.col_at = col;
        col
    }

    fn push(&mut self, kind: TokenKind, start: usize, line: u32) {
        let col = self.col_of(start);
        self.tokens.push(Token {
            kind,
            line,
            col,
            start,
            end: self.pos,
            nl_before: self.nl_before,
        });
        self.nl_before = false;
    }

    fn push_error(&mut self, message: String, start: usize, end: usize, line: u32) {
        let col = self.col_of(start);
        self.tokens.push(Token {
            kind: TokenKind::Error(message),
            line,
            col,
            start,
            end,
            nl_before: self.nl_before,
        });
        self.nl_before = false;
    }

    fn run(&mut self) {
        loop {
            if !self.skip_trivia() {
                break;
            }
            if self.pos >= self.bytes.len() {
                break;
            }
            self.scan_token();
        }
        let line = self.tokens.last().map_or(1, |t| t.line);
        let end = self.bytes.len();
        // At the end of the last token, on its line (where an error "at end" points).
        let col = self.col_of(self.tokens.last().map_or(0, |t| t.end));
        self.tokens.push(Token {
            kind: TokenKind::Eof,
            line,
            col,
            start: end,
            end,
            nl_before: self.nl_before,
        });
    }

    /// Skips whitespace and comments. Returns false after an unterminated block comment
    /// (which consumes the rest of the input and has been reported).
    fn skip_trivia(&mut self) -> bool {
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b'\n' => {
                    self.pos += 1;
                    self.newline();
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b'#' => self.skip_line_comment(),
                b'/' if self.peek_at(1) == b'/' => self.skip_line_comment(),
                b'/' if self.peek_at(1) == b'*' => {
                    let start = self.pos;
                    let line = self.line;
                    self.pos += 2;
                    // Block comments nest, as in the original: `/* a /* b */ c */`.
                    let mut depth = 1;
                    loop {
                        if self.pos >= self.bytes.len() {
                            self.push_error(
                                "unterminated block comment".to_string(),
                                start,
                                start + 2,
                                line,
                            );
                            return false;
                        }
                        match self.bytes[self.pos] {
                            b'*' if self.peek_at(1) == b'/' => {
                                self.pos += 2;
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            b'/' if self.peek_at(1) == b'*' => {
                                self.pos += 2;
                                depth += 1;
                            }
                            b'\n' => {
                                self.pos += 1;
                                self.newline();
                            }
                            _ => self.pos += 1,
                        }
                    }
                }
                _ => break,
            }
        }
        true
    }

    fn skip_line_comment(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    fn scan_token(&mut self) {
        let start = self.pos;
        let line = self.line;
        let c = self.bytes[self.pos];
        if c.is_ascii_digit() {
            return self.number(start, line);
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while self.pos < self.bytes.len()
                && (self.bytes[self.pos].is_ascii_alphanumeric() || self.bytes[self.pos] == b'_')
            {
                self.pos += 1;
            }
            let word = &self.src[start..self.pos];
            let kind = keyword(word).unwrap_or_else(|| TokenKind::Ident(word.to_string()));
            return self.push(kind, start, line);
        }
        if c == b'"' || c == b'\'' {
            return self.string(c, start, line);
        }
        let next = self.peek_at(1);
        let (kind, len) = match (c, next) {
            (b'*', b'*') if self.peek_at(2) == b'=' => (TokenKind::StarStarEq, 3),
            (b'<', b'<') if self.peek_at(2) == b'=' => (TokenKind::ShlEq, 3),
            (b'>', b'>') if self.peek_at(2) == b'=' => (TokenKind::ShrEq, 3),
            (b'<', b'<') => (TokenKind::Shl, 2),
            (b'>', b'>') => (TokenKind::Shr, 2),
            (b'&', b'=') => (TokenKind::AmpEq, 2),
            (b'|', b'=') => (TokenKind::PipeEq, 2),
            (b'^', b'=') => (TokenKind::CaretEq, 2),
            (b'*', b'*') => (TokenKind::StarStar, 2),
            (b'*', b'=') => (TokenKind::StarEq, 2),
            (b'+', b'=') => (TokenKind::PlusEq, 2),
            (b'-', b'=') => (TokenKind::MinusEq, 2),
            (b'/', b'=') => (TokenKind::SlashEq, 2),
            (b'%', b'=') => (TokenKind::PercentEq, 2),
            (b'=', b'=') => (TokenKind::EqEq, 2),
            (b'!', b'=') => (TokenKind::BangEq, 2),
            (b'<', b'=') => (TokenKind::LtEq, 2),
            (b'>', b'=') => (TokenKind::GtEq, 2),
            (b'&', b'&') => (TokenKind::AndAnd, 2),
            (b'|', b'|') => (TokenKind::OrOr, 2),
            (b'?', b'?') => (TokenKind::QuestionQuestion, 2),
            (b'-', b'>') => (TokenKind::Arrow, 2),
            (b'=', b'>') => (TokenKind::FatArrow, 2),
            (b'(', _) => (TokenKind::LParen, 1),
            (b')', _) => (TokenKind::RParen, 1),
            (b'[', _) => (TokenKind::LBracket, 1),
            (b']', _) => (TokenKind::RBracket, 1),
            (b'{', _) => (TokenKind::LBrace, 1),
            (b'}', _) => (TokenKind::RBrace, 1),
            (b',', _) => (TokenKind::Comma, 1),
            (b'.', _) => (TokenKind::Dot, 1),
            (b':', _) => (TokenKind::Colon, 1),
            (b';', _) => (TokenKind::Semicolon, 1),
            (b'?', _) => (TokenKind::Question, 1),
            (b'+', _) => (TokenKind::Plus, 1),
            (b'-', _) => (TokenKind::Minus, 1),
            (b'*', _) => (TokenKind::Star, 1),
            (b'/', _) => (TokenKind::Slash, 1),
            (b'%', _) => (TokenKind::Percent, 1),
            (b'!', _) => (TokenKind::Bang, 1),
            (b'=', _) => (TokenKind::Assign, 1),
            (b'<', _) => (TokenKind::Lt, 1),
            (b'>', _) => (TokenKind::Gt, 1),
            (b'&', _) => (TokenKind::Amp, 1),
            (b'|', _) => (TokenKind::Pipe, 1),
            (b'^', _) => (TokenKind::Caret, 1),
            (b'~', _) => (TokenKind::Tilde, 1),
            _ => {
                // Unknown character: `pos` is always on a char boundary here.
                let ch = self.src[start..].chars().next().unwrap_or('\u{fffd}');
                self.pos += ch.len_utf8();
                let shown: String = ch.escape_debug().collect();
                return self.push_error(
                    format!("unexpected character '{shown}'"),
                    start,
                    self.pos,
                    line,
                );
            }
        };
        self.pos += len;
        self.push(kind, start, line);
    }

    fn number(&mut self, start: usize, line: u32) {
        if self.bytes[start] == b'0'
            && matches!(self.peek_at(1), b'x' | b'X')
            && self.peek_at(2).is_ascii_hexdigit()
        {
            return self.hex_number(start, line);
        }
        let digits = |lx: &mut Self| {
            while lx.pos < lx.bytes.len() && lx.bytes[lx.pos].is_ascii_digit() {
                lx.pos += 1;
            }
        };
        digits(self);
        let mut is_float = false;
        if self.peek_at(0) == b'.' && self.peek_at(1).is_ascii_digit() {
            is_float = true;
            self.pos += 1;
            digits(self);
        }
        if matches!(self.peek_at(0), b'e' | b'E') {
            let sign = usize::from(matches!(self.peek_at(1), b'+' | b'-'));
            if self.peek_at(1 + sign).is_ascii_digit() {
                is_float = true;
                self.pos += 1 + sign;
                digits(self);
            }
        }
        let text = &self.src[start..self.pos];
        if is_float {
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => self.push(TokenKind::Float(v), start, line),
                _ => self.push_error("float literal too large".to_string(), start, self.pos, line),
            }
        } else {
            match text.parse::<u64>() {
                Ok(v) => self.push(TokenKind::Int(v), start, line),
                Err(_) => self.push_error(
                    "integer literal too large".to_string(),
                    start,
                    self.pos,
                    line,
                ),
            }
        }
    }

    /// A hexadecimal integer literal `0xFF` (the original's syntax).
    fn hex_number(&mut self, start: usize, line: u32) {
        self.pos += 2;
        let digits = self.pos;
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_hexdigit() {
            self.pos += 1;
        }
        match u64::from_str_radix(&self.src[digits..self.pos], 16) {
            Ok(v) => self.push(TokenKind::Int(v), start, line),
            Err(_) => self.push_error(
                "integer literal too large".to_string(),
                start,
                self.pos,
                line,
            ),
        }
    }
}
