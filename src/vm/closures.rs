//! The run loop's closure instructions, out of line: cells of captured variables
//! (`LOAD_CELL`, `STORE_CELL`, `MAKE_CELL`, `CELL_REF`) and closure values (`MAKE_CLOSURE`).
//! Calls of closures are in `run.rs` (`CALL_VALUE`'s cold path) and `reenter.rs`: a closure's
//! cells follow the declared arguments as hidden ones.

use zexus_runtime::value::TAG_UNDEF;
use zexus_runtime::Value;

/// `LOAD_CELL`: the value in the cell of `slot`, or `None` when the variable is unassigned
/// (no cell yet, or a cell made by `CELL_REF` before its variable's first assignment).
pub(crate) fn load(slot: &Value) -> Option<Value> {
    let v = slot.as_cell()?.borrow().clone();
    (v.tag() != TAG_UNDEF).then_some(v)
}

/// `STORE_CELL`: stores `v` in the cell of `slot`, making the cell on first use.
pub(crate) fn store(slot: &mut Value, v: Value) {
    match slot.as_cell() {
        Some(c) => {
            let old = c.replace(v);
            drop(old);
        }
        None => *slot = Value::cell(v),
    }
}

/// `MAKE_CELL`: puts the value of `slot` (a parameter) into a new cell in its place.
pub(crate) fn make(slot: &mut Value) {
    if slot.as_cell().is_none() {
        let v = std::mem::replace(slot, Value::UNDEF);
        *slot = Value::cell(v);
    }
}

/// `CELL_REF`: the cell of `slot` (a new, unassigned one if it has none yet).
pub(crate) fn cell_ref(slot: &mut Value) -> Value {
    if slot.as_cell().is_none() {
        *slot = Value::cell(Value::UNDEF);
    }
    slot.clone()
}
