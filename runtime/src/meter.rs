//! The heap meter: bytes of live strings, lists and maps on this thread, for the VM's heap
//! limit (`VmBuilder::max_heap`).
//!
//! Every allocation path of those objects reports its buffer's size here: a string when it is
//! made, grown in place or dropped; a list's element store whenever its buffer changes (made,
//! grown, taken); a map's table when a mutable borrow ends with another capacity, and when it
//! is dropped. The count is of buffer capacities (what the objects hold from the allocator,
//! not counting the allocator's own rounding or the small fixed-size object headers).
//!
//! With no limit armed the meter only adds and subtracts. An armed limit that is passed sets a
//! sticky flag and zeroes the run's fuel cell (see `src/vm/limits.rs`), so that the run loop
//! and compiled code, which check that cell at their next instruction or back edge, stop the
//! run with the heap-limit error. Allocations themselves never fail here: the limit is seen
//! right after the allocation that passes it.

use std::cell::Cell;

struct Meter {
    live: Cell<usize>,
    limit: Cell<usize>,
    tripped: Cell<bool>,
    stop: Cell<*mut i64>,
}

thread_local! {
    static METER: Meter = const {
        Meter {
            live: Cell::new(0),
            limit: Cell::new(usize::MAX),
            tripped: Cell::new(false),
            stop: Cell::new(std::ptr::null_mut()),
        }
    };
}

/// Records `bytes` more live heap bytes.
#[inline]
pub fn charge(bytes: usize) {
    if bytes == 0 {
        return;
    }
    METER.with(|m| {
        let live = m.live.get().wrapping_add(bytes);
        m.live.set(live);
        if live > m.limit.get() {
            trip(m);
        }
    });
}

/// Records `bytes` fewer live heap bytes.
#[inline]
pub fn release(bytes: usize) {
    if bytes == 0 {
        return;
    }
    METER.with(|m| m.live.set(m.live.get().wrapping_sub(bytes)));
}

/// Records a buffer that changed from `old` to `new` bytes.
#[inline]
pub fn resize(old: usize, new: usize) {
    if new > old {
        charge(new - old);
    } else {
        release(old - new);
    }
}

#[cold]
#[inline(never)]
fn trip(m: &Meter) {
    m.tripped.set(true);
    let stop = m.stop.get();
    if !stop.is_null() {
        // SAFETY: `arm`'s caller keeps the cell alive and valid until `disarm`.
        unsafe { *stop = 0 };
    }
}

/// Live bytes of strings, lists and maps on this thread now.
pub fn live() -> usize {
    METER.with(|m| m.live.get())
}

/// Arms the limit: from now on, live bytes above `limit` set [`tripped`] and write 0 to
/// `stop`. Returns whether the limit is already passed.
///
/// # Safety
/// `stop` is null or valid for writes until [`disarm`] is called on this thread.
pub unsafe fn arm(limit: usize, stop: *mut i64) -> bool {
    METER.with(|m| {
        m.limit.set(limit);
        m.stop.set(stop);
        m.tripped.set(m.live.get() > limit);
        m.tripped.get()
    })
}

/// Removes the limit and forgets the stop cell.
pub fn disarm() {
    METER.with(|m| {
        m.limit.set(usize::MAX);
        m.stop.set(std::ptr::null_mut());
        m.tripped.set(false);
    });
}

/// True once live bytes passed the armed limit (until the next [`arm`] or [`disarm`]).
pub fn tripped() -> bool {
    METER.with(|m| m.tripped.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_lists_and_maps_are_counted_and_released() {
        use crate::value::Value;
        let before = live();
        let s = Value::str("x".repeat(1000));
        assert!(live() >= before + 1000);
        let l = Value::list(vec![Value::int(1); 100]);
        assert!(live() >= before + 1000 + 100 * 16);
        for i in 0..1000 {
            l.as_list().unwrap().push(Value::int(i));
        }
        assert!(live() >= before + 1000 + 1100 * 16);
        let m = Value::map(crate::heap::MapObj::new());
        for i in 0..100 {
            m.as_map()
                .unwrap()
                .borrow_mut()
                .insert(crate::heap::Key::new(&Value::int(i)).unwrap(), Value::NULL);
        }
        assert!(live() >= before + 1000 + 1100 * 16 + 100 * 32);
        drop((s, l, m));
        assert_eq!(live(), before);
    }

    #[test]
    fn an_armed_limit_trips_and_writes_the_stop_cell() {
        let mut cell: i64 = 99;
        // SAFETY: `cell` outlives the armed period (disarmed below).
        assert!(!unsafe { arm(live() + 10_000, &mut cell) });
        let small = crate::value::Value::str("y".repeat(100));
        assert!(!tripped());
        assert_eq!(cell, 99);
        let big = crate::value::Value::str("z".repeat(20_000));
        assert!(tripped());
        assert_eq!(cell, 0);
        disarm();
        assert!(!tripped());
        drop((small, big));
    }
}
