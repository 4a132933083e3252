//! Statements that raise (parser/raise.rs): try/catch, throw, emit, defer and checks.

use super::*;

#[test]
fn try_catch_finally_in_every_form() {
    assert_eq!(
        prog("try { f() } catch (e) { print(e) } finally { g() }"),
        "(try {(call f )} catch e {(print e)} finally {(call g )})"
    );
    assert_eq!(
        prog("try { f() } catch e { }"),
        "(try {(call f )} catch e {})"
    );
    assert_eq!(
        prog("try { f() } catch((err)) { }"),
        "(try {(call f )} catch err {})"
    );
    assert_eq!(
        prog("try { f() }\ncatch { }"),
        "(try {(call f )} catch _ {})"
    );
    assert_eq!(
        prog("try { f() } finally { }"),
        "(try {(call f )} finally {})"
    );
}

#[test]
fn throw_emit_and_defer() {
    assert_eq!(prog("throw \"x\" + 1"), "(throw (+ \"x\" 1))");
    assert_eq!(prog("emit Sent(a, 2)"), "(emit Sent a 2)");
    assert_eq!(prog("emit Ping\nx"), "(emit Ping ) ; x");
    assert_eq!(prog("emit Data {k: 1}"), "(emit Data {\"k\": 1})");
    assert_eq!(prog("defer { f() }"), "(defer {(call f )})");
}

#[test]
fn checks_become_an_if_around_a_throw() {
    assert_eq!(
        prog("require(a > 0, \"neg\")"),
        "(if (! (> a 0)) {(throw (+ \"Requirement failed: \" \"neg\"))})"
    );
    assert_eq!(
        prog("require(ok)"),
        "(if (! ok) {(throw \"Requirement failed: Requirement failed\")})"
    );
    assert_eq!(
        prog("revert()"),
        "(throw \"Transaction reverted: Transaction reverted\")"
    );
    assert_eq!(
        prog("verify x, \"m\""),
        "(if (! x) {(throw (+ \"Requirement failed: \" \"m\"))})"
    );
    assert_eq!(
        prog("verify (a) && b"),
        "(if (! (&& a b)) {(throw \"Requirement failed: Verification failed\")})"
    );
}

#[test]
fn the_words_stay_ordinary_names_elsewhere() {
    assert_eq!(
        prog("let verify = 1\nverify = 2"),
        "(let verify 1) ; (= verify 2)"
    );
    assert_eq!(prog("let emit = 1\nemit"), "(let emit 1) ; emit");
    assert_eq!(prog("throw.x()"), "(.x throw )");
    assert_eq!(prog("try\nx"), "try ; x");
}

#[test]
fn continue_at_the_top_level_turns_on_continue_on_error() {
    assert_eq!(
        prog("continue;\nprint(1)"),
        "(continue-on-error) ; (print 1)"
    );
    assert_eq!(
        first_error("if (true) { continue }"),
        "[line 1] Error at 'continue': 'continue' outside a loop"
    );
}

#[test]
fn malformed_checks_are_errors() {
    let errs = parse("require(a, b, c)").unwrap_err();
    assert!(errs[0].message.contains("require takes"), "{}", show(&errs));
    let errs = parse("try { }\nprint(1)").unwrap_err();
    assert!(
        errs[0].message.contains("'catch' or 'finally'"),
        "{}",
        show(&errs)
    );
    let errs = parse("try { } catch (1) { }").unwrap_err();
    assert!(
        errs[0].message.contains("error variable"),
        "{}",
        show(&errs)
    );
}

#[test]
fn declared_types_and_fields() {
    let p = parse(
        "contract C {\n  state n = 1\n  data m: map<string, int> = {}\n  action add(x: int) -> int { this.n = n + x\n return this.n }\n}\n\
         entity P { x: int = 0, y: int }\nlet p = P{y: 2}\np.x += 1\nprint(p.x, C().add(2))",
    )
    .expect("parses");
    let shown: Vec<String> = p.stmts.iter().map(st).collect();
    assert_eq!(
        shown,
        vec![
            "(contract C [n=1 m={}] (fn add(x) {(= (attr this n) (+ n x)) (return (attr this n))}))",
            "(entity P [x=0 y] )",
            "(let p (new P y: 2))",
            "(+= (attr p x) 1)",
            "(print (attr p x) (.add (call C ) 2))",
        ]
    );
    // `Name{` builds an object only for a declared type: elsewhere it is a block.
    assert!(parse("let Q = 1\nif Q { print(1) }").is_ok());
}
