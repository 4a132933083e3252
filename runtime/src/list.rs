//! Lists: a mutable sequence shared by reference, stored in one of two element kinds.
//!
//! - **values**: 16-byte [`Value`]s, any mix of types;
//! - **bools**: one byte per element, while every element is a bool (a sieve's flags, a
//!   visited set), so ten million flags take 10 MB instead of 160 MB.
//!
//! The kind is invisible to programs: a list starts compact when its first elements are all
//! bools and moves to values, once and for good, when anything else is stored in it (like V8's
//! elements kinds). At most one of the two stores is non-empty.
//!
//! # Layout
//!
//! JIT code reads and writes elements in place, so the layout of [`ListObj`] is ours and fixed
//! (`#[repr(C)]`, checked at compile time; the byte offsets are the constants in [`layout`]):
//!
//! | offset | word |
//! |---|---|
//! | 0 | value store: pointer to the first `Value` |
//! | 8 | value store: length |
//! | 16 | value store: capacity |
//! | 24 | bool store: pointer to the first byte (each 0 or 1) |
//! | 32 | bool store: length |
//! | 40 | bool store: capacity |
//!
//! Each store's (pointer, length, capacity) are those of a `Vec` of the global allocator, taken
//! apart with `ManuallyDrop` and rebuilt with `Vec::from_raw_parts` when the store has to
//! grow or shrink, so elements `0..len` are initialised and the buffer holds `cap` of them.
//!
//! # Why there is no borrow flag
//!
//! The words live in `Cell`s, so they may change behind a shared `&ListObj` (as JIT code
//! changes them). Lists are `!Sync` (they are reached only through `Rc`), so every access is
//! on one thread. No reference into a buffer ever escapes a method of this module: elements
//! are cloned out or replaced by `ptr::replace`, and a store that is resized is first taken out
//! of the list (the list then looks empty) and put back afterwards. So even a reentrant access
//! from inside a method (there is none: the methods call nothing but allocation, reference
//! counting and moves) would see a valid, possibly empty, list and never a dangling buffer.
//! JIT code and the `rt_*` helpers run only between these methods, never inside one.

use std::cell::Cell;
use std::mem::{offset_of, size_of, ManuallyDrop};
use std::ptr::NonNull;

use crate::meter::AllocKind;
use crate::value::{Value, TAG_BOOL};

/// One element store: the (pointer, length, capacity) of a `Vec<T>` that the list owns.
#[repr(C)]
struct Store<T> {
    /// The buffer (dangling while `cap == 0`).
    ptr: Cell<*mut T>,
    /// Elements `0..len` are initialised.
    len: Cell<usize>,
    /// Elements the buffer has room for.
    cap: Cell<usize>,
}

impl<T> Store<T> {
    /// An empty store.
    fn empty() -> Store<T> {
        Store::from_vec(Vec::new())
    }

    /// A store owning `v`'s buffer and elements.
    fn from_vec(v: Vec<T>) -> Store<T> {
        crate::meter::charge(AllocKind::List, v.capacity() * size_of::<T>());
        let mut v = ManuallyDrop::new(v);
        Store {
            ptr: Cell::new(v.as_mut_ptr()),
            len: Cell::new(v.len()),
            cap: Cell::new(v.capacity()),
        }
    }

    /// Moves the elements out as a `Vec`, leaving the store empty.
    fn take(&self) -> Vec<T> {
        crate::meter::release(self.cap.get() * size_of::<T>());
        self.take_unmetered()
    }

    /// [`take`](Self::take) without telling the heap meter (the buffer comes back).
    fn take_unmetered(&self) -> Vec<T> {
        let (ptr, len, cap) = (self.ptr.get(), self.len.get(), self.cap.get());
        self.ptr.set(NonNull::dangling().as_ptr());
        self.len.set(0);
        self.cap.set(0);
        // SAFETY: (ptr, len, cap) are the parts of a `Vec<T>` this store owned (the module's
        // invariant); the store no longer refers to them, so the `Vec` is their only owner.
        unsafe { Vec::from_raw_parts(ptr, len, cap) }
    }

    /// Gives the store `v`'s elements; the store must be empty (its buffer was taken).
    fn put(&self, v: Vec<T>) {
        crate::meter::charge(AllocKind::List, v.capacity() * size_of::<T>());
        self.put_unmetered(v);
    }

    /// [`put`](Self::put) without telling the heap meter.
    fn put_unmetered(&self, v: Vec<T>) {
        debug_assert!(self.cap.get() == 0, "a store is put back only when empty");
        let mut v = ManuallyDrop::new(v);
        self.ptr.set(v.as_mut_ptr());
        self.len.set(v.len());
        self.cap.set(v.capacity());
    }

    /// Runs `f` on the elements as a `Vec` (which may grow, shrink or reallocate). `f` must
    /// not drop elements that may own heap objects: return them instead (see `ListObj::set`).
    fn with_vec<R>(&self, f: impl FnOnce(&mut Vec<T>) -> R) -> R {
        // The meter hears only of a buffer that changed size (not on every push).
        let old = self.cap.get();
        let mut v = self.take_unmetered();
        let r = f(&mut v);
        let new = v.capacity();
        self.put_unmetered(v);
        if new != old {
            crate::meter::resize(AllocKind::List, old * size_of::<T>(), new * size_of::<T>());
        }
        r
    }

