//! pprof's `profile.proto`, gzipped (`zx profile --format pprof`), the format `go tool
//! pprof` reads and fleet profilers (Pyroscope, Grafana, Cloud Profiler) ingest. The messages
//! below are the subset of `github.com/google/pprof/proto/profile.proto` this writer fills,
//! with that file's field numbers, encoded by `prost`.
//!
//! One sample per call path, its locations leaf first (one location per function, each with
//! one line: the function and its first source line). Values: at DETAILED and FULL
//! `samples/count` (timing samples on the path), `cpu/nanoseconds` (their sampled time, the
//! default) and `calls/count` (calls along the path); at BASIC `instructions/count` (exact
//! instructions shared among paths by calls, as in the folded stacks) and `calls/count`.
//! Where allocations were recorded (DETAILED and FULL) two more, `alloc_objects/count` and
//! `alloc_space/bytes`, filled by one more sample per allocation site (function and line;
//! allocations are not recorded by call path): `go tool pprof -sample_index=alloc_space`.

use std::io;

use prost::Message;

use super::paths::{CallPaths, WeightUnit};
use crate::profile::InstructionProfiler;

/// `perftools.profiles.Profile`.
#[derive(Clone, PartialEq, Message)]
pub struct Profile {
    /// The kind and unit of each value of a sample.
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<ValueType>,
    /// The samples.
    #[prost(message, repeated, tag = "2")]
    pub sample: Vec<Sample>,
    /// The one mapping: the Zexus program (it tells pprof the functions are already named).
    #[prost(message, repeated, tag = "3")]
    pub mapping: Vec<Mapping>,
    /// Locations, referred to by id from samples.
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<Location>,
    /// Functions, referred to by id from lines.
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<Function>,
    /// Every string of the profile; index 0 is "".
    #[prost(string, repeated, tag = "6")]
    pub string_table: Vec<String>,
    /// When the profile was written, ns since the Unix epoch.
    #[prost(int64, tag = "9")]
    pub time_nanos: i64,
    /// The profiled run's wall time in ns.
    #[prost(int64, tag = "10")]
    pub duration_nanos: i64,
    /// What one sampling period is.
    #[prost(message, optional, tag = "11")]
    pub period_type: Option<ValueType>,
    /// The sampling period (executions per timing sample).
    #[prost(int64, tag = "12")]
    pub period: i64,
    /// Free-form notes (string table indices).
    #[prost(int64, repeated, tag = "13")]
    pub comment: Vec<i64>,
    /// The value shown by default (string table index of its type).
    #[prost(int64, tag = "14")]
    pub default_sample_type: i64,
}

