"""`zx repl` on a pseudo-terminal (line editing with rustyline, prompts, history, Ctrl-C and
Ctrl-D). Uses the `zx` binary that `cargo build --release` (or `cargo test --release`) leaves in
target/release; skipped if it is not there."""

import os
import pty
import select
import time
from pathlib import Path

import pytest

ZX = Path(__file__).resolve().parents[2] / "target" / "release" / "zx"

pytestmark = pytest.mark.skipif(not ZX.exists(), reason="build zx first: cargo build --release")


class Term:
    """zx repl on a pseudo-terminal. Each line is typed only once the prompt for it is shown:
    rustyline flushes input typed before it switches the terminal to raw mode."""

    def __init__(self, home):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["HOME"] = str(home)
            os.execv(str(ZX), ["zx", "repl", "--no-jit"])
        self.out = b""
        self.seen = 0  # output before this offset was matched already

    def read_until(self, text, timeout=20.0):
        """Waits for `text` in the output that came after the last match."""
        end = time.time() + timeout
        while text.encode() not in self.out[self.seen :] and time.time() < end:
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if r:
                try:
                    self.out += os.read(self.fd, 4096)
                except OSError:
                    break
        at = self.out.find(text.encode(), self.seen)
        assert at >= 0, self.out.decode(errors="replace")
        self.seen = at + len(text)

    def send(self, data, prompt=None):
        """Types `data` once `prompt` (if given) is shown."""
        if prompt is not None:
            self.read_until(prompt)
        os.write(self.fd, data.encode())

    def wait(self):
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def test_repl_on_a_terminal(tmp_path):
    t = Term(tmp_path)
    t.send("let x = 20\r", prompt="zx> ")
    t.send("function f(n) {\r", prompt="zx> ")
    t.send("return n * 2\r", prompt="... ")
    t.send("}\r", prompt="... ")
    t.send("f(x) + 2\r", prompt="zx> ")
    t.read_until("42\r\n")
    # Ctrl-C drops an unfinished input; the session goes on.
    t.send("if (true) {\r", prompt="zx> ")
    t.send("\x03", prompt="... ")
    t.send("x + 1\r", prompt="zx> ")
    t.read_until("21\r\n")
    # Ctrl-D leaves.
    t.send("\x04", prompt="zx> ")
    assert t.wait() == 0
    history = (tmp_path / ".zx_history").read_text()
    assert "function f(n) {" in history and "f(x) + 2" in history
