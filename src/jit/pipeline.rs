//! The compile pipeline of one VM ([`Jit`]): one `JITModule`, and the steps every piece of
//! native code goes through, loops and whole functions alike: translate (each its own
//! translator), declare, then [`Jit::finish`]: define (Cranelift compiles; `disasm` prints the
//! machine code), clear the context, finalize (link, make executable), account the code size,
//! print `timing`, and write the perf map line and jitdump record.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use cranelift_codegen::ir::{AbiParam, Function, UserFuncName};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Linkage, Module};
use zexus_runtime::jit_helpers::{helpers, HelperTy};

use super::error::{JitError, Step};
use super::{func, perf, translate, CompiledCode, CompiledFn, LoopRequest, MAX_CODE_BYTES};
use crate::bytecode::CodeObject;

/// What the JIT writes for people looking at it (all off by default; `VmBuilder` and `zx run`
/// options of the same names).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JitOptions {
    /// Append a `/tmp/perf-<pid>.map` line and a `/tmp/jit-<pid>.dump` record per compiled
    /// loop or function.
    pub perf_map: bool,
    /// Print each compiled loop's or function's machine code (Cranelift's VCode, with
    /// register allocation) to standard error.
    pub disasm: bool,
    /// Print each compile's time per step (translate, define, finalize) to standard error.
    pub timing: bool,
}

/// The piece of code being compiled: its name in perf maps, disassembly and timing lines, and
/// the ip range it covers.
struct Piece<'a> {
    /// The code object's name.
    function: &'a str,
    /// First ip (a loop's header, a function's 0).
    start: u32,
    /// Last ip (a loop's back edge, a function's last instruction).
    end: u32,
    /// The Cranelift step that failed, if defining fails.
    define: Step,
}

/// Finished machine code.
struct Finished {
    ptr: *const u8,
    size: usize,
}

