//! The Cranelift tier: compiles one hot loop (header to back edge) of a verified code object
//! into a native function that runs the loop's iterations until it leaves the loop or meets
//! something it does not handle, and then returns the ip at which the interpreter resumes;
//! and compiles whole functions that only compute with ints and bools ([`func`]), which give
//! up instead of exiting (the VM re-runs the call in the interpreter).
//!
//! - [`translate`] turns the loop's bytecode into Cranelift IR, specialised on the slot types
//!   observed when the loop went hot (guarded at entry), with inline profile counters;
//! - [`func`] does the same for whole functions; [`cfg`] is the control-flow analysis
//!   (leaders, predecessors, back edges) both translators build their blocks from;
//! - [`Jit`] (`pipeline`) owns the one `JITModule` of a VM and runs both through the same
//!   steps (translate, declare, then one define/finalize/perf-map step), keeps the machine
//!   code until it is dropped; `callable` is the one place finished code becomes a function;
//! - [`JitError`] says why a loop or function was not compiled (the refusal reason);
//! - [`JitFrame`] is the `#[repr(C)]` block the interpreter and native code share.
//!
//! Native code never traps and never raises an error: every failure (overflow, division by
//! zero, a type that is not the one specialised for, a helper that fails, an opcode that is not
//! compiled) is an exit that writes every live value back and returns the failing
//! instruction's ip, which the interpreter then runs itself.
//!
//! The JIT depends on `bytecode`, `runtime` and `profile`, never on `vm`: the VM tells it what
//! it needs through [`LoopRequest`] and [`JitFrame`] (including the [`HostFns`] it calls back for
//! builtins and methods).

pub mod cfg;
mod emit;
pub mod error;
pub mod func;
pub mod jitdump;
pub(crate) mod layout;
pub mod meta;
mod perf;
mod pipeline;
pub mod reach;
mod stats;
pub mod translate;

use cranelift_module::FuncId;
use zexus_runtime::Value;

pub use error::{FnRefusal, JitError};
pub use meta::{ExitReason, ExitSite, LoopMeta, LoopRequest, NativeCallee, SlotType, Space};
pub use pipeline::{Jit, JitOptions};
pub use stats::JitStats;

/// Most machine code one VM keeps (JIT memory is only freed with the module): past this, hot
/// loops stay interpreted ("code cache full").
pub const MAX_CODE_BYTES: usize = 32 << 20;

/// Functions of the VM that native code calls back for builtins and methods, so that both
/// tiers run the very same code for them. Each returns 0 and writes its result to `out`, or
/// returns 1 on error (having changed nothing visible: the interpreter will redo the call).
#[repr(C)]
pub struct HostFns {
    /// `builtin[id](args[0..argc])`.
    pub call_builtin:
        unsafe extern "C" fn(id: u64, args: *const Value, argc: u64, out: *mut Value) -> u32,
    /// `args[0].name(args[1..=argc])`, `name` pointing to a string constant.
    pub call_method: unsafe extern "C" fn(
        name: *const Value,
        args: *const Value,
        argc: u64,
        out: *mut Value,
    ) -> u32,
}

/// What native code reads and writes, at the offsets in [`layout`] (`F_*`).
#[repr(C)]
pub struct JitFrame {
    /// The current frame's slots (for the program: the globals).
    pub slots: *mut Value,
    /// The program's globals.
    pub globals: *mut Value,
    /// The interpreter's stack pointer at the loop header. On exit, native code writes the live
    /// operand-stack values of the resume ip at `stack[0..k]`, k = depth(resume) - depth(header).
    pub stack: *mut Value,
    /// The code object's constants.
    pub consts: *const Value,
    /// Inline counters ([`LoopMeta::n_counters`] words): zeroed (and predictor states set)
    /// before entry, written at every exit.
    pub ctr: *mut u64,
    /// Callbacks into the VM.
    pub host: *const HostFns,
    /// Out: the exit site (an index into [`LoopMeta::exits`]).
    pub exit_site: u32,
    /// Padding (keeps the layout explicit).
    pub _pad: u32,
    /// How many more calls deep the VM's call-depth limit allows (for native calls).
    pub call_room: u64,
}

/// A compiled loop.
pub struct CompiledCode {
    ptr: *const u8,
    /// How to read its counters and exits.
    pub meta: LoopMeta,
    /// Machine-code size in bytes.
    pub code_bytes: usize,
    /// Compile time in µs.
    pub compile_us: f64,
    /// The Cranelift IR, when [`Jit::keep_clif`] is on.
    pub clif: Option<String>,
}

