//! Modules: finding the files a program `use`s, loading (reading and parsing) each once, and
//! the order their top levels run in. Shared by the compiler and the reference evaluator,
//! which each evaluate the loaded modules their own way.
//!
//! A program's [`ModulePlan`] is built before anything is compiled: starting from the main
//! program, every `use` (anywhere in the code, even in a function that never runs) is
//! resolved ([`resolve`]), its file read and parsed once per canonical path, and the files it
//! uses loaded in turn. A `use` that closes a cycle of imports, a file that does not exist and
//! a package of the original implementation are compile errors at the `use`'s path (its token).
//!
//! ```
//! let plan = zexus::modules::ModulePlan::build(&zexus::syntax::parse("print(1)").unwrap(), None)
//!     .unwrap();
//! assert!(plan.files.is_empty());
//! ```

mod names;
mod resolve;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use names::{exports, for_each_use, module_blocks, top_names, use_bindings};
use resolve::Found;

use crate::syntax::ast::Program;
use crate::syntax::{self, SourceFile, SyntaxError, UseSite};

/// Who contains a `use`: the main program or one of the plan's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Importer {
    /// The main program.
    Main,
    /// `ModulePlan::files[i]`.
    File(usize),
}

/// One module file of a program.
#[derive(Debug, Clone)]
pub struct FileModule {
    /// Its canonical path.
    pub path: PathBuf,
    /// A short name unique in the program (the file's stem, made unique): the prefix of its
    /// globals (`name.x`) and of its functions' names in traces and profiles (`name.f`).
    pub name: String,
    /// The path as messages show it (relative to the main program's directory when inside it).
    pub shown: String,
    /// The path as the first `use` of it wrote it (the module's `__MODULE__`).
    pub spec: String,
    /// Its parsed source.
    pub program: Program,
    /// Its path as the user would open it and its text (for diagnostics).
    pub source: Arc<SourceFile>,
    /// The names it exports, in order.
    pub exports: Vec<String>,
    /// Its top-level names, in order (what its namespace holds).
    pub names: Vec<String>,
}

/// The module files of a program, in the order their top levels can run (every file after the
/// files it uses), and which file each `use` refers to.
#[derive(Debug, Clone, Default)]
pub struct ModulePlan {
    /// The files, each after the ones it uses.
    pub files: Vec<FileModule>,
    uses: HashMap<(Importer, String), usize>,
}

/// A file being loaded (before its position in the plan is known).
struct Loading {
    path: PathBuf,
    spec: String,
    program: Program,
    source: Arc<SourceFile>,
}

/// The state of [`ModulePlan::build`].
struct Builder<'a> {
    cwd: PathBuf,
    main_dir: PathBuf,
    /// Files in the order they were found.
    loaded: Vec<Loading>,
    by_path: HashMap<PathBuf, usize>,
    /// Found-order indexes in the order their loading finished (the plan's order).
    finished: Vec<usize>,
    /// `(importer as a found-order index, or None for main, path) -> found-order index`.
    uses: HashMap<(Option<usize>, String), usize>,
    /// The chain of files being loaded (for cycles): `None` is the main program.
    stack: Vec<Option<usize>>,
    main_path: Option<PathBuf>,
    /// The main program's text, when known (to place errors at their token).
    main_text: Option<&'a str>,
    /// The main program's path was given absolute: so are the module paths diagnostics show.
    absolute: bool,
    errors: Vec<SyntaxError>,
}

impl ModulePlan {
    /// Loads every module `main` uses, directly or not. `main_path` is the main program's
    /// file, if it has one: relative paths are resolved from its directory (else from the
    /// working directory).
    pub fn build(main: &Program, main_path: Option<&Path>) -> Result<ModulePlan, Vec<SyntaxError>> {
        Self::build_from(main, main_path, None)
    }