/// The compiler of one VM: one `JITModule` (freed on drop), reusable contexts.
pub struct Jit {
    module: Option<JITModule>,
    ctx: Context,
    fctx: FunctionBuilderContext,
    /// Each helper's import in the module, by `HelperId as usize`.
    helper_ids: Vec<FuncId>,
    next_id: u32,
    code_bytes: usize,
    /// What to write for people looking (perf map, disassembly, timing).
    pub options: JitOptions,
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

fn module_err(step: Step) -> impl Fn(cranelift_module::ModuleError) -> JitError {
    move |e| JitError::Module {
        step,
        detail: match step {
            Step::DefineLoop | Step::DefineFunction => format!("{e:?}"),
            Step::Declare | Step::Finalize => e.to_string(),
        },
    }
}

impl Jit {
    /// A JIT for the host machine: opt_level=speed, frame pointers kept (so perf can walk JIT
    /// frames), not PIC (the JIT requires it).
    pub fn new() -> Result<Jit, JitError> {
        let mut flags = settings::builder();
        let set = |f: &mut settings::Builder, k: &str, v: &str| {
            f.set(k, v)
                .map_err(|e| JitError::Setup(format!("{k}: {e}")))
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
            .map_err(|e| JitError::Setup(format!("host machine is not supported: {e}")))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| JitError::Setup(e.to_string()))?;
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
                .map_err(module_err(Step::Declare))?;
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
            options: JitOptions::default(),
            fuel: None,
            keep_clif: false,
        })
    }

    /// Machine code held so far, in bytes.
    pub fn code_bytes(&self) -> usize {
        self.code_bytes
    }

    fn module(&mut self) -> &mut JITModule {
        self.module.as_mut().expect("the module lives until drop")
    }

    /// Declares the next piece of code (`zexus_<kind>_<n>`) with `ctx.func`'s signature and
    /// names `ctx.func` after it.
    fn declare(&mut self, kind: &str) -> Result<FuncId, JitError> {
        let name = format!("zexus_{kind}_{}", self.next_id);
        self.next_id += 1;
        let module = self.module.as_mut().expect("the module lives until drop");
        let id = module
            .declare_function(&name, Linkage::Local, &self.ctx.func.signature)
            .map_err(module_err(Step::Declare))?;
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        Ok(id)
    }

    /// After a translation or declaration given up midway: an empty context, and a fresh
    /// builder context (the abandoned one keeps SSA state the next translation must not
    /// inherit).
    fn abandon(&mut self) {
        let module = self.module.as_mut().expect("the module lives until drop");
        module.clear_context(&mut self.ctx);
        self.fctx = FunctionBuilderContext::new();
    }

    /// The shared last steps for the translated function in `ctx` declared as `id`: define,
    /// clear, finalize, then account, time, and name it for perf.
    fn finish(
        &mut self,
        id: FuncId,
        piece: Piece,
        t0: Instant,
        translated: Duration,
    ) -> Result<Finished, JitError> {
        let JitOptions {
            perf_map,
            disasm,
            timing,
        } = self.options;
        let module = self.module.as_mut().expect("the module lives until drop");
        self.ctx.set_disasm(disasm);
        let defined = module.define_function(id, &mut self.ctx);
        if disasm {
            if let Some(text) = self.ctx.compiled_code().and_then(|c| c.vcode.as_ref()) {
                eprintln!(
                    "; {} {}..{}\n{}",
                    piece.function, piece.start, piece.end, text
                );
            }
        }
        let size = self
            .ctx
            .compiled_code()
            .map_or(0, |c| c.code_info().total_size as usize);
        let defined_at = t0.elapsed();
        module.clear_context(&mut self.ctx);
        defined.map_err(module_err(piece.define))?;
        module
            .finalize_definitions()
            .map_err(module_err(Step::Finalize))?;
        let ptr = module.get_finalized_function(id);
        if timing {
            eprintln!(
                "jit timing: {} {}..{}: translate {:?} define {:?} finalize {:?}",
                piece.function,
                piece.start,
                piece.end,
                translated,
                defined_at,
                t0.elapsed()
            );
        }
        self.code_bytes += size;
        if perf_map {
            perf::append(ptr as usize, size, piece.function, piece.start, piece.end);
        }
        Ok(Finished { ptr, size })
    }

    /// Compiles one loop, or says why not.
    pub fn compile(&mut self, req: &LoopRequest) -> Result<CompiledCode, JitError> {
        let t0 = Instant::now();
        if self.code_bytes >= MAX_CODE_BYTES {
            return Err(JitError::CodeCacheFull);
        }
        // 1. Translate: bytecode to Cranelift IR in `ctx.func`.
        let module = self.module.as_mut().expect("the module lives until drop");
        self.ctx.func.signature = translate::signature(module);
        let ids = &self.helper_ids;
        let target = module.target_config();
        let mut declare = |imp: translate::Import, func: &mut Function| {
            let id = match imp {
                translate::Import::Helper(h) => ids[h as usize],
                translate::Import::Native(id) => id,
            };
            module.declare_func_in_func(id, func)
        };
        let translated = translate::translate(
            req,
            &mut self.ctx.func,
            &mut self.fctx,
            &mut declare,
            target,
        );
        let meta = match translated {
            Ok(m) => m,
            Err(e) => {
                self.abandon();
                return Err(e);
            }
        };
        let clif = self.keep_clif.then(|| self.ctx.func.display().to_string());
        let t_tr = t0.elapsed();
        // 2. Declare it, 3. define and finalize.
        let id = self.declare("loop").inspect_err(|_| self.abandon())?;
        let piece = Piece {
            function: &req.code.name,
            start: req.header,
            end: req.back_edge,
            define: Step::DefineLoop,
        };
        let done = self.finish(id, piece, t0, t_tr)?;
        Ok(CompiledCode {
            ptr: done.ptr,
            meta,
            code_bytes: done.size,
            compile_us: t0.elapsed().as_secs_f64() * 1e6,
            clif,
        })
    }

    /// Compiles a whole function (see [`func`]), or says why not. `me` is its code index;
    /// `callees` the compiled functions it may call.
    pub fn compile_function(
        &mut self,
        me: u32,
        code: &CodeObject,
        callee_of: &dyn Fn(u32) -> Option<u32>,
        callees: &HashMap<u32, (FuncId, func::Ty)>,
        counters: Option<u64>,
        predictors: bool,
    ) -> Result<CompiledFn, JitError> {
        let t0 = Instant::now();
        if self.code_bytes >= MAX_CODE_BYTES {
            return Err(JitError::CodeCacheFull);
        }
        let plan = func::analyse(me, code, callee_of, &|f| callees.get(&f).map(|c| c.1))?;
        // 1. Declare it first: its own calls name it.
        self.ctx.func.signature = func::fn_signature(self.module().make_signature(), code.arity);
        let id = self.declare("fn").inspect_err(|_| self.abandon())?;
        // 2. Translate.
        let module = self.module.as_mut().expect("the module lives until drop");
        let self_ref = module.declare_func_in_func(id, &mut self.ctx.func);
        let mut refs = HashMap::new();
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
        let translated = func::translate_fn(
            &req,
            &mut self.ctx.func,
            &mut self.fctx,
            self_ref,
            &refs,
            me,
            target,
        );
        if let Err(e) = translated {
            self.abandon();
            return Err(e);
        }
        let t_tr = t0.elapsed();
        // 3. Define and finalize.
        let piece = Piece {
            function: &code.name,
            start: 0,
            end: code.instrs.len().saturating_sub(1) as u32,
            define: Step::DefineFunction,
        };
        let done = self.finish(id, piece, t0, t_tr)?;
        Ok(CompiledFn {
            ptr: done.ptr,
            id,
            plan,
            arity: code.arity,
            code_bytes: done.size,
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
