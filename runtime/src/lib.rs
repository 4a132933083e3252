//! `zexus-runtime`: the values of the Zexus language in the `#[repr(C)]` layout that the
//! interpreter and Cranelift-compiled code share, their heap objects, and the operator
//! semantics both tiers call so that they agree exactly.

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod address;
pub mod attr;
pub mod bitwise;
pub mod closure;
pub mod display;
pub mod heap;
pub mod jit_helpers;
pub mod list;
pub mod meter;
pub mod object;
pub mod ops;
pub mod value;

pub use closure::Closure;
pub use heap::{Key, MapObj, RangeIter, StrObj};
pub use list::ListObj;
pub use object::{Class, ClassKind, Instance};
pub use ops::{OpError, OpResult, Side};
pub use value::{Kind, Value};