/// Runs compiled code; returns the ip at which the interpreter resumes.
///
/// # Safety
/// `frame` must describe the live interpreter state at the loop header the code was compiled
/// for: `slots`/`globals`/`consts` of that code object's running frame, `stack` the stack
/// pointer at the header with room for the code object's maximum stack above it, `ctr` valid
/// for `meta.n_counters` words, and `code` must still belong to a live [`Jit`].
pub unsafe fn enter(code: &CompiledCode, frame: &mut JitFrame) -> u32 {
    // SAFETY: `ptr` was finalized for a function of signature `translate::signature`, i.e.
    // `extern "C" fn(*mut JitFrame) -> u32`, and its module is alive (the caller's contract).
    unsafe { callable::<unsafe extern "C" fn(*mut JitFrame) -> u32>(code.ptr)(frame) }
}

/// The function types finished code is called as: `extern "C"` function pointers only.
pub trait NativeFn: Copy + sealed::Sealed {}

mod sealed {
    /// Keeps [`super::NativeFn`] to the types below.
    pub trait Sealed {}
}

macro_rules! native_fns {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl NativeFn for $t {}
    )*};
}

native_fns!(
    unsafe extern "C" fn(*mut JitFrame) -> u32,
    unsafe extern "C" fn(*mut func::FnCtx) -> i64,
    unsafe extern "C" fn(*mut func::FnCtx, i64) -> i64,
    unsafe extern "C" fn(*mut func::FnCtx, i64, i64) -> i64,
    unsafe extern "C" fn(*mut func::FnCtx, i64, i64, i64) -> i64,
    unsafe extern "C" fn(*mut func::FnCtx, i64, i64, i64, i64) -> i64
);

/// Finished machine code as the function `F`: the one place a code pointer becomes a callable,
/// for loops ([`enter`]) and whole functions ([`call_fn`]) alike.
///
/// # Safety
/// `ptr` must come from `get_finalized_function` of a live [`Jit`] for a function whose
/// Cranelift signature is `F`'s.
#[inline(always)]
unsafe fn callable<F: NativeFn>(ptr: *const u8) -> F {
    const { assert!(std::mem::size_of::<F>() == std::mem::size_of::<*const u8>()) };
    // SAFETY: `F` is a function pointer type (sealed `NativeFn`) of the same size as `ptr`,
    // and `ptr` is finished code of that signature (the caller's contract).
    unsafe { std::mem::transmute_copy::<*const u8, F>(&ptr) }
}

/// A function compiled whole ([`func`]).
pub struct CompiledFn {
    ptr: *const u8,
    /// Its id in the module (native callers declare it).
    pub id: FuncId,
    /// Its analysis (return type, callees).
    pub plan: func::FnPlan,
    /// Its arity.
    pub arity: u32,
    /// Machine-code size in bytes.
    pub code_bytes: usize,
    /// Compile time in µs.
    pub compile_us: f64,
}

/// Calls a compiled function; returns its result (meaningless if `ctx.abandon` was set).
///
/// # Safety
/// `f` belongs to a live [`Jit`], `args` has `f.arity` values, and `ctx.globals` points to
/// the running program's globals.
pub unsafe fn call_fn(f: &CompiledFn, ctx: &mut func::FnCtx, args: &[i64]) -> i64 {
    type C = *mut func::FnCtx;
    let p = f.ptr;
    // SAFETY: `ptr` was finalized for a function of signature `fn_signature(arity)`, i.e.
    // `extern "C" fn(ctx, arity × i64) -> i64`; the arity is checked against `args`; `f`'s
    // module is alive and `ctx` valid (the caller's contract).
    unsafe {
        match (f.arity, args) {
            (0, []) => callable::<unsafe extern "C" fn(C) -> i64>(p)(ctx),
            (1, &[a]) => callable::<unsafe extern "C" fn(C, i64) -> i64>(p)(ctx, a),
            (2, &[a, b]) => callable::<unsafe extern "C" fn(C, i64, i64) -> i64>(p)(ctx, a, b),
            (3, &[a, b, c]) => {
                callable::<unsafe extern "C" fn(C, i64, i64, i64) -> i64>(p)(ctx, a, b, c)
            }
            (4, &[a, b, c, d]) => {
                callable::<unsafe extern "C" fn(C, i64, i64, i64, i64) -> i64>(p)(ctx, a, b, c, d)
            }
            _ => panic!("call_fn: {} arguments for arity {}", args.len(), f.arity),
        }
    }
}

/// The CLIF text of one loop, as the JIT would compile it (for snapshots and debugging).
pub fn clif_of(req: &LoopRequest) -> Result<String, JitError> {
    let mut jit = Jit::new()?;
    jit.keep_clif = true;
    let c = jit.compile(req)?;
    Ok(c.clif.unwrap_or_default())
}
