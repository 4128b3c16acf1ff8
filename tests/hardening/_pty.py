"""Run the installed `nnlab` in a real pseudo-terminal: the kernel-level view of an SSH session.

The child gets the pty as its controlling terminal (setsid + TIOCSCTTY), so closing the master
delivers SIGHUP exactly as a dropped SSH link does. Output is drained on a thread (a full pty
buffer would block the app) and kept, escape codes stripped, for ``wait_for``.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

BIN = Path(sys.executable).parent
NNLAB = str(BIN / "nnlab")
SAMPLE = str(Path(__file__).resolve().parents[2] / "nnlab" / "assets" / "fashion-mnist-sample")
_ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")


def _make_controlling() -> None:  # runs in the child between fork and exec
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyApp:
    def __init__(
        self, args: list[str], cwd: Path, env: dict | None = None, size=(80, 24), argv0: list[str] | None = None
    ):
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        full_env = {
            **os.environ,
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "TEXTUAL_ANIMATIONS": "none",
            **(env or {}),
        }
        full_env.pop("NO_COLOR", None) if "NO_COLOR" not in (env or {}) else None
        self.proc = subprocess.Popen(
            [*(argv0 or [NNLAB]), *args],
            cwd=cwd,
            env=full_env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            preexec_fn=_make_controlling,
            close_fds=True,
        )
        os.close(slave)
        self.master: int | None = master
        self.raw = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _drain(self) -> None:
        while True:
            fd = self.master
            if fd is None:
                return
            try:
                chunk = os.read(fd, 65536)
            except OSError as error:  # EIO once the child closed its side; EBADF once we closed ours
                if error.errno in (errno.EIO, errno.EBADF):
                    return
                raise
            if not chunk:
                return
            with self._lock:
                self.raw.extend(chunk)

    def text(self) -> str:
        with self._lock:
            data = bytes(self.raw)
        return _ANSI.sub("", data.decode("utf-8", "replace"))

    def wait_for(self, needle: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.text():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(
            f"{needle!r} not seen in {timeout} s (exit {self.proc.poll()}); output tail:\n{self.text()[-2000:]}"
        )

    def send(self, data: str) -> None:
        assert self.master is not None
        os.write(self.master, data.encode())

    def close_master(self) -> None:
        """Hang up: what sshd does when the network link drops."""
        fd, self.master = self.master, None
        if fd is not None:
            os.close(fd)

    def wait(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def session_processes(self) -> list[int]:
        """Processes still alive in the child's session (an orphan would show up here)."""
        alive = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[3]) == self.pid and fields[0] != "Z":  # field 6 of stat: session id
                alive.append(int(entry))
        return alive

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.proc.wait(5)
        self.close_master()
