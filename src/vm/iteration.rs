//! Iteration and indexing, out of the run loop's arms: `FOR_ITER`'s next item (a range's
//! inline) and `INDEX` (a list's in-range element inline). Both are `#[inline(always)]`: they
//! are the loop's own code, kept here so that its arms stay short.

use zexus_runtime::value::{TAG_INT, TAG_LIST};
use zexus_runtime::{ops, OpError, RangeIter, Value};

/// The next item of iterator `it` for a `FOR_ITER` giving `c` values per item (1: the value;
/// 2: the index or key, then the value): `Ok(None)` when it is exhausted, `Err` when `it` is
/// no iterator (which verified code never runs into).
#[inline(always)]
pub(super) fn next(it: &Value, c: u32) -> Result<Option<(Value, Value)>, String> {
    let Some(cell) = it.as_iter() else {
        return Err("FOR_ITER without an iterator".to_string());
    };
    let mut state = cell.borrow_mut();
    Ok(match &mut *state {
        RangeIter::Range { next, end, index } if c == 1 => {
            if *next < *end {
                let v = *next;
                *next += 1;
                *index += 1;
                Some((Value::NULL, Value::int(v)))
            } else {
                None
            }
        }
        other => other.next_for(c),
    })
}

/// `o[k]`: a list's element in range directly, anything else (and every error) by the general
/// operator.
#[inline(always)]
pub(super) fn index(o: &Value, k: &Value) -> Result<Value, OpError> {
    if o.tag() == TAG_LIST && k.tag() == TAG_INT {
        if let Some(v) = o.as_list().expect("list").get(k.payload() as usize) {
            return Ok(v);
        }
    }
    ops::index(o, k)
}
