//! The original's predefined names of a program: `__file__` / `__FILE__` (the program's
//! path), `__DIR__` (its directory), `__MODULE__` (`"__main__"`), `__PACKAGE__` (the first
//! directory of the path as given, or `""`), `__ARGS__` / `__ARGV__` (the arguments after the
//! file name on the command line). A program may declare the same names
//! itself; these values apply only where a name is not declared.

use std::path::Path;

use zexus_runtime::Value;

/// The value of a predefined name known when the program is compiled from `source_name`, or
/// `None` (not one of them, or one read at run time: [`is_args`]).
pub(crate) fn constant(name: &str, source_name: &str) -> Option<Value> {
    let path = || {
        let p = Path::new(source_name);
        if p.is_file() {
            if let Ok(abs) = p.canonicalize() {
                return abs;
            }
        }
        p.to_path_buf()
    };
    match name {
        "__file__" | "__FILE__" => Some(Value::str(path().display().to_string())),
        "__DIR__" => Some(Value::str(
            path()
                .parent()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
        )),
        "__MODULE__" => Some(Value::str("__main__")),
        // The first directory of the program's path as given (the original's package name).
        "__PACKAGE__" => Some(Value::str(
            Path::new(source_name)
                .components()
                .nth(1)
                .and_then(|_| Path::new(source_name).components().next())
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .unwrap_or_default(),
        )),
        _ => None,
    }
}

/// True for `__ARGS__` / `__ARGV__`, read at run time (the builtin of the same name).
pub(crate) fn is_args(name: &str) -> bool {
    matches!(name, "__ARGS__" | "__ARGV__")
}
