//! Where `print` goes: standard output (buffered, flushed at the end of a run and before an
//! error is reported) or a captured string.

use std::io::Write;

use zexus_runtime::Value;

/// Where printed lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    /// Standard output (the default).
    Stdout,
    /// Standard error (e.g. while a report goes to standard output).
    Stderr,
    /// Kept in the VM; read with `VM::take_output`.
    Capture,
}

/// The destination of a VM's printed output.
pub(crate) struct Output {
    buf: Vec<u8>,
    sink: Sink,
    captured: String,
}

impl Output {
    pub fn new(sink: Sink) -> Output {
        Output {
            buf: Vec::new(),
            sink,
            captured: String::new(),
        }
    }

    /// Prints values separated by spaces, then a newline.
    pub fn print_values(&mut self, vals: &[Value]) {
        for (i, v) in vals.iter().enumerate() {
            if i > 0 {
                self.buf.push(b' ');
            }
            let _ = write!(self.buf, "{v}");
        }
        self.buf.push(b'\n');
        if self.buf.len() >= 1 << 16 {
            self.flush();
        }
    }

    /// Sends buffered output to its destination.
    pub fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        // A closed stream (e.g. `zx run x.zx | head`) is not the program's error.
        match self.sink {
            Sink::Capture => self.captured.push_str(&String::from_utf8_lossy(&self.buf)),
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&self.buf);
                let _ = out.flush();
            }
            Sink::Stderr => {
                let mut out = std::io::stderr().lock();
                let _ = out.write_all(&self.buf);
                let _ = out.flush();
            }
        }
        self.buf.clear();
    }

    /// Takes what was captured so far.
    pub fn take_captured(&mut self) -> String {
        self.flush();
        std::mem::take(&mut self.captured)
    }
}
