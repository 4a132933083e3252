//! The Cranelift tier: compiles one hot loop (header to back edge) of a verified code object
//! into a native function that runs the loop's iterations until it leaves the loop or meets
//! something it does not handle, and then returns the ip at which the interpreter resumes;
//! and compiles whole functions that only compute with ints and bools ([`func`]), which give
//! up instead of exiting (the VM re-runs the call in the interpreter).
//!
//! - [`translate`] turns the loop's bytecode into Cranelift IR, specialised on the slot types
//!   observed when the loop went hot (guarded at entry), with inline profile counters;
//! - [`Jit`] owns the one `JITModule` of a VM, compiles (translate, declare, define, clear,
//!   finalize), keeps the machine code until it is dropped, and writes perf map lines;
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

mod emit;
pub mod func;
pub mod jitdump;
pub(crate) mod layout;
pub mod meta;
mod perf;
pub mod reach;
mod stats;
pub mod translate;

use std::time::Instant;

use cranelift_codegen::ir::{AbiParam, UserFuncName};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Linkage, Module};
use zexus_runtime::jit_helpers::{helpers, HelperTy};
use zexus_runtime::Value;

use crate::bytecode::Op;

pub use meta::{ExitReason, ExitSite, LoopMeta, LoopRequest, NativeCallee, SlotType, Space};
pub use stats::JitStats;

/// Most machine code one VM keeps (JIT memory is only freed with the module): past this, hot
/// loops stay interpreted ("code cache full").
pub const MAX_CODE_BYTES: usize = 32 << 20;

/// Why a loop was not compiled. The loop stays interpreted; the reason is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// The opcode at fault, if one is.
    pub op: Option<Op>,
    /// Its ip (the loop header when no single instruction is at fault).
    pub ip: u32,
    /// Why.
    pub reason: String,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (ip {})", self.reason, self.ip)
    }
}

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
    // SAFETY: `ptr` was returned by `get_finalized_function` for a function whose signature is
    // `extern "C" fn(*mut JitFrame) -> u32` (translate::signature), and the module is alive.
    // This is the only place a code pointer becomes a function.
    unsafe {
        let f: unsafe extern "C" fn(*mut JitFrame) -> u32 = std::mem::transmute(code.ptr);
        f(frame)
    }
}

/// The loop compiler of one VM: one `JITModule` (freed on drop), reusable contexts.
pub struct Jit {
    module: Option<JITModule>,
    ctx: Context,
    fctx: FunctionBuilderContext,
    /// Each helper's import in the module, by `HelperId as usize`.
    helper_ids: Vec<FuncId>,
    next_id: u32,
    code_bytes: usize,
    /// Write `/tmp/perf-<pid>.map` lines.
    pub perf_map: bool,
    /// Address of the VM's fuel cell when it has limits (see `vm/limits.rs`): compiled
    /// functions check it at entry and at backward jumps.
    pub fuel: Option<u64>,
    /// Keep each loop's CLIF text in [`CompiledCode::clif`] (for snapshots and debugging).
    pub keep_clif: bool,
}

fn clif_ty(t: HelperTy) -> cranelift_codegen::ir::Type {
    use cranelift_codegen::ir::types;
    match t {
        HelperTy::I64 => types::I64,
        HelperTy::I32 => types::I32,
        HelperTy::F64 => types::F64,
    }
}

