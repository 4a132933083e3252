//! Tokens produced by the lexer and consumed by the parser.

/// What kind of token this is, with the decoded payload of literals.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// An integer literal without sign; values above `i64::MAX` are rejected by the parser
    /// (except `9223372036854775808` directly under a unary minus).
    Int(u64),
    /// A float literal.
    Float(f64),
    /// A string literal with its escapes decoded.
    Str(String),
    /// A double-quoted string literal containing `${expr}` interpolations: its parts in order.
    InterpStr(Vec<StrPart>),
    /// An identifier.
    Ident(String),

    /// `let`
    Let,
    /// `const`
    Const,
    /// `if`
    If,
    /// `elif`
    Elif,
    /// `else`
    Else,
    /// `while`
    While,
    /// `for`
    For,
    /// `each`
    Each,
    /// `in`
    In,
    /// `action`
    Action,
    /// `function`
    Function,
    /// `return`
    Return,
    /// `print`
    Print,
    /// `break`
    Break,
    /// `continue`
    Continue,
    /// `true`
    True,
    /// `false`
    False,
    /// `null`
    Null,
    /// `and`
    And,
    /// `or`
    Or,
    /// `not`
    Not,

    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `:`
    Colon,
    /// `;`
    Semicolon,
    /// `?`
    Question,
    /// `??` (null-coalescing)
    QuestionQuestion,
    /// `->` (before a return type annotation)
    Arrow,
    /// `=>` (a lambda's body follows)
    FatArrow,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `**`
    StarStar,
    /// `!`
    Bang,
    /// `=`
    Assign,
    /// `==`
    EqEq,
    /// `!=`
    BangEq,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    LtEq,
    /// `>=`
    GtEq,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `+=`
    PlusEq,
    /// `-=`
    MinusEq,
    /// `*=`
    StarEq,
    /// `/=`
    SlashEq,
    /// `%=`
    PercentEq,
    /// `**=`
    StarStarEq,
    /// `&` (bitwise and)
    Amp,
    /// `|` (bitwise or)
    Pipe,
    /// `^` (bitwise xor)
    Caret,
    /// `~` (bitwise not)
    Tilde,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `&=`
    AmpEq,
    /// `|=`
    PipeEq,
    /// `^=`
    CaretEq,
    /// `<<=`
    ShlEq,
    /// `>>=`
    ShrEq,

    /// A lexical error (unknown character, unterminated string, ...); the payload is the message.
    Error(String),
    /// End of input.
    Eof,
}

impl TokenKind {
    /// Whether this token can only begin a statement (used for error recovery).
    pub fn is_statement_keyword(&self) -> bool {
        matches!(
            self,
            TokenKind::Let
                | TokenKind::Const
                | TokenKind::If
                | TokenKind::While
                | TokenKind::For
                | TokenKind::Action
                | TokenKind::Function
                | TokenKind::Return
                | TokenKind::Print
                | TokenKind::Break
                | TokenKind::Continue
        )
    }
}

/// One part of an interpolated string literal.
#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    /// Literal text, escapes decoded.
    Text(String),
    /// The source text of a `${...}` expression.
    Expr {
        /// The expression's source text (between `${` and the matching `}`).
        src: String,
        /// 1-based line of the `${`.
        line: u32,
    },
}

/// Maps a word to its keyword token, if it is a keyword.
pub fn keyword(word: &str) -> Option<TokenKind> {
    Some(match word {
        "let" => TokenKind::Let,
        "const" => TokenKind::Const,
        "if" => TokenKind::If,
        "elif" => TokenKind::Elif,
        "else" => TokenKind::Else,
        "while" => TokenKind::While,
        "for" => TokenKind::For,
        "each" => TokenKind::Each,
        "in" => TokenKind::In,
        "action" => TokenKind::Action,
        "function" => TokenKind::Function,
        "return" => TokenKind::Return,
        "print" => TokenKind::Print,
        "break" => TokenKind::Break,
        "continue" => TokenKind::Continue,
        "true" => TokenKind::True,
        "false" => TokenKind::False,
        "null" => TokenKind::Null,
        "and" => TokenKind::And,
        "or" => TokenKind::Or,
        "not" => TokenKind::Not,
        _ => return None,
    })
}

/// One token with its position in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The token kind and payload.
    pub kind: TokenKind,
    /// 1-based source line of the token's first character.
    pub line: u32,
    /// 1-based column of the token's first character, counted in characters (a tab is one).
    pub col: u32,
    /// Byte offset of the token's first character.
    pub start: usize,
    /// Byte offset just past the token's last character.
    pub end: usize,
    /// Whether a line break (possibly inside a comment) separates this token from the previous one.
    pub nl_before: bool,
}

impl Token {
    /// The token's source text (empty for end of input).
    pub fn lexeme<'s>(&self, source: &'s str) -> &'s str {
        source.get(self.start..self.end).unwrap_or("")
    }
}