    /// [`build`](Self::build) for a program parsed from `main_text`: the errors about its
    /// `use` statements point at the path's token rather than the statement.
    pub fn build_from(
        main: &Program,
        main_path: Option<&Path>,
        main_text: Option<&str>,
    ) -> Result<ModulePlan, Vec<SyntaxError>> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let absolute = main_path.is_some_and(Path::is_absolute);
        let main_path = main_path.map(|p| p.canonicalize().unwrap_or_else(|_| cwd.join(p)));
        let main_dir = main_path
            .as_deref()
            .and_then(Path::parent)
            .map_or_else(|| cwd.clone(), Path::to_path_buf);
        let mut b = Builder {
            cwd,
            main_dir,
            loaded: Vec::new(),
            by_path: HashMap::new(),
            finished: Vec::new(),
            uses: HashMap::new(),
            stack: vec![None],
            main_path,
            main_text,
            absolute,
            errors: Vec::new(),
        };
        let main_dir = b.main_dir.clone();
        b.load_uses(None, main, &main_dir);
        if !b.errors.is_empty() {
            return Err(b.errors);
        }
        Ok(b.finish(main))
    }

    /// The file that the `use` of `path` in `importer` refers to.
    pub fn module_of(&self, importer: Importer, path: &str) -> Option<usize> {
        self.uses.get(&(importer, path.to_string())).copied()
    }

    /// The exports of the module that `path` names in `importer` (empty if none).
    pub fn exports_of(&self, importer: Importer, path: &str) -> Vec<String> {
        self.module_of(importer, path)
            .map(|i| self.files[i].exports.clone())
            .unwrap_or_default()
    }
}

