//! The code modules compile to: a `module` block's and a file's top level as code objects,
//! direct loads and calls of a module's globals, and the compile errors of modules.

use std::path::PathBuf;

use super::{compile, compile_source};
use crate::bytecode::{Bytecode, CodeObject};

fn ops(bc: &Bytecode, code: &CodeObject) -> Vec<String> {
    code.instrs
        .iter()
        .map(|i| {
            let operand = crate::bytecode::disasm::operand_text(code, bc.globals(), *i);
            format!("{} {}", i.op.name(), operand)
                .trim_end()
                .to_string()
        })
        .collect()
}

fn code<'a>(bc: &'a Bytecode, name: &str) -> &'a CodeObject {
    bc.code()
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no code object {name}"))
}

fn errors(src: &str) -> Vec<String> {
    compile(src, "<test>")
        .expect_err("should not compile")
        .iter()
        .map(|e| e.to_string())
        .collect()
}

/// A fresh directory holding `files` (name, text).
fn dir_with(tag: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zexus-modules-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write module");
    }
    dir
}

#[test]
fn a_module_block_is_a_code_object_and_its_members_are_globals() {
    let src = "let k = 1\nmodule m {\n  let x = 2\n  action f(a) { return a + x + k }\n}\nprint(m.f(3), m.x)";
    let bc = compile(src, "<test>").expect("compiles");
    let main = ops(&bc, bc.main());
    assert!(main.contains(&"CALL_VALUE argc=0".to_string()), "{main:?}");
    assert!(main.contains(&"BUILD_MAP 2".to_string()), "{main:?}");
    assert!(
        main.contains(&"CALL_NAME 3 (m.f) argc=1".to_string()),
        "{main:?}"
    );
    assert!(main.contains(&"LOAD_NAME 2 (m.x)".to_string()), "{main:?}");
    let init = ops(&bc, code(&bc, "<module m>"));
    assert!(
        init.contains(&"STORE_GLOBAL 2 (m.x)".to_string()),
        "{init:?}"
    );
    let f = ops(&bc, code(&bc, "m.f"));
    assert!(f.contains(&"LOAD_GLOBAL 2 (m.x)".to_string()), "{f:?}");
    assert!(f.contains(&"LOAD_GLOBAL 0 (k)".to_string()), "{f:?}");
}

#[test]
fn a_file_runs_once_behind_a_guard_and_its_names_are_prefixed() {
    let dir = dir_with(
        "guard",
        &[(
            "lib.zx",
            "let n = 1\nexport action twice(x) { return x * 2 + n }\n",
        )],
    );
    let src = "use \"lib.zx\" as l\nuse { twice } from \"./lib.zx\"\nprint(l.twice(1), twice(2))";
    let bc = compile_source(src, "main.zx", Some(&dir.join("main.zx"))).expect("compiles");
    let init = ops(&bc, code(&bc, "<module lib>"));
    assert_eq!(
        &init[..6],
        [
            "LOAD_GLOBAL 0 (<lib ran>)",
            "JUMP_IF_FALSE -> 4",
            "LOAD_CONST 0 (null)",
            "RETURN",
            "LOAD_CONST 1 (true)",
            "STORE_GLOBAL 0 (<lib ran>)",
        ]
    );
    let main = ops(&bc, bc.main());
    assert_eq!(
        &main[..2],
        ["LOAD_CONST 0 (false)", "STORE_NAME 0 (<lib ran>)"]
    );
    // Both `use`s call the top level; its guard makes the second return at once.
    let calls = main.iter().filter(|o| *o == "CALL_VALUE argc=0").count();
    assert_eq!(calls, 2, "{main:?}");
    assert!(bc.code().iter().any(|c| c.name == "lib.twice"));
    assert!(main
        .iter()
        .any(|o| o.starts_with("CALL_NAME") && o.contains("(lib.twice)")));
    assert!(main
        .iter()
        .any(|o| o.starts_with("CALL_NAME") && o.contains("(twice)")));
}

#[test]
fn member_of_a_value_that_is_not_a_module_is_a_property() {
    let bc = compile("let m = {\"a\": 1}\nprint(m.a)", "<test>").expect("compiles");
    let main = ops(&bc, bc.main());
    assert!(main.contains(&"GET_ATTR 0 (\"a\")".to_string()), "{main:?}");
}