    /// The number of elements.
    #[inline(always)]
    fn len(&self) -> usize {
        self.len.get()
    }

    /// A pointer to element `i`, if `i < len`.
    #[inline(always)]
    fn at(&self, i: usize) -> Option<*mut T> {
        // SAFETY: `i < len <= cap`, so the offset stays inside the buffer.
        (i < self.len.get()).then(|| unsafe { self.ptr.get().add(i) })
    }
}

/// A mutable list shared by reference (layout in the module docs and [`layout`]).
#[repr(C)]
pub struct ListObj {
    /// The elements when the list is not compact.
    values: Store<Value>,
    /// The elements (0 or 1) when every element is a bool and `values` is empty.
    bools: Store<u8>,
}

/// Byte offsets, from the address a `TAG_LIST` payload holds, of the words of a [`ListObj`]
/// that JIT code reads and writes (see the module docs).
pub mod layout {
    use super::*;

    /// The value store's element pointer (`*mut Value`).
    pub const VALUES_PTR: i32 =
        (offset_of!(ListObj, values) + offset_of!(Store<Value>, ptr)) as i32;
    /// The value store's length (`usize`).
    pub const VALUES_LEN: i32 =
        (offset_of!(ListObj, values) + offset_of!(Store<Value>, len)) as i32;
    /// The value store's capacity (`usize`).
    pub const VALUES_CAP: i32 =
        (offset_of!(ListObj, values) + offset_of!(Store<Value>, cap)) as i32;
    /// The bool store's byte pointer (`*mut u8`).
    pub const BOOLS_PTR: i32 = (offset_of!(ListObj, bools) + offset_of!(Store<u8>, ptr)) as i32;
    /// The bool store's length (`usize`).
    pub const BOOLS_LEN: i32 = (offset_of!(ListObj, bools) + offset_of!(Store<u8>, len)) as i32;
    /// The bool store's capacity (`usize`).
    pub const BOOLS_CAP: i32 = (offset_of!(ListObj, bools) + offset_of!(Store<u8>, cap)) as i32;

    // JIT code loads and stores these as 64-bit words, and elements as 16-byte values.
    const _: () = assert!(size_of::<Cell<*mut Value>>() == 8 && size_of::<Cell<usize>>() == 8);
    const _: () = assert!(size_of::<usize>() == 8 && size_of::<Value>() == 16);
    const _: () = assert!(size_of::<ListObj>() == 48);
    const _: () = assert!(VALUES_PTR == 0 && VALUES_LEN == 8 && VALUES_CAP == 16);
    const _: () = assert!(BOOLS_PTR == 24 && BOOLS_LEN == 32 && BOOLS_CAP == 40);
}

impl std::fmt::Debug for ListObj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.to_vec()).finish()
    }
}

impl Default for ListObj {
    fn default() -> ListObj {
        ListObj::new(Vec::new())
    }
}

/// Moves compact elements to `values` (before storing a non-bool).
#[cold]
fn widen(list: &ListObj) {
    let bools = list.bools.take();
    let values: Vec<Value> = bools.into_iter().map(|b| Value::bool(b != 0)).collect();
    list.values.take();
    list.values.put(values);
}

impl ListObj {
    /// A list holding `items`: compact when they are all bools.
    pub fn new(items: Vec<Value>) -> ListObj {
        let all_bools = !items.is_empty() && items.iter().all(|v| v.tag() == TAG_BOOL);
        if all_bools {
            ListObj::from_bools(items.iter().map(|v| v.payload() as u8).collect())
        } else {
            crate::meter::new_object(AllocKind::List, 0);
            ListObj {
                values: Store::from_vec(items),
                bools: Store::empty(),
            }
        }
    }

    /// A compact list of these flags (each 0 or 1), with their capacity.
    pub(crate) fn from_bools(bools: Vec<u8>) -> ListObj {
        debug_assert!(bools.iter().all(|&b| b <= 1));
        crate::meter::new_object(AllocKind::List, 0);
        ListObj {
            values: Store::empty(),
            bools: Store::from_vec(bools),
        }
    }

