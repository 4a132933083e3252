//! Every byte offset and size that JIT code relies on, each derived from the Rust type with
//! `offset_of!`/`size_of` and checked at compile time, so a change of layout fails the build
//! instead of making native code read the wrong word.
//!
//! - values: [`V_TAG`], [`V_PAYLOAD`], [`V_SIZE`] (frames, globals, constants and the operand
//!   stack are arrays of `Value`s);
//! - lists: `zexus_runtime::list::layout`;
//! - [`super::JitFrame`] (`F_*`), [`super::HostFns`] (`H_*`), [`super::func::FnCtx`] (`C_*`);
//! - inline counters: arrays of `u64` ([`CTR_SIZE`]).

use std::mem::{align_of, offset_of, size_of};

use zexus_runtime::value::{VALUE_PAYLOAD_OFFSET, VALUE_SIZE, VALUE_TAG_OFFSET};
use zexus_runtime::Value;

use super::func::FnCtx;
use super::{HostFns, JitFrame};

/// Offset of a value's tag word.
pub(crate) const V_TAG: i32 = VALUE_TAG_OFFSET;
/// Offset of a value's payload word.
pub(crate) const V_PAYLOAD: i32 = VALUE_PAYLOAD_OFFSET;
/// Size of a value.
pub(crate) const V_SIZE: i32 = VALUE_SIZE as i32;
/// `log2(V_SIZE)`: an index shifted left by this is a byte offset into an array of values.
pub(crate) const V_SHIFT: i64 = 4;
const _: () = assert!(1 << V_SHIFT == V_SIZE && size_of::<Value>() == VALUE_SIZE);
const _: () = assert!(align_of::<Value>() == 8);

/// Offset of the tag of value `i` of an array of values.
pub(crate) const fn tag_at(i: usize) -> i32 {
    i as i32 * V_SIZE + V_TAG
}

/// Offset of the payload of value `i` of an array of values.
pub(crate) const fn payload_at(i: usize) -> i32 {
    i as i32 * V_SIZE + V_PAYLOAD
}

/// Size of an inline counter (`u64`).
pub(crate) const CTR_SIZE: i64 = size_of::<u64>() as i64;

/// [`JitFrame`]: the current frame's slots.
pub(crate) const F_SLOTS: i32 = offset_of!(JitFrame, slots) as i32;
/// [`JitFrame`]: the program's globals.
pub(crate) const F_GLOBALS: i32 = offset_of!(JitFrame, globals) as i32;
/// [`JitFrame`]: the operand stack at the loop header.
pub(crate) const F_STACK: i32 = offset_of!(JitFrame, stack) as i32;
/// [`JitFrame`]: the code object's constants.
pub(crate) const F_CONSTS: i32 = offset_of!(JitFrame, consts) as i32;
/// [`JitFrame`]: the inline counters.
pub(crate) const F_CTR: i32 = offset_of!(JitFrame, ctr) as i32;
/// [`JitFrame`]: the host callbacks.
pub(crate) const F_HOST: i32 = offset_of!(JitFrame, host) as i32;
/// [`JitFrame`]: the exit site (a `u32`).
pub(crate) const F_EXIT: i32 = offset_of!(JitFrame, exit_site) as i32;
/// [`JitFrame`]: the call-depth room (a `u64`).
pub(crate) const F_ROOM: i32 = offset_of!(JitFrame, call_room) as i32;
// Native code loads the pointers and `call_room` as 64-bit words and `exit_site` as 32 bits.
const _: () = assert!(size_of::<*mut Value>() == 8 && size_of::<*const HostFns>() == 8);
const _: () = assert!(size_of::<JitFrame>() == 64 && align_of::<JitFrame>() == 8);
const _: () = assert!(F_SLOTS == 0 && F_GLOBALS == 8 && F_STACK == 16 && F_CONSTS == 24);
const _: () = assert!(F_CTR == 32 && F_HOST == 40 && F_EXIT == 48 && F_ROOM == 56);

/// [`HostFns`]: the builtin callback.
pub(crate) const H_BUILTIN: i32 = offset_of!(HostFns, call_builtin) as i32;
/// [`HostFns`]: the method callback.
pub(crate) const H_METHOD: i32 = offset_of!(HostFns, call_method) as i32;
const _: () = assert!(size_of::<HostFns>() == 16 && H_BUILTIN == 0 && H_METHOD == 8);

/// [`FnCtx`]: native frames active now.
pub(crate) const C_DEPTH: i32 = offset_of!(FnCtx, depth) as i32;
/// [`FnCtx`]: most native frames allowed.
pub(crate) const C_MAX: i32 = offset_of!(FnCtx, max_depth) as i32;
/// [`FnCtx`]: set by native code that gives up.
pub(crate) const C_ABANDON: i32 = offset_of!(FnCtx, abandon) as i32;
/// [`FnCtx`]: the program's globals.
pub(crate) const C_GLOBALS: i32 = offset_of!(FnCtx, globals) as i32;
/// [`FnCtx`]: the lowest machine-stack address native frames may use.
pub(crate) const C_STACK_LIMIT: i32 = offset_of!(FnCtx, stack_limit) as i32;
/// Size of an [`FnCtx`] (native code builds one in a stack slot).
pub(crate) const C_SIZE: u32 = size_of::<FnCtx>() as u32;
// Every field is a 64-bit word.
const _: () = assert!(C_SIZE == 40 && align_of::<FnCtx>() == 8);
const _: () = assert!(C_DEPTH == 0 && C_MAX == 8 && C_ABANDON == 16);
const _: () = assert!(C_GLOBALS == 24 && C_STACK_LIMIT == 32);
