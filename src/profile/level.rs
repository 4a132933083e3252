//! Profiling levels: what the profiler records.

use std::fmt;
use std::str::FromStr;

/// How much the profiler records. Each level includes everything of the levels below it.
///
/// | level | records |
/// |---|---|
/// | `None` | nothing (the VM runs a loop without any hook) |
/// | `Basic` | exact execution counts per instruction and per opcode, function calls |
/// | `Detailed` | + sampled time per instruction: avg, min, max, p50/p95/p99 |
/// | `Full` | + memory reads/writes per instruction and per variable, branch outcomes with a simulated 2-bit predictor, loops (back edges) with exact iteration counts |
///
/// Levels are ordered, so `level >= Level::Detailed` asks "is timing on?".
///
/// ```
/// use zexus::profile::Level;
/// assert_eq!("full".parse::<Level>().unwrap(), Level::Full);
/// assert_eq!("DETAILED".parse::<Level>().unwrap(), Level::Detailed);
/// assert!("fulll".parse::<Level>().is_err());
/// assert_eq!(Level::Detailed.to_string(), "DETAILED");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// No profiling at all.
    None,
    /// Execution counts only.
    Basic,
    /// Counts and sampled timing (the recommended level).
    Detailed,
    /// Counts, timing, memory operations, branches and loops.
    Full,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 4] = [Level::None, Level::Basic, Level::Detailed, Level::Full];

    /// The upper-case name reports print (`"DETAILED"`).
    pub const fn name(self) -> &'static str {
        match self {
            Level::None => "NONE",
            Level::Basic => "BASIC",
            Level::Detailed => "DETAILED",
            Level::Full => "FULL",
        }
    }
}

impl Default for Level {
    /// `Detailed`, the original's default and the guide's recommendation.
    fn default() -> Level {
        Level::Detailed
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// The error of parsing an unknown level name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLevelError {
    /// The text that did not name a level.
    pub input: String,
}

impl fmt::Display for ParseLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown profiling level '{}' (valid levels: none, basic, detailed, full; any case)",
            self.input
        )
    }
}

impl std::error::Error for ParseLevelError {}

impl FromStr for Level {
    type Err = ParseLevelError;

    /// Parses `none`, `basic`, `detailed` or `full` in any case (surrounding spaces ignored).
    /// Anything else is an error; the original silently fell back to `DETAILED`.
    fn from_str(s: &str) -> Result<Level, ParseLevelError> {
        let t = s.trim();
        Level::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| ParseLevelError {
                input: s.to_string(),
            })
    }
}

impl serde::Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_any_case() {
        for (text, level) in [
            ("none", Level::None),
            ("Basic", Level::Basic),
            ("DETAILED", Level::Detailed),
            ("full", Level::Full),
            ("FULL", Level::Full),
            ("Full", Level::Full),
            (" fUlL ", Level::Full),
        ] {
            assert_eq!(text.parse::<Level>(), Ok(level), "{text}");
        }
    }

    #[test]
    fn unknown_name_is_an_error_listing_the_valid_ones() {
        let e = "fulll".parse::<Level>().unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("fulll") && msg.contains("detailed") && msg.contains("none"),
            "{msg}"
        );
        assert!("".parse::<Level>().is_err());
    }

    #[test]
    fn displays_and_serializes_upper_case() {
        assert_eq!(Level::Detailed.to_string(), "DETAILED");
        assert_eq!(serde_json::to_string(&Level::Full).unwrap(), "\"FULL\"");
        assert!(Level::None < Level::Basic && Level::Detailed < Level::Full);
    }
}
