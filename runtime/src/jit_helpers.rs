//! The `extern "C"` helpers that JIT-compiled code calls for everything it does not inline:
//! heap values (strings, lists, maps), operators on operands of unknown type, reference counts.
//!
//! They are declared once, in the `helpers!` table below, which yields the symbol list the JIT
//! registers with `JITBuilder::symbol`, the signatures it imports and the [`HelperId`] by which
//! JIT code names the helper it calls, so the three cannot drift.
//!
//! Conventions: a value is passed as two `u64` words (tag, payload) and is BORROWED: a helper
//! never takes over the caller's reference count (if it keeps a value, it clones it). A result
//! value is written to `out` (owned by the caller afterwards). A helper that can fail returns
//! `0` on success and `1` on failure, and on failure has changed nothing: the JIT code then
//! exits to the interpreter at the failing instruction, which runs it again and raises the
//! error with its usual text.

use std::mem::ManuallyDrop;

use crate::ops;
use crate::value::{Value, HEAP_TAG_MIN};

/// The machine type of a helper parameter or result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelperTy {
    /// A 64-bit integer or pointer.
    I64,
    /// A 32-bit integer (status codes).
    I32,
    /// A 64-bit float.
    F64,
}

/// One helper: its symbol name, address and signature.
#[derive(Debug, Clone, Copy)]
pub struct Helper {
    /// Its id.
    pub id: HelperId,
    /// The symbol name JIT code imports.
    pub name: &'static str,
    /// The function's address.
    pub addr: *const u8,
    /// Parameter types.
    pub params: &'static [HelperTy],
    /// Result types (empty or one).
    pub returns: &'static [HelperTy],
}

/// Maps a helper's Rust parameter type to its machine type.
pub trait HelperArg {
    /// The machine type.
    const TY: HelperTy;
}
impl HelperArg for u64 {
    const TY: HelperTy = HelperTy::I64;
}
impl HelperArg for i64 {
    const TY: HelperTy = HelperTy::I64;
}
impl HelperArg for u32 {
    const TY: HelperTy = HelperTy::I32;
}
impl HelperArg for f64 {
    const TY: HelperTy = HelperTy::F64;
}
impl HelperArg for *mut Value {
    const TY: HelperTy = HelperTy::I64;
}
impl HelperArg for *const Value {
    const TY: HelperTy = HelperTy::I64;
}