/// `perftools.profiles.ValueType`.
#[derive(Clone, PartialEq, Message)]
pub struct ValueType {
    /// String table index of the kind (`"cpu"`).
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    /// String table index of the unit (`"nanoseconds"`).
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

/// `perftools.profiles.Sample`.
#[derive(Clone, PartialEq, Message)]
pub struct Sample {
    /// The call stack, leaf first.
    #[prost(uint64, repeated, tag = "1")]
    pub location_id: Vec<u64>,
    /// One value per sample type.
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
}

/// `perftools.profiles.Mapping`.
#[derive(Clone, PartialEq, Message)]
pub struct Mapping {
    /// Non-zero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// String table index of the mapped file's name (the program).
    #[prost(int64, tag = "5")]
    pub filename: i64,
    /// Locations of this mapping name their functions (nothing to symbolize).
    #[prost(bool, tag = "7")]
    pub has_functions: bool,
    /// They name their source files.
    #[prost(bool, tag = "8")]
    pub has_filenames: bool,
    /// They give line numbers.
    #[prost(bool, tag = "9")]
    pub has_line_numbers: bool,
}

/// `perftools.profiles.Location`.
#[derive(Clone, PartialEq, Message)]
pub struct Location {
    /// Non-zero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// The mapping's id (1).
    #[prost(uint64, tag = "2")]
    pub mapping_id: u64,
    /// The source lines of the location.
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<Line>,
}

/// `perftools.profiles.Line`.
#[derive(Clone, PartialEq, Message)]
pub struct Line {
    /// The function's id.
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    /// The source line.
    #[prost(int64, tag = "2")]
    pub line: i64,
}

/// `perftools.profiles.Function`.
#[derive(Clone, PartialEq, Message)]
pub struct Function {
    /// Non-zero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// String table index of the name.
    #[prost(int64, tag = "2")]
    pub name: i64,
    /// String table index of the name as the system knows it.
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    /// String table index of the source file.
    #[prost(int64, tag = "4")]
    pub filename: i64,
    /// The function's first line.
    #[prost(int64, tag = "5")]
    pub start_line: i64,
}

/// The string table being built.
#[derive(Default)]
struct Strings(Vec<String>, std::collections::HashMap<String, i64>);

impl Strings {
    fn id(&mut self, s: &str) -> i64 {
        if self.0.is_empty() {
            self.0.push(String::new());
            self.1.insert(String::new(), 0);
        }
        if let Some(&i) = self.1.get(s) {
            return i;
        }
        self.0.push(s.to_string());
        let i = (self.0.len() - 1) as i64;
        self.1.insert(s.to_string(), i);
        i
    }
}

/// The profile of `p`'s call paths.
pub fn profile(p: &InstructionProfiler) -> Profile {
    let paths = CallPaths::of(p);
    let mut st = Strings::default();
    st.id("");
    let vt = |st: &mut Strings, t: &str, u: &str| ValueType {
        r#type: st.id(t),
        unit: st.id(u),
    };
    let timed = paths.unit == WeightUnit::Nanoseconds;
    let allocs = p.allocation_report();
    let (sample_type, default) = if timed {
        let mut types = vec![
            vt(&mut st, "samples", "count"),
            vt(&mut st, "cpu", "nanoseconds"),
            vt(&mut st, "calls", "count"),
        ];
        if allocs.recorded {
            types.push(vt(&mut st, "alloc_objects", "count"));
            types.push(vt(&mut st, "alloc_space", "bytes"));
        }
        (types, st.id("cpu"))
    } else {
        (
            vec![
                vt(&mut st, "instructions", "count"),
                vt(&mut st, "calls", "count"),
            ],
            st.id("instructions"),
        )
    };
    // One function and one location per distinct (name, file, line).
    let mut function: Vec<Function> = Vec::new();
    let mut location: Vec<Location> = Vec::new();
    let mut loc_of = Vec::with_capacity(paths.entries.len());
    for e in &paths.entries {
        // pprof's demangler reads `<...>` as C++ template arguments and drops them, which
        // would leave `<main>` nameless: the angle brackets go.
        let plain = e.name.replace(['<', '>'], "");
        let (name, file) = (st.id(&plain), st.id(&e.file));
        let (id, new) = function_id(&mut function, name, file, Some(e.line as i64));
        if new {
            location.push(Location {
                id,
                mapping_id: 1,
                line: vec![Line {
                    function_id: id,
                    line: e.line as i64,
                }],
            });
        }
        loc_of.push(id);
    }
    let mut sample: Vec<Sample> = paths
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.weight > 0 || e.calls > 0)
        .map(|(i, e)| {
            let mut stack: Vec<u64> = paths.stack(i).into_iter().map(|s| loc_of[s]).collect();
            stack.reverse();
            let w = e.weight.min(i64::MAX as u64) as i64;
            let calls = e.calls.min(i64::MAX as u64) as i64;
            Sample {
                location_id: stack,
                value: if timed {
                    let mut v = vec![e.samples.min(i64::MAX as u64) as i64, w, calls];
                    if allocs.recorded {
                        v.extend([0, 0]);
                    }
                    v
                } else {
                    vec![w, calls]
                },
            }
        })
        .collect();
    if timed && allocs.recorded {
        // One sample per allocation site: a location at the site's line in its function
        // (allocations are not recorded by call path), with only the two allocation values.
        for site in &allocs.sites {
            let plain = site.function.replace(['<', '>'], "");
            let (name, file) = (st.id(&plain), st.id(&site.file));
            let (function_id, _) = function_id(&mut function, name, file, None);
            let id = location.len() as u64 + 1;
            location.push(Location {
                id,
                mapping_id: 1,
                line: vec![Line {
                    function_id,
                    line: i64::from(site.line),
                }],
            });
            let clamp = |x: u64| x.min(i64::MAX as u64) as i64;
            sample.push(Sample {
                location_id: vec![id],
                value: vec![0, 0, 0, clamp(site.allocations), clamp(site.bytes)],
            });
        }
    }
    let mut comment = vec![st.id(&format!("zx profile, level {}", p.level))];
    if let Some(why) = paths.empty_reason(p) {
        comment.push(st.id(why));
    }
    let program = paths
        .entries
        .iter()
        .find(|e| e.parent.is_none() && !e.file.is_empty())
        .map_or("zexus", |e| e.file.as_str());
    let mapping = vec![Mapping {
        id: 1,
        filename: st.id(program),
        has_functions: true,
        has_filenames: true,
        has_line_numbers: true,
    }];
    let period_type = Some(vt(&mut st, "executions", "count"));
    let time_nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos().min(i64::MAX as u128) as i64);
    let duration_nanos = (p.summary().total_time_sec * 1e9) as i64;
    Profile {
        sample_type,
        sample,
        mapping,
        location,
        function,
        string_table: st.0,
        time_nanos,
        duration_nanos,
        period_type,
        period: if timed { p.sample_rate as i64 } else { 1 },
        comment,
        default_sample_type: default,
    }
}

/// Writes the gzipped profile.
pub fn write(p: &InstructionProfiler, w: &mut dyn io::Write) -> io::Result<()> {
    let bytes = profile(p).encode_to_vec();
    let mut gz = flate2::write::GzEncoder::new(w, flate2::Compression::default());
    io::Write::write_all(&mut gz, &bytes)?;
    gz.finish()?;
    Ok(())
}

/// The id of the function named `name` in `file` (string-table ids), added if new; with
/// `start_line`, only a function starting at that line matches (and a new one starts there),
/// without, any line does (a new one gets 0). Also says whether it was added.
fn function_id(
    function: &mut Vec<Function>,
    name: i64,
    file: i64,
    start_line: Option<i64>,
) -> (u64, bool) {
    let found = function.iter().find(|f| {
        f.name == name && f.filename == file && start_line.is_none_or(|l| f.start_line == l)
    });
    if let Some(f) = found {
        return (f.id, false);
    }
    let id = function.len() as u64 + 1;
    function.push(Function {
        id,
        name,
        system_name: name,
        filename: file,
        start_line: start_line.unwrap_or(0),
    });
    (id, true)
}
