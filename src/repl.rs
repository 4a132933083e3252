//! `zx repl`: the interactive prompt's logic, apart from the terminal (the binary reads lines
//! with `rustyline`, or plain lines when standard input is not a terminal, and feeds them
//! here).
//!
//! Each complete input runs in one [`Session`], so variables and functions stay defined from
//! one input to the next. An input is complete when its brackets are balanced and it ends
//! outside a string or comment: an unfinished `{` (or `(`, `[`) continues on the next line.
//! Lines starting with `:` are commands (`:help` lists them).

use std::io::{self, Write};

use crate::diagnostic::Diagnostics;
use crate::error::Error;
use crate::profile::Level;
use crate::report::Format;
use crate::session::Session;
use crate::syntax::lexer::tokenize;
use crate::syntax::token::TokenKind;
use crate::VM;

/// What the prompt should do after a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Read the next line.
    Continue,
    /// End the session (`:quit`).
    Quit,
}

/// The commands, for `:help`.
pub const HELP: &str = "\
Enter Zexus statements; an unfinished block ({, (, [) continues on the next line.
Variables and functions stay defined between inputs. Commands:
  :profile <code>   run <code> under the profiler and print its report
  :level [LEVEL]    show or set the level :profile uses (basic, detailed, full)
  :jit [on|off]     show or switch the JIT (variables and functions are kept)
  :disasm [code]    the bytecode of <code> (not run), or of the last input
  :vars             the variables defined so far
  :help             this help
  :quit             leave (also Ctrl-D)";

/// The REPL's state: the session, the input gathered so far and the settings.
pub struct Repl {
    session: Session,
    buffer: String,
    jit: bool,
    hot_threshold: u32,
    level: Level,
    color: bool,
}

/// True if `source` is unfinished: open brackets, or an unterminated string or comment.
pub fn is_incomplete(source: &str) -> bool {
    let mut depth: i64 = 0;
    for t in tokenize(source) {
        match t.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth -= 1,
            TokenKind::Error(ref m) if m.starts_with("unterminated") => return true,
            _ => {}
        }
    }
    depth > 0
}

impl Repl {
    /// A REPL with the JIT on or off (loops compile after `hot_threshold` back edges).
    pub fn new(jit: bool, hot_threshold: u32) -> Repl {
        Repl {
            session: Session::new(Self::vm(jit, hot_threshold)),
            buffer: String::new(),
            jit,
            hot_threshold,
            level: Level::Detailed,
            color: false,
        }
    }

    /// Colours error diagnostics (ANSI escapes) when `yes`; off by default.
    pub fn set_color(&mut self, yes: bool) {
        self.color = yes;
    }

    /// An input's error as a diagnostic, with the caret under the input line (`<repl>:1:5:
    /// error: ...`). A runtime error raised inside a function an earlier input defined is
    /// shown against that input's text, which the session keeps with the function's code
    /// (`CodeObject::file`); one with no such text (bytecode the session did not compile) is
    /// shown without a snippet, its line in the trace.
    fn diagnostic(&self, source: &str, e: &Error) -> String {
        let d = Diagnostics::new(crate::session::SOURCE_NAME, source).color(self.color);
        match e {
            Error::Runtime(r)
                if r.file.is_none() && r.trace.first().is_some_and(|t| t.function != "<main>") =>
            {
                let mut r = r.clone();
                r.column = 0;
                d.runtime_error(&r)
            }
            _ => d.error(e),
        }
    }

    fn vm(jit: bool, hot_threshold: u32) -> VM {
        VM::builder().jit(jit).hot_threshold(hot_threshold).build()
    }

