//! Lists: a mutable sequence shared by reference, stored in one of two element kinds.
//!
//! - **values**: 16-byte [`Value`]s, any mix of types;
//! - **bools**: one byte per element, while every element is a bool (a sieve's flags, a
//!   visited set), so ten million flags take 10 MB instead of 160 MB.
//!
//! The kind is invisible to programs: a list starts compact when its first elements are all
//! bools and moves to values, once and for good, when anything else is stored in it (like V8's
//! elements kinds). At most one of the two vectors is non-empty.

use std::cell::RefCell;

use crate::value::{Value, TAG_BOOL};

/// A mutable list shared by reference.
#[derive(Debug, Default)]
pub struct ListObj {
    items: RefCell<Items>,
}

/// The two stores; JIT code reads them in place (offsets probed by
/// [`crate::jit_helpers::list_layout`]).
#[derive(Debug, Default)]
#[repr(C)]
pub(crate) struct Items {
    /// The elements when the list is not compact.
    pub(crate) values: Vec<Value>,
    /// The elements (0 or 1) when every element is a bool and `values` is empty.
    pub(crate) bools: Vec<u8>,
}

impl Items {
    /// Moves compact elements to `values` (before storing a non-bool).
    #[cold]
    fn widen(&mut self) {
        let bools = std::mem::take(&mut self.bools);
        self.values = bools.into_iter().map(|b| Value::bool(b != 0)).collect();
    }
}

impl ListObj {
    /// A list holding `items`: compact when they are all bools.
    pub fn new(items: Vec<Value>) -> ListObj {
        let all_bools = !items.is_empty() && items.iter().all(|v| v.tag == TAG_BOOL);
        let items = if all_bools {
            Items {
                values: Vec::new(),
                bools: items.iter().map(|v| v.payload as u8).collect(),
            }
        } else {
            Items {
                values: items,
                bools: Vec::new(),
            }
        };
        ListObj {
            items: RefCell::new(items),
        }
    }

    /// A compact list of these flags (each 0 or 1), with their capacity.
    pub(crate) fn from_bools(bools: Vec<u8>) -> ListObj {
        debug_assert!(bools.iter().all(|&b| b <= 1));
        ListObj {
            items: RefCell::new(Items {
                values: Vec::new(),
                bools,
            }),
        }
    }

    /// The number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        let items = self.items.borrow();
        items.values.len() + items.bools.len()
    }

    /// True if the list has no elements.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True while the elements are stored one byte each (all bools).
    pub fn is_compact(&self) -> bool {
        !self.items.borrow().bools.is_empty()
    }

    /// The element at `i`, or `None` past the end.
    #[inline]
    pub fn get(&self, i: usize) -> Option<Value> {
        let items = self.items.borrow();
        if let Some(v) = items.values.get(i) {
            return Some(v.clone());
        }
        items.bools.get(i).map(|&b| Value::bool(b != 0))
    }

    /// Replaces the element at `i` with `v`; false (and `v` dropped) past the end.
    #[inline]
    pub fn set(&self, i: usize, v: Value) -> bool {
        let mut items = self.items.borrow_mut();
        if i < items.values.len() {
            let old = std::mem::replace(&mut items.values[i], v);
            // The old value may be the last reference to a list: drop it unborrowed.
            drop(items);
            drop(old);
            return true;
        }
        if i >= items.bools.len() {
            return false;
        }
        if v.tag == TAG_BOOL {
            items.bools[i] = v.payload as u8;
        } else {
            items.widen();
            items.values[i] = v;
        }
        true
    }

    /// Appends `v` (the caller checks the length limit).
    #[inline]
    pub fn push(&self, v: Value) {
        let mut items = self.items.borrow_mut();
        if v.tag == TAG_BOOL && items.values.is_empty() {
            items.bools.push(v.payload as u8);
            return;
        }
        if !items.bools.is_empty() {
            items.widen();
        }
        items.values.push(v);
    }

    /// Removes and returns the last element.
    pub fn pop(&self) -> Option<Value> {
        let mut items = self.items.borrow_mut();
        match items.values.pop() {
            Some(v) => Some(v),
            None => items.bools.pop().map(|b| Value::bool(b != 0)),
        }
    }

    /// A copy of the elements.
    pub fn to_vec(&self) -> Vec<Value> {
        let items = self.items.borrow();
        if items.bools.is_empty() {
            items.values.clone()
        } else {
            items.bools.iter().map(|&b| Value::bool(b != 0)).collect()
        }
    }

    /// Moves the elements out (the list is left empty), for dropping without recursion.
    pub(crate) fn take_values(&self) -> Vec<Value> {
        std::mem::take(&mut self.items.borrow_mut().values)
    }

    /// The element store, for the layout probe.
    pub(crate) fn items(&self) -> &RefCell<Items> {
        &self.items
    }
}

impl Drop for ListObj {
    fn drop(&mut self) {
        let mut values = std::mem::take(&mut self.items.get_mut().values);
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
