//! The lexer: literals, operators, comments and lines.

use super::*;

#[test]
fn lexes_literals_comments_and_lines() {
    let toks = tokenize("let x = 1.5 // c\n# c2\n/* a\nb */ 'a\\n\\t\\\\\\\"\\'\\r\\0' 7 2e3");
    let kinds: Vec<_> = toks.iter().map(|t| t.kind.clone()).collect();
    assert_eq!(
        kinds,
        vec![
            TokenKind::Let,
            TokenKind::Ident("x".into()),
            TokenKind::Assign,
            TokenKind::Float(1.5),
            TokenKind::Str("a\n\t\\\"'\r\0".into()),
            TokenKind::Int(7),
            TokenKind::Float(2000.0),
            TokenKind::Eof,
        ]
    );
    assert_eq!(toks[4].line, 4);
    assert!(toks[4].nl_before);
    assert!(!toks[5].nl_before);
}

#[test]
fn lexes_bitwise_operators() {
    let toks = tokenize("& | ^ ~ << >> &= |= ^= <<= >>= && || <= >= < >");
    use TokenKind as T;
    let kinds: Vec<_> = toks.iter().map(|t| t.kind.clone()).collect();
    assert_eq!(
        kinds,
        vec![
            T::Amp,
            T::Pipe,
            T::Caret,
            T::Tilde,
            T::Shl,
            T::Shr,
            T::AmpEq,
            T::PipeEq,
            T::CaretEq,
            T::ShlEq,
            T::ShrEq,
            T::AndAnd,
            T::OrOr,
            T::LtEq,
            T::GtEq,
            T::Lt,
            T::Gt,
            T::Eof,
        ]
    );
}

#[test]
fn lexes_operators() {
    let toks = tokenize("** **= *= += -= /= %= == != <= >= && || ! = < > ? : . , ;");
    use TokenKind as T;
    let kinds: Vec<_> = toks.iter().map(|t| t.kind.clone()).collect();
    assert_eq!(
        kinds,
        vec![
            T::StarStar,
            T::StarStarEq,
            T::StarEq,
            T::PlusEq,
            T::MinusEq,
            T::SlashEq,
            T::PercentEq,
            T::EqEq,
            T::BangEq,
            T::LtEq,
            T::GtEq,
            T::AndAnd,
            T::OrOr,
            T::Bang,
            T::Assign,
            T::Lt,
            T::Gt,
            T::Question,
            T::Colon,
            T::Dot,
            T::Comma,
            T::Semicolon,
            T::Eof,
        ]
    );
}

#[test]
fn string_with_unicode_and_method_on_int() {
    assert_eq!(expr("\"héllo ✓\""), "\"héllo ✓\"");
    assert_eq!(expr("1.foo()"), "(.foo 1 )");
}