impl Builder<'_> {
    /// Loads the modules used in `program` (the main program if `me` is `None`), which is in
    /// directory `dir`.
    fn load_uses(&mut self, me: Option<usize>, program: &Program, dir: &Path) {
        let mut uses = Vec::new();
        for_each_use(&program.stmts, &mut |s, path, _| {
            uses.push(((s.line, s.col), path.to_string()))
        });
        for (at, spec) in uses {
            if self.uses.contains_key(&(me, spec.clone())) {
                continue;
            }
            if let Some(child) = self.load(me, &spec, at, dir) {
                self.uses.insert((me, spec), child);
            }
        }
    }

    /// Loads the module `spec` used by the statement at `at` (line, column) of `me`; its
    /// found-order index.
    fn load(&mut self, me: Option<usize>, spec: &str, at: (u32, u32), dir: &Path) -> Option<usize> {
        let path = match resolve::resolve(spec, dir, &self.cwd) {
            Found::File(p) => p,
            Found::Package(why) => {
                self.error(
                    me,
                    at,
                    spec,
                    format!("module \"{spec}\" is not available here: {why}"),
                );
                return None;
            }
            Found::Missing(tried) => {
                let tried: Vec<String> = tried.iter().map(|p| self.shown(p)).collect();
                let message = format!(
                    "cannot find module \"{spec}\" (looked for {})",
                    tried.join(", ")
                );
                self.error(me, at, spec, message);
                return None;
            }
        };
        if self.main_path.as_ref() == Some(&path) || self.in_stack(&path) {
            let mut chain: Vec<String> = self
                .stack
                .iter()
                .map(|f| match f {
                    None => self
                        .main_path
                        .as_ref()
                        .map_or_else(|| "<main>".to_string(), |p| self.shown(p)),
                    Some(i) => self.shown(&self.loaded[*i].path),
                })
                .collect();
            chain.push(self.shown(&path));
            let start = chain
                .iter()
                .position(|c| *c == self.shown(&path))
                .unwrap_or(0);
            let message = format!("import cycle: {}", chain[start..].join(" -> "));
            self.error(me, at, spec, message);
            return None;
        }
        if let Some(&i) = self.by_path.get(&path) {
            return Some(i);
        }
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                let message = format!("cannot read module \"{spec}\": {e}");
                self.error(me, at, spec, message);
                return None;
            }
        };
        let program = syntax::parse(&text);
        let used_at = Some(self.use_site(me, at, spec));
        let source = Arc::new(SourceFile {
            path: self.opened(&path),
            shown: self.shown(&path),
            text,
            used_at,
        });
        let program = match program {
            Ok(p) => p,
            Err(errors) => {
                for e in errors {
                    self.errors.push(e.in_file(source.clone()));
                }
                return None;
            }
        };
        let i = self.loaded.len();
        self.loaded.push(Loading {
            path: path.clone(),
            spec: spec.to_string(),
            program,
            source,
        });
        self.by_path.insert(path.clone(), i);
        self.stack.push(Some(i));
        let program = std::mem::replace(&mut self.loaded[i].program, Program { stmts: vec![] });
        let dir = path
            .parent()
            .map_or_else(|| self.cwd.clone(), Path::to_path_buf);
        self.load_uses(Some(i), &program, &dir);
        self.loaded[i].program = program;
        self.stack.pop();
        self.finished.push(i);
        Some(i)
    }

    fn in_stack(&self, path: &Path) -> bool {
        self.stack
            .iter()
            .any(|f| matches!(f, Some(i) if self.loaded[*i].path == path))
    }

    /// Records an error about the `use` of `spec` by the statement at `at` (line, column) of
    /// `me`'s source: at the path's token when the source is at hand (a module's; the main
    /// program's errors are placed by the compiler, see `compiler::place_errors`).
    fn error(&mut self, me: Option<usize>, at: (u32, u32), spec: &str, message: String) {
        let site = self.use_site(me, at, spec);
        let mut e =
            SyntaxError::new(site.line, format!("\"{spec}\""), message).with_column(site.column);
        e.file = site.file;
        self.errors.push(e);
    }

    /// The `use` of `spec` by the statement at `at` (line, column) of `me`: at the path's
    /// token when the source is at hand, else at the statement.
    fn use_site(&self, me: Option<usize>, (line, col): (u32, u32), spec: &str) -> UseSite {
        let file = me.map(|i| self.loaded[i].source.clone());
        let text = match &file {
            Some(f) => Some(f.text.as_str()),
            None => self.main_text,
        };
        let tok = format!("\"{spec}\"");
        let column = text
            .and_then(|t| syntax::token_column(t, line, col, &tok))
            .unwrap_or(col);
        UseSite { file, line, column }
    }

    /// A path as the user would open it: relative to the working directory when inside it
    /// (unless the main program was named by an absolute path, or the working directory is
    /// the root), else absolute.
    fn opened(&self, path: &Path) -> String {
        let cwd = self.cwd.canonicalize().unwrap_or_else(|_| self.cwd.clone());
        match path.strip_prefix(&cwd) {
            Ok(rel) if !self.absolute && cwd.parent().is_some() => rel.display().to_string(),
            _ => path.display().to_string(),
        }
    }

    /// A path as messages show it: relative to the main program's directory when inside it.
    fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.main_dir)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// The plan: files in the order they finished loading, with unique names, their exports
    /// and top-level names.
    fn finish(mut self, main: &Program) -> ModulePlan {
        let position: HashMap<usize, usize> = self
            .finished
            .iter()
            .enumerate()
            .map(|(pos, &found)| (found, pos))
            .collect();
        let mut uses = HashMap::new();
        for ((importer, spec), found) in std::mem::take(&mut self.uses) {
            let importer = match importer {
                None => Importer::Main,
                Some(i) => Importer::File(position[&i]),
            };
            uses.insert((importer, spec), position[&found]);
        }
        // Names that a file's name must not take: `module` blocks (whose globals are
        // prefixed the same way) anywhere at a top level.
        let mut taken: Vec<String> = module_blocks(&main.stmts)
            .map(|(n, _)| n.to_string())
            .collect();
        for l in &self.loaded {
            taken.extend(module_blocks(&l.program.stmts).map(|(n, _)| n.to_string()));
        }
        let mut plan = ModulePlan {
            files: Vec::new(),
            uses,
        };
        let order = std::mem::take(&mut self.finished);
        for found in order {
            let path = self.loaded[found].path.clone();
            let program =
                std::mem::replace(&mut self.loaded[found].program, Program { stmts: vec![] });
            let name = unique_name(&path, &mut taken);
            let me = Importer::File(plan.files.len());
            let exports = exports(&program.stmts);
            let names = top_names(&program.stmts, &|spec| plan.exports_of(me, spec), &|_| {
                false
            });
            plan.files.push(FileModule {
                shown: self.shown(&path),
                source: self.loaded[found].source.clone(),
                spec: self.loaded[found].spec.clone(),
                path,
                name,
                program,
                exports,
                names,
            });
        }
        plan
    }
}

/// The file's stem as an identifier (other characters become `_`), made different from every
/// name in `taken` (which it joins).
fn unique_name(path: &Path, taken: &mut Vec<String>) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut base: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if base.is_empty() {
        base = "module".to_string();
    }
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}