impl Jit {
    /// A JIT for the host machine: opt_level=speed, frame pointers kept (so perf can walk JIT
    /// frames), not PIC (the JIT requires it).
    pub fn new() -> Result<Jit, String> {
        let mut flags = settings::builder();
        let set = |f: &mut settings::Builder, k: &str, v: &str| {
            f.set(k, v).map_err(|e| format!("{k}: {e}"))
        };
        set(&mut flags, "opt_level", "speed")?;
        set(&mut flags, "preserve_frame_pointers", "true")?;
        set(&mut flags, "is_pic", "false")?;
        set(&mut flags, "use_colocated_libcalls", "false")?;
        // The IR verifier costs about a third of the compile time; it runs in debug builds.
        set(
            &mut flags,
            "enable_verifier",
            if cfg!(debug_assertions) {
                "true"
            } else {
                "false"
            },
        )?;
        if let Ok(extra) = std::env::var("ZEXUS_JIT_FLAGS") {
            for kv in extra.split(',').filter(|s| !s.is_empty()) {
                let (k, v) = kv.split_once('=').unwrap_or((kv, "true"));
                set(&mut flags, k, v)?;
            }
        }
        let isa = cranelift_native::builder()
            .map_err(|e| format!("host machine is not supported: {e}"))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| e.to_string())?;
        let mut jb = JITBuilder::with_isa(isa, default_libcall_names());
        let table = helpers();
        for h in &table {
            jb.symbol(h.name, h.addr);
        }
        let mut module = JITModule::new(jb);
        let mut helper_ids = Vec::new();
        for h in table {
            let mut sig = module.make_signature();
            sig.params
                .extend(h.params.iter().map(|&t| AbiParam::new(clif_ty(t))));
            sig.returns
                .extend(h.returns.iter().map(|&t| AbiParam::new(clif_ty(t))));
            let id = module
                .declare_function(h.name, Linkage::Import, &sig)
                .map_err(|e| e.to_string())?;
            debug_assert_eq!(h.id as usize, helper_ids.len());
            helper_ids.push(id);
        }
        Ok(Jit {
            ctx: module.make_context(),
            module: Some(module),
            fctx: FunctionBuilderContext::new(),
            helper_ids,
            next_id: 0,
            code_bytes: 0,
            perf_map: false,
            fuel: None,
            keep_clif: false,
        })
    }

    /// Machine code held so far, in bytes.
    pub fn code_bytes(&self) -> usize {
        self.code_bytes
    }

    /// Compiles one loop, or says why not.
    pub fn compile(&mut self, req: &LoopRequest) -> Result<CompiledCode, Unsupported> {
        let t0 = Instant::now();
        let header = req.header;
        let fail = |reason: String| Unsupported {
            op: None,
            ip: header,
            reason,
        };
        if self.code_bytes >= MAX_CODE_BYTES {
            return Err(fail("code cache full".into()));
        }
        let module = self.module.as_mut().expect("the module lives until drop");
        // 1. Translate: bytecode to Cranelift IR in `ctx.func`.
        self.ctx.func.signature = translate::signature(module);
        let ids = &self.helper_ids;
        let target = module.target_config();
        let mut declare = |imp: translate::Import, func: &mut cranelift_codegen::ir::Function| {
            let id = match imp {
                translate::Import::Helper(h) => ids[h as usize],
                translate::Import::Native(id) => id,
            };
            module.declare_func_in_func(id, func)
        };
        let meta = match translate::translate(
            req,
            &mut self.ctx.func,
            &mut self.fctx,
            &mut declare,
            target,
        ) {
            Ok(m) => m,
            Err(e) => {
                module.clear_context(&mut self.ctx);
                // A translation given up midway leaves the builder's SSA state behind; the
                // next one must not inherit it.
                self.fctx = FunctionBuilderContext::new();
                return Err(e);
            }
        };
        let clif = self.keep_clif.then(|| self.ctx.func.display().to_string());
        let t_tr = t0.elapsed();
        // 2. Declare the function.
        let name = format!("zexus_loop_{}", self.next_id);
        self.next_id += 1;
        let id = match module.declare_function(&name, Linkage::Local, &self.ctx.func.signature) {
            Ok(id) => id,
            Err(e) => {
                module.clear_context(&mut self.ctx);
                return Err(fail(format!("declare: {e}")));
            }
        };
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        // 3. Define it (Cranelift compiles here).
        let disasm = std::env::var_os("ZEXUS_JIT_DISASM").is_some();
        self.ctx.set_disasm(disasm);
        let defined = module.define_function(id, &mut self.ctx);
        if disasm {
            if let Some(text) = self.ctx.compiled_code().and_then(|c| c.vcode.as_ref()) {
                eprintln!(
                    "; {} {}..{}\n{}",
                    req.code.name, req.header, req.back_edge, text
                );
            }
        }
        let size = self
            .ctx
            .compiled_code()
            .map_or(0, |c| c.code_info().total_size as usize);
        let t_def = t0.elapsed();
        // 4. Clear the context for the next loop.
        module.clear_context(&mut self.ctx);
        if let Err(e) = defined {
            return Err(fail(format!("Cranelift rejected the loop: {e:?}")));
        }
        // 5. Finalize: link and make the code executable.
        module
            .finalize_definitions()
            .map_err(|e| fail(format!("finalize: {e}")))?;
        let ptr = module.get_finalized_function(id);
        if std::env::var_os("ZEXUS_JIT_TIMING").is_some() {
            eprintln!(
                "jit timing: translate {:?} define {:?} finalize {:?}",
                t_tr,
                t_def,
                t0.elapsed()
            );
        }
        self.code_bytes += size;
        if self.perf_map {
            perf::append(
                ptr as usize,
                size,
                &req.code.name,
                req.header,
                req.back_edge,
            );
        }
        Ok(CompiledCode {
            ptr,
            meta,
            code_bytes: size,
            compile_us: t0.elapsed().as_secs_f64() * 1e6,
            clif,
        })
    }
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
    // SAFETY: `ptr` was finalized for a function of signature `fn_signature(arity)`, i.e.
    // `extern "C" fn(ctx, arity × i64) -> i64`; the arity is checked against `args`; `f`'s
    // module is alive and `ctx` valid (the caller's contract).
    unsafe {
        match (f.arity, args) {
            (0, []) => std::mem::transmute::<*const u8, unsafe extern "C" fn(C) -> i64>(f.ptr)(ctx),
            (1, &[a]) => {
                std::mem::transmute::<*const u8, unsafe extern "C" fn(C, i64) -> i64>(f.ptr)(ctx, a)
            }
            (2, &[a, b]) => std::mem::transmute::<
                *const u8,
                unsafe extern "C" fn(C, i64, i64) -> i64,
            >(f.ptr)(ctx, a, b),
            (3, &[a, b, c]) => std::mem::transmute::<
                *const u8,
                unsafe extern "C" fn(C, i64, i64, i64) -> i64,
            >(f.ptr)(ctx, a, b, c),
            (4, &[a, b, c, d]) => std::mem::transmute::<
                *const u8,
                unsafe extern "C" fn(C, i64, i64, i64, i64) -> i64,
            >(f.ptr)(ctx, a, b, c, d),
            _ => panic!("call_fn: {} arguments for arity {}", args.len(), f.arity),
        }
    }
}

