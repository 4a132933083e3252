//! Robustness: deep nesting, huge inputs and random garbage give errors, never panics.

use super::*;

#[test]
fn moderate_nesting_is_accepted() {
    let n = 150;
    let parens = format!("{}1{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(expr(&parens), "1");
    let lists = format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(parse(&lists).is_ok());
    let blocks = format!("{}{}", "{".repeat(n), "}".repeat(n));
    assert!(parse(&blocks).is_ok());
    let negs = format!("{}1", "-".repeat(n));
    assert!(parse(&negs).is_ok());
    let ifs = format!("{}{}", "if x {".repeat(n), "}".repeat(n));
    assert!(parse(&ifs).is_ok());
    let maps = format!("{}1{}", "{a: ".repeat(n - 1), "}".repeat(n - 1));
    assert!(parse(&format!("x = {maps}")).is_ok());
    let pows = format!("2{}", " ** 2".repeat(n));
    assert!(parse(&pows).is_ok());
    let parens = format!("{}1{}", "(".repeat(300), ")".repeat(300));
    assert!(parse(&parens).is_ok());
    let long_sum = format!("1{}", " + 1".repeat(900));
    assert!(parse(&long_sum).is_ok());
    let sum_parens = format!("x = {}1{}", "1 + (".repeat(n), ")".repeat(n));
    assert!(parse(&sum_parens).is_ok());
    let calls = format!(
        "print({}1{})",
        "f(1 + g(x)[0] * ".repeat(n / 2),
        ")".repeat(n / 2)
    );
    assert!(parse(&calls).is_ok());
    let funcs = format!(
        "{}{}",
        "action f(a) { while a { for each x in y { if a { return a } else { ".repeat(n / 5),
        "} } } }".repeat(n / 5)
    );
    assert!(parse(&funcs).is_ok());
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let n = 100_000;
    for (open, close) in [
        ("(", ")"),
        ("[", "]"),
        ("{", "}"),
        ("-", ""),
        ("!", ""),
        ("f(", ")"),
    ] {
        let src = format!("{}1{}", open.repeat(n), close.repeat(n));
        let errs = parse(&src).unwrap_err();
        assert_eq!(errs.len(), 1, "{open}: {errs:?}");
        assert!(errs[0].message.contains("nested too deeply"), "{}", errs[0]);
    }
    let src = format!("x = {}", "{a: ".repeat(n));
    assert!(parse(&src).is_err());
    let src = format!("x = {}1", "a ? b : ".repeat(n));
    assert!(parse(&src).is_err());
    let src = format!("x = 2{}", " ** 2".repeat(n));
    assert!(parse(&src).is_err());
    let src = "if x {".repeat(n);
    assert!(parse(&src).is_err());
    // Long flat chains build tall trees without recursion: they are bounded too.
    let src = format!("1{}", " + 1".repeat(n));
    assert_eq!(
        first_error(&src),
        "[line 1] Error at '+': expression too complex"
    );
    let src = format!("f{}", "(1)".repeat(n));
    assert!(parse(&src).is_err());
    let src = format!("xs{}", ".f()".repeat(n));
    assert!(parse(&src).is_err());
    let src = format!("x{}", "[0]".repeat(n));
    assert!(parse(&src).is_err());
}

#[test]
fn huge_flat_inputs_are_fine() {
    let n = 100_000;
    let list = format!("[{}]", "1, ".repeat(n));
    assert!(parse(&list).is_ok());
    let stmts = "x = x + 1\n".repeat(n);
    assert_eq!(parse(&stmts).unwrap().stmts.len(), n);
    let chain = "if a {} ".to_string() + &"else if b {} ".repeat(n);
    assert!(parse(&chain).is_ok());
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_garbage_never_panics() {
    const PIECES: &[&str] = &[
        "let ",
        "const ",
        "x",
        "y",
        " = ",
        "+=",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ";",
        "\n",
        "if ",
        "elif ",
        "else ",
        "while ",
        "for each ",
        " in ",
        "action ",
        "f",
        "return ",
        "print ",
        "break",
        "continue",
        "1",
        "9223372036854775808",
        "-",
        "**",
        "?",
        ":",
        ".",
        "push",
        "\"s\"",
        "'",
        "\"",
        "/*",
        "*/",
        "//",
        "#",
        "&&",
        "||",
        "not ",
        "and ",
        "or ",
        "!",
        "==",
        "<=",
        "@",
        "é",
        "\\",
        "2.5",
        "1e",
        "true",
        "null",
        " ",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let len = rng.below(60);
        let mut src = String::new();
        for _ in 0..len {
            src.push_str(PIECES[rng.below(PIECES.len())]);
        }
        check_no_panic(&src);
    }
    for _ in 0..2000 {
        let len = rng.below(80);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0x7f) as u8).collect();
        let src = String::from_utf8_lossy(&bytes).into_owned();
        check_no_panic(&src);
        let chars: String = (0..len)
            .filter_map(|_| char::from_u32((rng.next() % 0x3000) as u32))
            .collect();
        check_no_panic(&chars);
    }
}

fn check_no_panic(src: &str) {
    if let Err(errs) = parse(src) {
        assert!(!errs.is_empty() && errs.len() <= MAX_ERRORS, "{src:?}");
        for e in &errs {
            let text = e.to_string();
            assert!(text.starts_with("[line "), "{text}");
        }
    }
}
