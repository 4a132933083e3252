//! `InstructionProfiler` for Python: made directly (the guide's "Direct Profiler Access"), or
//! a live view of a VM's profiler (`vm.profiler`, the guide's "Hot Loop Analysis").

use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use zexus::profile::{HotLoop, InstructionProfiler, Level, Summary};

use crate::convert;
use crate::vm::PyVm;

/// Where a profiler's data lives.
enum Source {
    /// Made by `InstructionProfiler(level=...)`.
    Own(Box<InstructionProfiler>),
    /// `vm.profiler`: the VM's own profiler, seen live.
    Vm(Py<PyVm>),
}

/// The instruction-level profiler: `InstructionProfiler(level=ProfilingLevel.FULL)`, then
/// `start()`, `record_instruction(ip, opcode, operand)`, `measure_instruction(ip, seconds)`,
/// `stop()`, `get_summary()`, `generate_report(format=..., top_n=...)`,
/// `get_hot_loops(min_iterations=1000)`.
#[pyclass(name = "InstructionProfiler", module = "zexus", unsendable)]
pub struct PyInstructionProfiler {
    src: Source,
}

impl PyInstructionProfiler {
    /// The view of a VM's profiler.
    pub fn of_vm(vm: Py<PyVm>) -> Self {
        PyInstructionProfiler {
            src: Source::Vm(vm),
        }
    }

    fn with<T>(&self, py: Python<'_>, f: impl FnOnce(&InstructionProfiler) -> T) -> PyResult<T> {
        match &self.src {
            Source::Own(p) => Ok(f(p)),
            Source::Vm(vm) => Ok(f(vm.try_borrow(py)?.vm.profiler())),
        }
    }

    fn with_mut<T>(
        &mut self,
        py: Python<'_>,
        f: impl FnOnce(&mut InstructionProfiler) -> T,
    ) -> PyResult<T> {
        match &mut self.src {
            Source::Own(p) => Ok(f(p)),
            Source::Vm(vm) => Ok(f(vm.try_borrow_mut(py)?.vm.profiler_mut())),
        }
    }
}

/// The guide's summary dict: the summary's keys, `most_common_opcodes` in order (most
/// executed first).
pub fn summary_dict(py: Python<'_>, s: &Summary) -> PyResult<PyObject> {
    let d = convert::serde_to_py(py, s)?;
    let counts = PyDict::new(py);
    for (name, n) in &s.most_common_opcodes {
        counts.set_item(name, n)?;
    }
    d.bind(py).set_item("most_common_opcodes", counts)?;
    Ok(d)
}

#[pymethods]
impl PyInstructionProfiler {
    /// A profiler at `level` (a `ProfilingLevel`, or its name as a string; DETAILED by
    /// default).
    #[new]
    #[pyo3(signature = (level=None))]
    fn new(level: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let level = level.map(convert::level).transpose()?;
        Ok(PyInstructionProfiler {
            src: Source::Own(Box::new(InstructionProfiler::new(
                level.unwrap_or(Level::Detailed),
            ))),
        })
    }