impl Jit {
    /// Compiles a whole function (see [`func`]), or says why not. `me` is its code index;
    /// `callees` the compiled functions it may call.
    pub fn compile_function(
        &mut self,
        me: u32,
        code: &crate::bytecode::CodeObject,
        callee_of: &dyn Fn(u32) -> Option<u32>,
        callees: &std::collections::HashMap<u32, (FuncId, func::Ty)>,
        counters: Option<u64>,
        predictors: bool,
    ) -> Result<CompiledFn, Unsupported> {
        let t0 = Instant::now();
        let fail = |reason: String| Unsupported {
            op: None,
            ip: 0,
            reason,
        };
        if self.code_bytes >= MAX_CODE_BYTES {
            return Err(fail("code cache full".into()));
        }
        let plan =
            func::analyse(me, code, callee_of, &|f| callees.get(&f).map(|c| c.1)).map_err(fail)?;
        let module = self.module.as_mut().expect("the module lives until drop");
        let sig = func::fn_signature(module.make_signature(), code.arity);
        let name = format!("zexus_fn_{}", self.next_id);
        self.next_id += 1;
        let id = module
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(|e| fail(format!("declare: {e}")))?;
        self.ctx.func.signature = sig;
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        let self_ref = module.declare_func_in_func(id, &mut self.ctx.func);
        let mut refs = std::collections::HashMap::new();
        for &c in &plan.callees {
            let (cid, _) = callees[&c];
            refs.insert(c, module.declare_func_in_func(cid, &mut self.ctx.func));
        }
        let req = func::FnRequest {
            code,
            plan: &plan,
            callee_of,
            counters,
            predictors,
            fuel: self.fuel,
        };
        let target = module.target_config();
        if let Err(e) = func::translate_fn(
            &req,
            &mut self.ctx.func,
            &mut self.fctx,
            self_ref,
            &refs,
            me,
            target,
        ) {
            module.clear_context(&mut self.ctx);
            // A translation abandoned midway leaves the builder's context dirty.
            self.fctx = FunctionBuilderContext::new();
            return Err(fail(e));
        }
        let defined = module.define_function(id, &mut self.ctx);
        let size = self
            .ctx
            .compiled_code()
            .map_or(0, |c| c.code_info().total_size as usize);
        module.clear_context(&mut self.ctx);
        if let Err(e) = defined {
            return Err(fail(format!("Cranelift rejected the function: {e:?}")));
        }
        module
            .finalize_definitions()
            .map_err(|e| fail(format!("finalize: {e}")))?;
        let ptr = module.get_finalized_function(id);
        self.code_bytes += size;
        if self.perf_map {
            perf::append(
                ptr as usize,
                size,
                &code.name,
                0,
                code.instrs.len().saturating_sub(1) as u32,
            );
        }
        Ok(CompiledFn {
            ptr,
            id,
            plan,
            arity: code.arity,
            code_bytes: size,
            compile_us: t0.elapsed().as_secs_f64() * 1e6,
        })
    }
}

impl Drop for Jit {
    fn drop(&mut self) {
        if let Some(m) = self.module.take() {
            // SAFETY: every `CompiledCode` of this JIT is owned by the VM that owns the JIT and
            // is dropped with it; no native frame is running (the VM is not executing).
            unsafe { m.free_memory() };
        }
    }
}

/// The CLIF text of one loop, as the JIT would compile it (for snapshots and debugging).
pub fn clif_of(req: &LoopRequest) -> Result<String, Unsupported> {
    let mut jit = Jit::new().map_err(|e| Unsupported {
        op: None,
        ip: req.header,
        reason: e,
    })?;
    jit.keep_clif = true;
    let c = jit.compile(req)?;
    Ok(c.clif.unwrap_or_default())
}
