//! Compiled code is cached per program identity (`Bytecode::id`), so an edited program must
//! never run code compiled for the one it was copied from. A `Bytecode` cannot be changed in
//! place (its fields are private); an edited copy is rebuilt with `Bytecode::new`, which
//! verifies it again and gives it a fresh id.

use zexus::{compile, Bytecode, Value, VM};

/// A hot loop and a hot pure-int function, both compiled at threshold 1; every `3` in the
/// source is a constant the edit below changes.
const SRC: &str = "
action triple(x) {
    return x * 3
}
let s = 0
let t = 0
let i = 0
while (i < 50) {
    s = s + 3
    t = t + triple(i)
    i = i + 1
}
print(s)
print(t)
";

fn jit_vm() -> VM {
    VM::builder()
        .jit(true)
        .hot_threshold(1)
        .capture_output(true)
        .skip_calibration(true)
        .build()
}

fn run(vm: &mut VM, bc: &Bytecode) -> String {
    vm.execute(bc).expect("runs");
    vm.take_output()
}

/// The program with every int constant `from` replaced by `to` (same instructions, same ips).
fn edited(bc: &Bytecode, from: i64, to: i64) -> Bytecode {
    let mut code = bc.clone().into_code();
    for c in &mut code {
        for k in &mut c.consts {
            if k.as_int() == Some(from) {
                *k = Value::int(to);
            }
        }
    }
    Bytecode::new(code, bc.source_name()).expect("still valid")
}

#[test]
fn an_edited_copy_runs_its_own_code_not_the_originals_compiled_code() {
    let original = compile(SRC, "identity.zx").expect("compiles");
    let mut vm = jit_vm();
    assert_eq!(run(&mut vm, &original), "150\n3675\n");
    let first = vm.jit_stats();
    assert!(
        first.loops_compiled > 0 && first.functions_compiled > 0,
        "the loop and the function were compiled: {first:?}"
    );

    let copy = edited(&original, 3, 5);
    assert_ne!(
        copy.id(),
        original.id(),
        "an edited program is a new program"
    );
    assert_eq!(run(&mut vm, &copy), "250\n6125\n");
    let second = vm.jit_stats();
    assert!(
        second.loops_compiled > first.loops_compiled
            && second.functions_compiled > first.functions_compiled,
        "the edited copy got its own compiled code: {second:?}"
    );

    // The original still runs, and a plain clone is the same program (it shares the id).
    assert_eq!(run(&mut vm, &original), "150\n3675\n");
    let clone = original.clone();
    assert_eq!(clone.id(), original.id());
    assert_eq!(run(&mut vm, &clone), "150\n3675\n");
}

#[test]
fn a_rebuilt_copy_is_verified_again() {
    let original = compile(SRC, "identity.zx").expect("compiles");
    let mut code = original.into_code();
    code[0].instrs.truncate(1);
    code[0].lines.truncate(1);
    let e = Bytecode::new(code, "broken.zx").expect_err("rejected");
    assert!(e.to_string().contains("falls off the end"), "{e}");
}