#[test]
fn module_errors() {
    assert_eq!(
        errors("module m { let x = 1 }\nprint(m.y)"),
        ["[line 2] Error at 'y': module 'm' has no member 'y'"]
    );
    assert_eq!(
        errors("module m { }\nm = 1"),
        ["[line 2] Error at 'm': cannot assign to const 'm'"]
    );
    assert_eq!(
        errors("if true { module m { } }"),
        ["[line 1] Error at 'm': a module block must be at the top level of a file or module"]
    );
    assert_eq!(
        errors("export nothing"),
        ["[line 1] Error at 'nothing': cannot export 'nothing': it is not declared at the top level"]
    );
    assert_eq!(
        errors("action f() { export f }"),
        ["[line 1] Error at 'export': 'export' must be at the top level of a file or module"]
    );
    let e = errors("use \"crypto\" as c");
    assert!(
        e[0].contains("module \"crypto\" is not available here"),
        "{e:?}"
    );
}

#[test]
fn import_cycles_and_missing_files_are_errors_at_the_use() {
    let dir = dir_with(
        "cycle",
        &[
            ("a.zx", "use \"b.zx\"\nexport let a = 1\n"),
            ("b.zx", "\nuse \"a.zx\"\nexport let b = 2\n"),
            ("c.zx", "use \"missing.zx\"\n"),
        ],
    );
    let main = dir.join("main.zx");
    let e = compile_source("use \"a.zx\"", "main.zx", Some(&main)).expect_err("a cycle");
    assert_eq!(
        e[0].to_string(),
        "[line 2] Error at '\"a.zx\"': import cycle: a.zx -> b.zx -> a.zx (in b.zx)"
    );
    let e = compile_source("\nuse \"c.zx\"", "main.zx", Some(&main)).expect_err("missing");
    assert!(
        e[0].to_string().starts_with(
            "[line 1] Error at '\"missing.zx\"': cannot find module \"missing.zx\" (looked for missing.zx"
        ),
        "{e:?}"
    );
    // The main file using itself is a cycle too.
    std::fs::write(&main, "use \"main.zx\"\n").expect("write");
    let e = compile_source("use \"main.zx\"\n", "main.zx", Some(&main)).expect_err("self");
    assert!(
        e[0].message.starts_with("import cycle: main.zx -> main.zx"),
        "{e:?}"
    );
}

#[test]
fn a_module_declares_types_and_globals_by_assignment() {
    let src = "let n = 0\nmodule m {\n  n = 1\n  y = 2\n  entity P { a: int = 0, b: int = 0 }\n  \
               action mk(x) { return P(x) }\n}\nprint(m.P(1).a, m.y)";
    let bc = compile(src, "<test>").expect("compiles");
    // The type's constructor is the module's global `m.P`, stored at the start of its code.
    let init = ops(&bc, code(&bc, "<module m>"));
    assert!(
        init.iter()
            .any(|o| o.starts_with("STORE_GLOBAL") && o.ends_with("(m.P)")),
        "{init:?}"
    );
    // `n = 1` sets the program's `n`; `y = 2` declares the module's `m.y`.
    assert!(
        init.iter()
            .any(|o| o.starts_with("STORE_GLOBAL") && o.ends_with("(n)")),
        "{init:?}"
    );
    assert!(
        init.iter()
            .any(|o| o.starts_with("STORE_GLOBAL") && o.ends_with("(m.y)")),
        "{init:?}"
    );
    // `P(x)` in the module and `m.P(1)` outside both pass every field.
    let mk = ops(&bc, code(&bc, "m.mk"));
    assert!(mk
        .iter()
        .any(|o| o.starts_with("CALL_NAME") && o.contains("(m.P) argc=2")));
    let main = ops(&bc, bc.main());
    assert!(main
        .iter()
        .any(|o| o.starts_with("CALL_NAME") && o.contains("(m.P) argc=2")));
    assert!(bc.code().iter().any(|c| c.name == "m.P"));
    assert_eq!(
        errors("let n = 0\nmodule m { n = 1 }\nprint(m.n)"),
        ["[line 3] Error at 'n': module 'm' has no member 'n'"]
    );
}