macro_rules! helpers {
    ($( $(#[$m:meta])* $id:ident: fn $name:ident ( $($arg:ident : $ty:ty),* ) $(-> $ret:ty)? $body:block )*) => {
        $( $(#[$m])*
        ///
        /// # Safety
        /// Called by JIT code with live values (see the module's conventions).
        pub unsafe extern "C" fn $name($($arg: $ty),*) $(-> $ret)? $body )*

        /// The id of each helper, in table order: JIT code names the helper it calls by id,
        /// and its position in [`helpers()`] is `id as usize`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum HelperId {
            $( #[doc = concat!("`", stringify!($name), "`")] $id, )*
        }

        impl HelperId {
            /// Every id, in table order.
            pub const ALL: &'static [HelperId] = &[$(HelperId::$id),*];

            /// The helper's symbol name.
            pub fn name(self) -> &'static str {
                match self {
                    $(HelperId::$id => stringify!($name),)*
                }
            }
        }

        /// Every helper, in table order (`helpers()[id as usize].id == id`), for
        /// `JITBuilder::symbol` and for declaring the imports.
        pub fn helpers() -> Vec<Helper> {
            vec![$(Helper {
                id: HelperId::$id,
                name: stringify!($name),
                addr: $name as *const u8,
                params: &[$(<$ty as HelperArg>::TY),*],
                returns: &[$(<$ret as HelperArg>::TY)?],
            }),*]
        }
    };
}

/// Looks at the value (tag, payload) without owning it.
///
/// # Safety
/// (tag, payload) must be a live value: a heap tag's payload a live `Rc` pointer.
unsafe fn view(tag: u64, payload: u64) -> ManuallyDrop<Value> {
    ManuallyDrop::new(Value { tag, payload })
}

/// Writes `v` to `out`, which is uninitialised memory owned by the JIT frame.
///
/// # Safety
/// `out` must be valid for a write of one `Value`.
unsafe fn put(out: *mut Value, v: Value) {
    // SAFETY: the caller guarantees `out` is valid for a write; it holds no value to drop.
    unsafe { std::ptr::write(out, v) };
}

pub use crate::ops::{compare_values, ArithKind, CmpKind};

helpers! {
    /// Adds one reference to a heap value (no-op for plain values).
    Incref: fn rt_incref(tag: u64, payload: u64) {
        if tag >= HEAP_TAG_MIN {
            // SAFETY: the JIT passes a live value; cloning adds a count that the JIT now owns.
            let v = unsafe { view(tag, payload) };
            std::mem::forget((*v).clone());
        }
    }

    /// Gives back one reference the JIT code owned (no-op for plain values).
    Drop: fn rt_drop(tag: u64, payload: u64) {
        // SAFETY: the JIT owns this value's count and gives it up here.
        drop(Value { tag, payload });
    }

    /// `out := a OP b` for any operand types (`op` is an [`ArithKind`] `as u64`); 1 on error.
    Binop: fn rt_binop(op: u64, at: u64, ap: u64, bt: u64, bp: u64, out: *mut Value) -> u32 {
        // SAFETY: both operands are live values borrowed from the JIT frame.
        let (a, b) = unsafe { (view(at, ap), view(bt, bp)) };
        let Some(kind) = u8::try_from(op).ok().and_then(ArithKind::from_u8) else {
            return 1;
        };
        let r = kind.apply(&a, &b);
        match r {
            // SAFETY: `out` is a 16-byte slot of the JIT frame.
            Ok(v) => unsafe { put(out, v); 0 },
            Err(_) => 1,
        }
    }

    /// `-a` for any operand type; 1 on error.
    Neg: fn rt_neg(at: u64, ap: u64, out: *mut Value) -> u32 {
        // SAFETY: a live value borrowed from the JIT frame.
        let a = unsafe { view(at, ap) };
        match ops::neg(&a) {
            // SAFETY: `out` is a 16-byte slot of the JIT frame.
            Ok(v) => unsafe { put(out, v); 0 },
            Err(_) => 1,
        }
    }

    /// Comparison `k` (a [`CmpKind`] `as u64`) of any operands: 0 false, 1 true, 2 error.
    Compare: fn rt_compare(k: u64, at: u64, ap: u64, bt: u64, bp: u64) -> u32 {
        // SAFETY: live values borrowed from the JIT frame.
        let (a, b) = unsafe { (view(at, ap), view(bt, bp)) };
        let Some(k) = u8::try_from(k).ok().and_then(CmpKind::from_u8) else {
            return 2;
        };
        match compare_values(k, &a, &b) {
            Ok(r) => r as u32,
            Err(_) => 2,
        }
    }

    /// Truthiness of any value: 0 or 1.
    Truthy: fn rt_truthy(tag: u64, payload: u64) -> u32 {
        // SAFETY: a live value borrowed from the JIT frame.
        let v = unsafe { view(tag, payload) };
        v.truthy() as u32
    }

    /// `out := o[k]`; 1 on error (wrong types, index out of range, missing key).
    Index: fn rt_index(ot: u64, op: u64, kt: u64, kp: u64, out: *mut Value) -> u32 {
        // SAFETY: live values borrowed from the JIT frame.
        let (o, k) = unsafe { (view(ot, op), view(kt, kp)) };
        match ops::index(&o, &k) {
            // SAFETY: `out` is a 16-byte slot of the JIT frame.
            Ok(v) => unsafe { put(out, v); 0 },
            Err(_) => 1,
        }
    }

    /// `o[k] := v` (v is cloned: the caller keeps its own reference); 1 on error, in which
    /// case nothing changed.
    StoreIndex: fn rt_store_index(ot: u64, op: u64, kt: u64, kp: u64, vt: u64, vp: u64) -> u32 {
        // SAFETY: live values borrowed from the JIT frame.
        let (o, k, v) = unsafe { (view(ot, op), view(kt, kp), view(vt, vp)) };
        // Check first, so that a failure never drops the clone inside `store_index` after a
        // partial effect (store_index checks before it writes, but keep the contract local).
        match ops::store_index(&o, &k, (*v).clone()) {
            Ok(()) => 0,
            Err(_) => 1,
        }
    }

    /// `slot = slot + b` for the ADD of `s = s + b`: a string nobody else holds grows in place
    /// (as the interpreter's fused path does, so string building stays linear); otherwise
    /// `ops::add`. The result (the slot's new value, not yet stored) goes to `out`; 1 on error.
    AddToSlot: fn rt_add_to_slot(slot: *mut Value, bt: u64, bp: u64, out: *mut Value) -> u32 {
        // SAFETY: `slot` is a live, assigned frame slot that no other reference borrows during
        // the call; `b` is a live value borrowed from the JIT frame (not this slot).
        let (s, b) = unsafe { (&mut *slot, view(bt, bp)) };
        if s.append_display_in_place(&b) {
            // SAFETY: `out` is a 16-byte slot of the JIT frame.
            unsafe { put(out, s.clone()) };
            return 0;
        }
        match ops::add(s, &b) {
            // SAFETY: `out` is a 16-byte slot of the JIT frame.
            Ok(v) => unsafe { put(out, v); 0 },
            Err(_) => 1,
        }
    }

    /// `[v0, ..., vn-1]`: a new list of the `n` values at `items`, whose counts the caller
    /// hands over (as `BUILD_LIST` takes its operands off the stack); never fails.
    BuildList: fn rt_build_list(items: *const Value, n: u64, out: *mut Value) -> u32 {
        let items: Vec<Value> = (0..n as usize)
            // SAFETY: `items` holds `n` initialised values of the JIT frame's argument area,
            // each owned by the caller, which does not use or drop them after this call.
            .map(|i| unsafe { std::ptr::read(items.add(i)) })
            .collect();
        // SAFETY: `out` is a 16-byte slot of the JIT frame.
        unsafe { put(out, Value::list(items)) };
        0
    }

    /// `{k0: v0, ...}`: a new map of the `n` key-value pairs at `items`, which stay the
    /// caller's (the map holds clones, so that on an error, a key that cannot be one, the
    /// caller still has them for the interpreter to redo the instruction); 1 on error.
    BuildMap: fn rt_build_map(items: *const Value, n: u64, out: *mut Value) -> u32 {
        let items: Vec<Value> = (0..2 * n as usize)
            // SAFETY: `items` holds `2n` initialised values of the JIT frame's argument area,
            // borrowed for the call.
            .map(|i| unsafe { (*items.add(i)).clone() })
            .collect();
        match ops::build_map(items) {
            // SAFETY: `out` is a 16-byte slot of the JIT frame.
            Ok(v) => unsafe { put(out, v); 0 },
            Err(_) => 1,
        }
    }

    /// `append(list, v)`: pushes a clone of `v`; 1 if the first operand is not a list.
    Append: fn rt_append(lt: u64, lp: u64, vt: u64, vp: u64) -> u32 {
        // SAFETY: live values borrowed from the JIT frame.
        let (l, v) = unsafe { (view(lt, lp), view(vt, vp)) };
        match l.as_list() {
            // Past the length limit the interpreter re-runs the call and raises the error.
            Some(items) => match ops::list_push(items, (*v).clone()) {
                Ok(()) => 0,
                Err(_) => 1,
            },
            None => 1,
        }
    }

    /// `out := o.name` (`GET_ATTR`; `name` points at the instruction's string constant);
    /// never fails (a missing field or a non-object gives `null`, as in the interpreter).
    GetAttr: fn rt_get_attr(ot: u64, op: u64, name: *const Value, out: *mut Value) -> u32 {
        // SAFETY: a live value borrowed from the JIT frame; `name` is a live constant.
        let (o, name) = unsafe { (view(ot, op), &*name) };
        match crate::attr::get_attr_by(&o, name) {
            // SAFETY: `out` is a 16-byte slot of the JIT frame.
            Ok(v) => unsafe { put(out, v); 0 },
            Err(_) => 1,
        }
    }

    /// `o.name := v` (`SET_ATTR`; v is cloned); 1 when `o` cannot have properties, in which
    /// case nothing changed.
    SetAttr: fn rt_set_attr(ot: u64, op: u64, name: *const Value, vt: u64, vp: u64) -> u32 {
        // SAFETY: live values borrowed from the JIT frame; `name` is a live constant.
        let (o, name, v) = unsafe { (view(ot, op), &*name, view(vt, vp)) };
        match crate::attr::set_attr_by(&o, name, (*v).clone()) {
            Ok(()) => 0,
            Err(_) => 1,
        }
    }

    /// `len(v)` of a string, list or map into `out` (an int); 1 for anything else.
    Len: fn rt_len(vt: u64, vp: u64, out: *mut Value) -> u32 {
        // SAFETY: a live value borrowed from the JIT frame.
        let v = unsafe { view(vt, vp) };
        match ops::len(&v) {
            // SAFETY: `out` is a 16-byte slot of the JIT frame.
            Ok(n) => unsafe { put(out, Value::int(n)); 0 },
            Err(_) => 1,
        }
    }

    /// Float floor modulo (the sign of the divisor), as `%` on floats; `y != 0`.
    Fmod: fn rt_fmod(x: f64, y: f64) -> f64 {
        let r = x % y;
        if r != 0.0 && ((r < 0.0) != (y < 0.0)) { r + y } else { r }
    }

    /// `x ** y` for floats.
    Fpow: fn rt_fpow(x: f64, y: f64) -> f64 {
        x.powf(y)
    }
}

/// The float `%` of `ops::rem` for two floats, for tests that the helper agrees.
pub fn float_mod(x: f64, y: f64) -> f64 {
    // SAFETY: rt_fmod only does float arithmetic.
    unsafe { rt_fmod(x, y) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{TAG_FLOAT, TAG_INT};

    #[test]
    fn list_layout_constants_address_the_stores() {
        use crate::list::layout::*;
        let v = Value::list(vec![Value::int(7), Value::int(9)]);
        let base = v.payload as *const u8;
        // SAFETY: the layout constants are offsets of words inside a live ListObj.
        unsafe {
            assert_eq!(*(base.add(VALUES_LEN as usize) as *const usize), 2);
            assert!(*(base.add(VALUES_CAP as usize) as *const usize) >= 2);
            assert_eq!(*(base.add(BOOLS_LEN as usize) as *const usize), 0);
            let data = *(base.add(VALUES_PTR as usize) as *const *const Value);
            assert_eq!((*data.add(1)).payload, 9);
        }
        let b = Value::list(vec![
            Value::bool(false),
            Value::bool(true),
            Value::bool(true),
        ]);
        let base = b.payload as *const u8;
        // SAFETY: as above.
        unsafe {
            assert_eq!(*(base.add(BOOLS_LEN as usize) as *const usize), 3);
            assert!(*(base.add(BOOLS_CAP as usize) as *const usize) >= 3);
            assert_eq!(*(base.add(VALUES_LEN as usize) as *const usize), 0);
            let data = *(base.add(BOOLS_PTR as usize) as *const *const u8);
            assert_eq!(*data.add(1), 1);
        }
    }

    #[test]
    fn table_lists_every_helper_once() {
        let t = helpers();
        let mut names: Vec<_> = t.iter().map(|h| h.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), t.len());
        assert!(t
            .iter()
            .all(|h| h.name.starts_with("rt_") && !h.addr.is_null()));
        // The id is the position, and names the same helper.
        assert_eq!(HelperId::ALL.len(), t.len());
        for (i, h) in t.iter().enumerate() {
            assert_eq!(h.id as usize, i);
            assert_eq!(h.id.name(), h.name);
        }
    }

    #[test]
    fn helpers_agree_with_ops() {
        // SAFETY: every call passes live values and a valid `out` slot, and `out` is read
        // only after a call that returned 0 wrote it.
        unsafe {
            let mut out = std::mem::MaybeUninit::<Value>::uninit();
            let s = Value::str("ab");
            assert_eq!(
                rt_binop(
                    ArithKind::Add as u64,
                    s.tag,
                    s.payload,
                    TAG_INT,
                    3,
                    out.as_mut_ptr()
                ),
                0
            );
            let v = out.assume_init_read();
            assert_eq!(v.as_str(), Some("ab3"));
            assert_eq!(
                rt_binop(
                    ArithKind::Div as u64,
                    TAG_INT,
                    1,
                    TAG_INT,
                    0,
                    out.as_mut_ptr()
                ),
                1
            );
            assert_eq!(
                rt_compare(
                    CmpKind::Lt as u64,
                    TAG_FLOAT,
                    f64::NAN.to_bits(),
                    TAG_INT,
                    1
                ),
                0
            );
            assert_eq!(rt_fmod(-1.0, 3.0), 2.0);
            let l = Value::list(vec![Value::int(1)]);
            assert_eq!(rt_index(l.tag, l.payload, TAG_INT, 5, out.as_mut_ptr()), 1);
            assert_eq!(
                rt_store_index(l.tag, l.payload, TAG_INT, 0, s.tag, s.payload),
                0
            );
            assert_eq!(l.as_list().unwrap().get(0).unwrap().as_str(), Some("ab"));
        }
    }
}