    /// The level's name: `"NONE"`, `"BASIC"`, `"DETAILED"` or `"FULL"`.
    #[getter]
    fn level(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |p| p.level.name().to_string())
    }

    /// True when recording (a level above NONE, started).
    #[getter]
    fn enabled(&self, py: Python<'_>) -> PyResult<bool> {
        self.with(py, |p| p.is_enabled())
    }

    /// Starts (or resumes) recording.
    fn start(&mut self, py: Python<'_>) -> PyResult<()> {
        self.with_mut(py, |p| p.start())
    }

    /// Stops recording.
    fn stop(&mut self, py: Python<'_>) -> PyResult<()> {
        self.with_mut(py, |p| p.stop())
    }

    /// Clears all data (the level stays).
    fn reset(&mut self, py: Python<'_>) -> PyResult<()> {
        self.with_mut(py, |p| p.reset())
    }

    /// Counts one execution of `opcode` at `ip` (with its operand, shown in reports).
    #[pyo3(signature = (ip, opcode, operand=None))]
    fn record_instruction(
        &mut self,
        py: Python<'_>,
        ip: u32,
        opcode: &str,
        operand: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let text = match operand {
            Some(o) if !o.is_none() => o.str()?.to_cow()?.into_owned(),
            _ => String::new(),
        };
        self.with_mut(py, |p| p.record_instruction(ip, opcode, text))
    }

    /// Records that the instruction at `ip` took `seconds` (the guide's
    /// `measure_instruction(0, 0.001)` is 1 ms).
    fn measure_instruction(&mut self, py: Python<'_>, ip: u32, seconds: f64) -> PyResult<()> {
        let d = Duration::try_from_secs_f64(seconds).map_err(|_| {
            PyValueError::new_err(format!(
                "measure_instruction needs a duration in seconds, finite and not negative; got {seconds}"
            ))
        })?;
        self.with_mut(py, |p| p.measure_instruction(ip, d))
    }

    /// The summary, as a dict with the guide's keys (`total_instructions`,
    /// `instructions_per_sec`, `overhead_percentage`, `total_time_sec`, ...).
    fn get_summary(&self, py: Python<'_>) -> PyResult<PyObject> {
        let s = self.with(py, |p| p.summary())?;
        summary_dict(py, &s)
    }

    /// A report (`text`, `json`, `html`, `folded`, `flamegraph` or `dot`) with `top_n` rows
    /// per table.
    #[pyo3(signature = (format="text", top_n=20))]
    fn generate_report(&self, py: Python<'_>, format: &str, top_n: usize) -> PyResult<String> {
        let f = convert::format(format)?;
        self.with(py, |p| p.generate_report(f, top_n))
    }

    /// Loops (recorded at FULL) with at least `min_iterations` iterations, most iterations
    /// first.
    #[pyo3(signature = (min_iterations=1000))]
    fn get_hot_loops(&self, py: Python<'_>, min_iterations: u64) -> PyResult<Vec<PyHotLoop>> {
        self.with(py, |p| {
            p.hot_loops(min_iterations)
                .into_iter()
                .map(PyHotLoop::from)
                .collect()
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |p| {
            format!(
                "<InstructionProfiler level={} instructions={}>",
                p.level.name(),
                p.total_instructions()
            )
        })
    }
}

/// One loop as the guide's "Hot Loop Analysis" reads it: `start_ip`, `end_ip`, `iterations`,
/// `total_time` (seconds), `instructions` (opcode names), plus `function`,
/// `avg_iteration_us` and `total_time_ms`.
#[pyclass(name = "HotLoop", module = "zexus", frozen, get_all)]
#[derive(Clone)]
pub struct PyHotLoop {
    /// The code object's name.
    function: String,
    /// The loop header.
    start_ip: u32,
    /// The instruction that jumps back.
    end_ip: u32,
    /// Back edges taken.
    iterations: u64,
    /// Time in the loop's own instructions, seconds (0 below DETAILED).
    total_time: f64,
    /// `total_time` in ms.
    total_time_ms: f64,
    /// Mean time per iteration, µs.
    avg_iteration_us: f64,
    /// Opcode names of the loop's instructions.
    instructions: Vec<String>,
}

impl From<HotLoop> for PyHotLoop {
    fn from(l: HotLoop) -> Self {
        PyHotLoop {
            total_time: l.total_time.as_secs_f64(),
            total_time_ms: l.total_time_ms(),
            avg_iteration_us: l.avg_iteration_us(),
            function: l.function,
            start_ip: l.start_ip,
            end_ip: l.end_ip,
            iterations: l.iterations,
            instructions: l.instructions,
        }
    }
}

#[pymethods]
impl PyHotLoop {
    fn __repr__(&self) -> String {
        format!(
            "<HotLoop {} IP {} -> {}: {} iterations>",
            self.function, self.start_ip, self.end_ip, self.iterations
        )
    }
}