    /// The prompt for the next line: `zx> `, or `... ` inside an unfinished input.
    pub fn prompt(&self) -> &'static str {
        if self.buffer.is_empty() {
            "zx> "
        } else {
            "... "
        }
    }

    /// The session (its variables, its VM).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Drops an unfinished input (Ctrl-C at the prompt).
    pub fn cancel(&mut self) {
        self.buffer.clear();
    }

    /// Takes one line. Values are printed to `out`, errors to `err`; the program's own
    /// output goes to standard output, as with `zx run`.
    pub fn feed(
        &mut self,
        line: &str,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<Step> {
        if self.buffer.is_empty() {
            let t = line.trim();
            if t.is_empty() {
                return Ok(Step::Continue);
            }
            if let Some(cmd) = t.strip_prefix(':') {
                return self.command(cmd, out, err);
            }
        }
        self.buffer.push_str(line);
        self.buffer.push('\n');
        if is_incomplete(&self.buffer) {
            return Ok(Step::Continue);
        }
        let source = std::mem::take(&mut self.buffer);
        self.run(&source, out, err)?;
        Ok(Step::Continue)
    }

    /// Runs one complete input and prints its value (unless `null`) or its error.
    fn run(&mut self, source: &str, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        let result = self.session.run(source);
        // The program's output first (it went to standard output through the VM).
        io::stdout().flush()?;
        match result {
            Ok(v) if v.kind() == zexus_runtime::Kind::Null => {}
            Ok(v) => writeln!(out, "{}", v.repr())?,
            Err(e) => writeln!(err, "{}", self.diagnostic(source, &e))?,
        }
        out.flush()?;
        err.flush()
    }

    fn command(&mut self, cmd: &str, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Step> {
        let (name, arg) = match cmd.split_once(char::is_whitespace) {
            Some((n, a)) => (n, a.trim()),
            None => (cmd, ""),
        };
        match name {
            "q" | "quit" | "exit" => return Ok(Step::Quit),
            "h" | "help" | "?" => writeln!(out, "{HELP}")?,
            "level" => {
                if arg.is_empty() {
                    writeln!(out, "profiling level for :profile: {}", self.level.name())?;
                } else {
                    match arg.parse::<Level>() {
                        Ok(Level::None) => writeln!(
                            err,
                            ":level: :profile needs a level above none (basic, detailed, full)"
                        )?,
                        Ok(l) => {
                            self.level = l;
                            writeln!(out, "profiling level for :profile: {}", l.name())?;
                        }
                        Err(e) => writeln!(err, ":level: {e}")?,
                    }
                }
            }
            "jit" => match arg {
                "" => writeln!(out, "jit: {}", if self.jit { "on" } else { "off" })?,
                "on" | "off" => {
                    self.jit = arg == "on";
                    self.session.set_vm(Self::vm(self.jit, self.hot_threshold));
                    writeln!(out, "jit: {arg}")?;
                }
                _ => writeln!(err, ":jit: expected on or off, got '{arg}'")?,
            },
            "disasm" => {
                if arg.is_empty() {
                    match self.session.last_bytecode() {
                        Some(bc) => write!(out, "{}", bc.disassemble())?,
                        None => writeln!(err, ":disasm: nothing has run yet; try :disasm <code>")?,
                    }
                } else {
                    match self.session.compile(arg) {
                        Ok(bc) => write!(out, "{}", bc.disassemble())?,
                        Err(errors) => {
                            for e in errors {
                                writeln!(err, "{e}")?;
                            }
                        }
                    }
                }
            }
            "profile" => {
                if arg.is_empty() {
                    writeln!(
                        err,
                        ":profile: give the code to profile, e.g. :profile fib(20)"
                    )?;
                } else {
                    self.session.vm_mut().set_profiling_level(self.level);
                    self.run(arg, out, err)?;
                    let report = self.session.vm().profiling_report(Format::Text, 20);
                    self.session.vm_mut().set_profiling_level(Level::None);
                    writeln!(out, "{report}")?;
                }
            }
            "vars" => {
                for name in self.session.global_names() {
                    if let Some(v) = self.session.global(name) {
                        writeln!(out, "{name} = {v}")?;
                    }
                }
            }
            _ => writeln!(err, "unknown command ':{name}' (:help lists them)")?,
        }
        out.flush()?;
        err.flush()?;
        Ok(Step::Continue)
    }
}
