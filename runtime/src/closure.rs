//! Closures and the cells they share with the function that made them.
//!
//! A variable of a function that a nested function (or lambda) uses lives in a *cell*: a
//! shared, mutable box (`TAG_CELL`, internal, never visible to programs). A *closure*
//! (`TAG_CLOSURE`, a function value to programs) is a function index with the cells it
//! captured; calling it passes the cells as hidden arguments after the declared ones, so the
//! closure and the function that made it read and write the same variables.

use std::cell::RefCell;
use std::rc::Rc;

use crate::value::{Value, TAG_CELL, TAG_CLOSURE};

/// A function value with captured cells.
#[derive(Debug)]
pub struct Closure {
    /// The function's index in its bytecode.
    pub func: u32,
    /// The captured cells (`TAG_CELL` values), in the order of the function's hidden
    /// parameters.
    pub cells: Vec<Value>,
}

/// The contents of a cell.
pub type CellObj = RefCell<Value>;

impl Value {
    /// A new cell holding `v`.
    pub fn cell(v: Value) -> Value {
        // SAFETY: the payload comes from `Rc::into_raw` of the type TAG_CELL names.
        unsafe { Value::from_raw_parts(TAG_CELL, Rc::into_raw(Rc::new(RefCell::new(v))) as u64) }
    }

    /// A new closure of function `func` over `cells`.
    pub fn closure(func: u32, cells: Vec<Value>) -> Value {
        let c = Rc::new(Closure { func, cells });
        // SAFETY: the payload comes from `Rc::into_raw` of the type TAG_CLOSURE names.
        unsafe { Value::from_raw_parts(TAG_CLOSURE, Rc::into_raw(c) as u64) }
    }

    /// The cell, if this is one.
    pub fn as_cell(&self) -> Option<&CellObj> {
        if self.tag == TAG_CELL {
            // SAFETY: a TAG_CELL payload is a live `Rc<RefCell<Value>>` owned by `self`.
            Some(unsafe { &*(self.payload as *const CellObj) })
        } else {
            None
        }
    }

    /// The closure, if this is one.
    pub fn as_closure(&self) -> Option<&Closure> {
        if self.tag == TAG_CLOSURE {
            // SAFETY: a TAG_CLOSURE payload is a live `Rc<Closure>` owned by `self`.
            Some(unsafe { &*(self.payload as *const Closure) })
        } else {
            None
        }
    }

    /// The function index of a function or closure value.
    pub fn func_index(&self) -> Option<u32> {
        self.as_func().or_else(|| self.as_closure().map(|c| c.func))
    }
}
