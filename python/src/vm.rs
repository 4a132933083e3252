//! `VM` for Python, with the guide's constructor and methods:
//! `VM(enable_profiling=True, profiling_level="DETAILED", use_jit=False)`, `execute`,
//! `get_profiling_report(format='text', top_n=20)`, `get_profiling_summary()`,
//! `start_profiling()`, `stop_profiling()`, `reset_profiler()`, `vm.profiler`; plus `eval` of
//! Zexus source and the JIT's statistics and events.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use zexus::profile::Level;
use zexus::VM;

use crate::builder::PyBytecode;
use crate::profiler::{summary_dict, PyInstructionProfiler};
use crate::{convert, errors, gil};

/// The Zexus VM. `enable_profiling` turns the profiler on at `profiling_level` (a string
/// `"NONE"`/`"BASIC"`/`"DETAILED"`/`"FULL"`, any case, or a `ProfilingLevel`); `jit` (or the
/// guide's `use_jit`) turns the Cranelift tier on, compiling loops after `hot_threshold`
/// back edges. Printed output goes to standard output, or with `capture_output=True` into a
/// buffer read by `take_output()`.
#[pyclass(name = "VM", module = "zexus", unsendable)]
pub struct PyVm {
    /// The VM.
    pub vm: VM,
}

#[pymethods]
impl PyVm {
    #[new]
    #[pyo3(signature = (
        enable_profiling=false,
        profiling_level=None,
        jit=None,
        hot_threshold=zexus::vm::DEFAULT_HOT_THRESHOLD,
        *,
        use_jit=None,
        sample_rate=zexus::vm::DEFAULT_SAMPLE_RATE,
        capture_output=false,
    ))]
    fn new(
        enable_profiling: bool,
        profiling_level: Option<&Bound<'_, PyAny>>,
        jit: Option<bool>,
        hot_threshold: u32,
        use_jit: Option<bool>,
        sample_rate: u32,
        capture_output: bool,
    ) -> PyResult<Self> {
        let jit = match (jit, use_jit) {
            (Some(a), Some(b)) if a != b => {
                return Err(PyValueError::new_err(
                    "jit and use_jit disagree (use_jit is the guide's name for jit; give one)",
                ))
            }
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => true,
        };
        let level = match profiling_level {
            Some(l) if !l.is_none() => convert::level(l)?,
            _ => Level::Detailed,
        };
        let level = if enable_profiling { level } else { Level::None };
        if hot_threshold == 0 {
            return Err(PyValueError::new_err("hot_threshold must be at least 1"));
        }
        if sample_rate == 0 {
            return Err(PyValueError::new_err("sample_rate must be at least 1"));
        }
        let vm = VM::builder()
            .jit(jit)
            .profiling(level)
            .hot_threshold(hot_threshold)
            .sample_rate(sample_rate)
            .capture_output(capture_output)
            .build();
        Ok(PyVm { vm })
    }

    /// Runs verified bytecode (from `BytecodeBuilder.build()` or `zexus.compile`) and returns
    /// the value its top level returns. The GIL is released while the VM runs. A failure
    /// raises `ZexusRuntimeError`.
    fn execute(&mut self, py: Python<'_>, bytecode: PyRef<'_, PyBytecode>) -> PyResult<PyObject> {
        let bc = &bytecode.inner;
        let vm = &mut self.vm;
        let result = gil::run_detached(py, move || vm.execute(bc));
        match result {
            Ok(v) => convert::to_py(py, &v),
            Err(e) => Err(errors::runtime(py, &e)),
        }
    }

    /// Compiles and runs Zexus source on this VM (with its profiling and JIT settings);
    /// returns the value of its last expression statement, else `None`. Raises
    /// `ZexusCompileError` or `ZexusRuntimeError`. The GIL is released while it runs.
    fn eval(&mut self, py: Python<'_>, source: &str) -> PyResult<PyObject> {
        let vm = &mut self.vm;
        let result = gil::run_detached(py, move || vm.eval(source));
        match result {
            Ok(v) => convert::to_py(py, &v),
            Err(e) => Err(errors::error(py, &e)),
        }
    }

    /// The profiling report in `format` (`text`, `json`, `html`, `folded`, `flamegraph`,
    /// `dot`) with the top `top_n` instructions per table. Without profiling it says
    /// `Profiling not enabled` (in JSON, `{"error": "Profiling not enabled"}`).
    #[pyo3(signature = (format="text", top_n=20))]
    fn get_profiling_report(&self, format: &str, top_n: usize) -> PyResult<String> {
        Ok(self.vm.profiling_report(convert::format(format)?, top_n))
    }

    /// The summary as a dict with the guide's keys: `total_instructions`,
    /// `instructions_per_sec`, `overhead_percentage`, `total_time_sec`,
    /// `most_common_opcodes`, ... Without profiling: `{"error": "Profiling not enabled"}`.
    fn get_profiling_summary(&self, py: Python<'_>) -> PyResult<PyObject> {
        match self.vm.profiling_summary() {
            Ok(s) => summary_dict(py, &s),
            Err(e) => {
                let d = pyo3::types::PyDict::new(py);
                d.set_item("error", e.to_string())?;
                Ok(d.into_any().unbind())
            }
        }
    }

    /// Resumes recording after `stop_profiling()` (times accumulate).
    fn start_profiling(&mut self) {
        self.vm.start_profiling();
    }

    /// Stops recording; later runs go at full speed until `start_profiling()`.
    fn stop_profiling(&mut self) {
        self.vm.stop_profiling();
    }

    /// Clears all profile data (the level stays).
    fn reset_profiler(&mut self) {
        self.vm.reset_profiler();
    }

    /// Changes the profiling level (clears the data recorded so far).
    fn set_profiling_level(&mut self, level: &Bound<'_, PyAny>) -> PyResult<()> {
        self.vm.set_profiling_level(convert::level(level)?);
        Ok(())
    }

    /// The profiling level's name (`"NONE"` when profiling is off).
    #[getter]
    fn profiling_level(&self) -> String {
        self.vm.profiler().level.name().to_string()
    }

    /// The VM's profiler, live (`vm.profiler.get_hot_loops(min_iterations=1000)`).
    #[getter]
    fn profiler(slf: Py<Self>) -> PyInstructionProfiler {
        PyInstructionProfiler::of_vm(slf)
    }

    /// True if the JIT tier is on.
    #[getter]
    fn jit(&self) -> bool {
        self.vm.jit_enabled()
    }

    /// What the JIT did so far, as a dict: `loops_compiled`, `functions_compiled`, `entries`,
    /// `exits`, `side_exits`, `compile_time_us`, `code_bytes`, ... and `events` (see
    /// `get_jit_events`). All zero with the JIT off.
    fn get_jit_stats(&self, py: Python<'_>) -> PyResult<PyObject> {
        convert::serde_to_py(py, &self.vm.jit_stats())
    }

    /// The JIT's events, as a dict of lists: `compiled` (each loop or function compiled:
    /// `function`, `start_ip`, `end_ip`, `compile_time_us`, `code_bytes`, `entries`,
    /// `specialised`), `exits` (`function`, `ip`, `reason`, `count`) and `refusals`
    /// (`function`, `start_ip`, `end_ip`, `reason`).
    fn get_jit_events(&self, py: Python<'_>) -> PyResult<PyObject> {
        convert::serde_to_py(py, &self.vm.jit_stats().events)
    }

    /// The events programs recorded with `emit Name(args)`, oldest first, as
    /// `(name, [args])` tuples.
    fn get_events(&self, py: Python<'_>) -> PyResult<PyObject> {
        let out = PyList::empty(py);
        for e in self.vm.events() {
            let args = PyList::empty(py);
            for a in &e.args {
                args.append(convert::to_py(py, a)?)?;
            }
            out.append(PyTuple::new(
                py,
                [
                    e.name.clone().into_pyobject(py)?.into_any(),
                    args.into_any(),
                ],
            )?)?;
        }
        Ok(out.into_any().unbind())
    }

    /// Output printed so far (with `capture_output=True`); empties the buffer.
    fn take_output(&mut self) -> String {
        self.vm.take_output()
    }

    fn __repr__(&self) -> String {
        format!(
            "<VM profiling_level={} jit={}>",
            self.vm.profiler().level.name(),
            self.vm.jit_enabled()
        )
    }
}

/// Compiles Zexus source to `Bytecode` (`name` shows in traces and reports); raises
/// `ZexusCompileError`.
#[pyfunction]
#[pyo3(signature = (source, name="<eval>"))]
pub fn compile(py: Python<'_>, source: &str, name: &str) -> PyResult<PyBytecode> {
    zexus::compile(source, name)
        .map(|inner| PyBytecode { inner })
        .map_err(|e| errors::compile(py, &e))
}

/// Compiles and runs Zexus source on a new VM with default settings (no profiling, no JIT);
/// returns the program's value.
#[pyfunction]
pub fn eval(py: Python<'_>, source: &str) -> PyResult<PyObject> {
    let result = gil::run_detached(py, move || zexus::eval(source));
    match result {
        Ok(v) => convert::to_py(py, &v),
        Err(e) => Err(errors::error(py, &e)),
    }
}
