//! Where a `use` path points: a file (found as the original implementation looks for it) or
//! one of the original's built-in packages, which this VM does not have.

use std::path::{Path, PathBuf};

/// What a module path refers to.
pub(crate) enum Found {
    /// A source file (canonical path).
    File(PathBuf),
    /// A package of the original implementation; the text says why it is not available.
    Package(String),
    /// Nothing: the files looked for, in order.
    Missing(Vec<PathBuf>),
}

/// The built-in and standard-library packages of the original implementation (its
/// `builtin_modules.py` and `stdlib_integration.py`), which it resolves before any file.
const ORIGINAL_PACKAGES: &[&str] = &[
    "crypto",
    "datetime",
    "math",
    "validation",
    "password",
    "cache",
    "queue",
    "template",
    "testing",
    "fuzz",
    "secrets",
    "netsec",
    "payloads",
    "pentest",
    "audit",
    "contract_audit",
    "fs",
    "http",
    "json",
    "blockchain",
    "perf",
    "websocket",
    "kernel",
];

/// Python modules the original lets a program import directly (its `_SAFE_PYTHON_MODULES`),
/// when no file of that name exists.
const PYTHON_MODULES: &[&str] = &[
    "hashlib",
    "base64",
    "collections",
    "decimal",
    "fractions",
    "itertools",
    "functools",
    "operator",
    "string",
    "textwrap",
    "unicodedata",
    "enum",
    "dataclasses",
    "copy",
    "pprint",
    "reprlib",
    "numbers",
    "cmath",
    "statistics",
    "random",
    "uuid",
    "re",
    "struct",
    "binascii",
    "html",
    "urllib.parse",
    "ipaddress",
    "typing",
    "abc",
];

/// Resolves `spec` as written in a `use` in a file of directory `importer_dir`.
///
/// The original's order: a built-in package name first; then, for `./x`, the importer's
/// directory and the working directory; for `../x`, the importer's parent; for a bare `x`, the
/// importer's directory and the working directory; then `zpm_modules/x` under the working
/// directory. Each candidate is tried as written and, without a `.zx`/`.zexus` ending, with
/// those endings added.
pub(crate) fn resolve(spec: &str, importer_dir: &Path, cwd: &Path) -> Found {
    if let Some(why) = package(spec) {
        return Found::Package(why);
    }
    let mut bases: Vec<PathBuf> = Vec::new();
    let path = Path::new(spec);
    if path.is_absolute() {
        bases.push(path.to_path_buf());
    } else if let Some(rest) = spec.strip_prefix("./") {
        bases.push(importer_dir.join(rest));
        bases.push(cwd.join(rest));
    } else if spec.starts_with("../") {
        bases.push(importer_dir.join(spec));
    } else {
        bases.push(importer_dir.join(spec));
        bases.push(cwd.join(spec));
    }
    if !path.is_absolute() {
        bases.push(cwd.join("zpm_modules").join(spec));
    }
    let mut tried = Vec::new();
    for base in bases {
        let mut candidates = vec![base.clone()];
        if !spec.ends_with(".zx") && !spec.ends_with(".zexus") {
            candidates.push(with_suffix(&base, ".zx"));
            candidates.push(with_suffix(&base, ".zexus"));
        }
        for c in candidates {
            if c.is_file() {
                return Found::File(c.canonicalize().unwrap_or(c));
            }
            if !tried.contains(&c) {
                tried.push(c);
            }
        }
    }
    if PYTHON_MODULES.contains(&spec) {
        return Found::Package(
            "the original implementation imports it from Python's standard library".into(),
        );
    }
    Found::Missing(tried)
}

/// Why `spec` names a package of the original that is not available here, if it does.
fn package(spec: &str) -> Option<String> {
    let base = spec.strip_prefix("stdlib/").unwrap_or(spec);
    if ORIGINAL_PACKAGES.contains(&base) {
        return Some(
            "it is one of the original implementation's built-in packages (written in Python, \
             with cryptography, networking, files or a blockchain), which this VM does not have"
                .to_string(),
        );
    }
    let package_name = base.split('/').next().unwrap_or(base);
    (package_name.starts_with("zexus-") && !base.ends_with(".zx")).then(|| {
        "it is a package of the original implementation's package manager (zpm), which this VM \
         does not have"
            .to_string()
    })
}

/// `base` with `suffix` appended to its last component.
fn with_suffix(base: &Path, suffix: &str) -> PathBuf {
    let mut s = base.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}