    /// The number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.values.len() + self.bools.len()
    }

    /// True if the list has no elements.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True while the elements are stored one byte each (all bools).
    pub fn is_compact(&self) -> bool {
        self.bools.len() != 0
    }

    /// The element at `i`, or `None` past the end.
    #[inline]
    pub fn get(&self, i: usize) -> Option<Value> {
        if let Some(p) = self.values.at(i) {
            // SAFETY: `p` is an initialised element; it is cloned before anything else runs.
            return Some(unsafe { (*p).clone() });
        }
        // SAFETY: as above; a bool element is a byte.
        self.bools.at(i).map(|p| Value::bool(unsafe { *p } != 0))
    }

    /// Replaces the element at `i` with `v`; false (and `v` dropped) past the end.
    #[inline]
    pub fn set(&self, i: usize, v: Value) -> bool {
        if let Some(p) = self.values.at(i) {
            // SAFETY: `p` is an initialised element; the old value is moved out, and dropped
            // (which may free other objects) only after the list is consistent again.
            let old = unsafe { std::ptr::replace(p, v) };
            drop(old);
            return true;
        }
        let Some(p) = self.bools.at(i) else {
            return false;
        };
        if v.tag() == TAG_BOOL {
            // SAFETY: `p` is an element of the bool store.
            unsafe { *p = v.payload() as u8 };
        } else {
            widen(self);
            let p = self.values.at(i).expect("widening keeps the length");
            // SAFETY: `p` is an initialised element, a bool (nothing to drop).
            unsafe { *p = v };
        }
        true
    }

    /// Appends `v` (the caller checks the length limit). Out of line: callers' hot paths
    /// stay small, and JIT code appends inline anyway.
    #[inline(never)]
    pub fn push(&self, v: Value) {
        if v.tag() == TAG_BOOL && self.values.len() == 0 {
            self.bools.with_vec(|b| b.push(v.payload() as u8));
            return;
        }
        if self.bools.len() != 0 {
            widen(self);
        }
        self.values.with_vec(|vs| vs.push(v));
    }

    /// Removes and returns the last element.
    pub fn pop(&self) -> Option<Value> {
        if self.values.len() != 0 {
            return self.values.with_vec(|vs| vs.pop());
        }
        self.bools
            .with_vec(|b| b.pop())
            .map(|b| Value::bool(b != 0))
    }

    /// A copy of the elements.
    pub fn to_vec(&self) -> Vec<Value> {
        (0..self.len()).filter_map(|i| self.get(i)).collect()
    }

    /// Where element `i` is stored, and its size in bytes (16 for a value, 1 for a compact
    /// bool), or `None` past the end: for the cache simulation (`crate::address`).
    pub fn element_addr(&self, i: usize) -> Option<(usize, usize)> {
        if let Some(p) = self.values.at(i) {
            return Some((p as usize, size_of::<Value>()));
        }
        self.bools.at(i).map(|p| (p as usize, 1))
    }

    /// Moves the elements out (the list is left empty), for dropping without recursion.
    pub(crate) fn take_values(&self) -> Vec<Value> {
        self.values.take()
    }
}

impl Drop for ListObj {
    fn drop(&mut self) {
        drop(self.bools.take());
        let mut values = self.values.take();
        if values.iter().any(|v| v.is_heap()) {
            crate::heap::drop_iteratively(values);
        } else {
            // SAFETY: no element owns a heap object, so dropping them is a no-op: skip the
            // second pass over a possibly huge list.
            unsafe { values.set_len(0) };
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_bools_is_compact_until_something_else_is_stored() {
        let l = ListObj::new(vec![Value::bool(true), Value::bool(false)]);
        assert!(l.is_compact());
        l.push(Value::bool(true));
        assert!(l.set(1, Value::bool(true)));
        assert!(l.is_compact());
        assert_eq!(l.get(1).and_then(|v| v.as_bool()), Some(true));
        assert!(l.set(0, Value::int(7)));
        assert!(!l.is_compact());
        assert_eq!(l.get(0).and_then(|v| v.as_int()), Some(7));
        assert_eq!(l.get(2).and_then(|v| v.as_bool()), Some(true));
        assert_eq!(l.len(), 3);
        assert!(l.get(3).is_none());
        assert!(!l.set(3, Value::bool(true)));
    }

    #[test]
    fn growing_widening_and_dropping_keep_every_reference_count_right() {
        let s = Value::str("shared");
        let l = ListObj::new(vec![Value::bool(true)]);
        for i in 0..1000 {
            // Pushes reallocate the store many times; the first widens the bool store.
            l.push(if i % 2 == 0 { s.clone() } else { Value::int(i) });
        }
        assert_eq!(l.len(), 1001);
        assert!(l.set(0, s.clone()));
        assert!(l.set(2, Value::int(-1)));
        assert_eq!(
            l.get(1).and_then(|v| v.as_str().map(str::to_owned)),
            Some("shared".into())
        );
        assert!(!s.is_last_reference());
        while l.len() > 500 {
            drop(l.pop());
        }
        drop(l);
        assert!(
            s.is_last_reference(),
            "every copy the list held was given back"
        );
    }

    #[test]
    fn pushes_pick_the_kind_and_pops_give_bools_back() {
        let l = ListObj::new(vec![]);
        l.push(Value::bool(false));
        assert!(l.is_compact());
        l.push(Value::str("x"));
        assert!(!l.is_compact());
        assert_eq!(l.to_vec().len(), 2);
        assert_eq!(
            l.pop().and_then(|v| v.as_str().map(str::to_owned)),
            Some("x".into())
        );
        assert_eq!(l.pop().and_then(|v| v.as_bool()), Some(false));
        assert!(l.pop().is_none());
        let c = ListObj::new(vec![Value::bool(true)]);
        assert_eq!(c.pop().and_then(|v| v.as_bool()), Some(true));
        assert!(c.is_empty() && c.pop().is_none());
    }
}
