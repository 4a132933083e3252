//! Source lines: counts and times per line of source (every instruction compiled from a line
//! counts toward it), and the program's source annotated with them, as LuaJIT's `-jp=a` and
//! `perf annotate` show it.
//!
//! Lines belong to files: the program's own (the VM names it when it registers a program,
//! [`InstructionProfiler::add_source`] gives its text), or a module file, whose code objects
//! the compiler names `<module NAME>` and `NAME.function`. Module blocks written in the
//! program's file (`module m { ... }`) are the program's lines.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::clock::ticks_to_ns;
use super::{finite, InstructionProfiler, Level};

/// Counts and time of one source line.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LineStats {
    /// The file: the program's name, or the module's (`shapes` for `use "shapes.zx"`).
    pub file: String,
    /// The line, from 1.
    pub line: u32,
    /// The code objects with instructions from this line (usually one).
    pub functions: Vec<String>,
    /// Bytecode instructions from this line executed (exact; interpreted and JIT).
    pub count: u64,
    /// The line's share of the run's execution time, in ms (DETAILED and up; 0 below):
    /// the sum of its instructions' times (see `docs/PROFILER.md`, "The timing model").
    pub total_time_ms: f64,
    /// `total_time_ms` as a percentage of the run's execution time.
    pub run_pct: f64,
}

/// One line of an annotated source file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AnnotatedLine {
    /// The line, from 1.
    pub line: u32,
    /// Its text.
    pub text: String,
    /// Its figures, if any instruction from it ran.
    pub stats: Option<LineFigures>,
}

/// The figures an annotated line carries.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct LineFigures {
    /// Instructions from the line executed.
    pub count: u64,
    /// Its time, in ms (0 below DETAILED).
    pub total_time_ms: f64,
    /// Its share of the run, in percent (0 below DETAILED).
    pub run_pct: f64,
}

/// A source file with each line's figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AnnotatedSource {
    /// The file's name.
    pub file: String,
    /// Every line of the file.
    pub lines: Vec<AnnotatedLine>,
}

impl InstructionProfiler {
    /// Keeps the text of source file `name` for the annotated-source view (the VM's `eval`
    /// and `zx profile` give the program's). A second call for the same name replaces it.
    pub fn add_source(&mut self, name: impl Into<String>, text: impl Into<String>) {
        let name = name.into();
        self.sources.retain(|(n, _)| *n != name);
        self.sources.push((name, text.into()));
    }

    /// The file a code object's lines belong to (see the module documentation).
    pub(super) fn file_of(&self, ci: usize, modules: &HashSet<String>) -> String {
        let c = &self.codes[ci];
        if let Some(m) = c
            .name
            .strip_prefix("<module ")
            .and_then(|r| r.strip_suffix('>'))
        {
            return m.to_string();
        }
        if let Some((m, _)) = c.name.split_once('.') {
            if modules.contains(m) {
                return m.to_string();
            }
        }
        c.file.clone()
    }

    /// Names of the module files the program used (from their `<module NAME>` code objects).
    pub(super) fn module_files(&self) -> HashSet<String> {
        self.codes
            .iter()
            .filter_map(|c| {
                c.name
                    .strip_prefix("<module ")
                    .and_then(|r| r.strip_suffix('>'))
                    .map(str::to_string)
            })
            .collect()
    }

    /// Every source line that ran, by time (DETAILED and up) or by count, most first; ties
    /// in file and line order.
    pub fn lines(&self) -> Vec<LineStats> {
        let a = self.attribution();
        let modules = self.module_files();
        let mut by: BTreeMap<(String, u32), LineStats> = BTreeMap::new();
        for (ci, c) in self.codes.iter().enumerate() {
            let file = self.file_of(ci, &modules);
            for ip in 0..c.len() {
                let n = c.count(ip);
                let line = c.lines.get(ip).copied().unwrap_or(0);
                if n == 0 || line == 0 {
                    continue;
                }
                let e = by.entry((file.clone(), line)).or_insert_with(|| LineStats {
                    file: file.clone(),
                    line,
                    functions: Vec::new(),
                    count: 0,
                    total_time_ms: 0.0,
                    run_pct: 0.0,
                });
                e.count += n;
                let ticks = a.ip_ticks[ci].get(ip).copied().unwrap_or(0.0);
                e.total_time_ms += ticks_to_ns(ticks) / 1e6;
                e.run_pct += a.pct(ticks);
                if !e.functions.contains(&c.name) {
                    e.functions.push(c.name.clone());
                }
            }
        }
        let mut v: Vec<LineStats> = by
            .into_values()
            .map(|mut s| {
                s.total_time_ms = finite(s.total_time_ms);
                s.run_pct = finite(s.run_pct);
                s
            })
            .collect();
        if self.level >= Level::Detailed {
            v.sort_by(|x, y| {
                y.total_time_ms
                    .total_cmp(&x.total_time_ms)
                    .then(y.count.cmp(&x.count))
            });
        } else {
            v.sort_by_key(|s| std::cmp::Reverse(s.count));
        }
        v
    }

    /// The source files whose text the profiler has, each line with its figures.
    pub fn annotated_sources(&self) -> Vec<AnnotatedSource> {
        let all = self.lines();
        let lines: std::collections::HashMap<(&str, u32), LineFigures> = all
            .iter()
            .map(|s| {
                let f = LineFigures {
                    count: s.count,
                    total_time_ms: s.total_time_ms,
                    run_pct: s.run_pct,
                };
                ((s.file.as_str(), s.line), f)
            })
            .collect();
        self.sources
            .iter()
            .map(|(name, text)| AnnotatedSource {
                file: name.clone(),
                lines: text
                    .lines()
                    .enumerate()
                    .map(|(i, t)| {
                        let n = i as u32 + 1;
                        AnnotatedLine {
                            line: n,
                            text: t.to_string(),
                            stats: lines.get(&(name.as_str(), n)).copied(),
                        }
                    })
                    .collect(),
            })
            .collect()
    }
}
