"""Drive the installed `nnlab` in a real tmux terminal (the test a person's SSH session matches)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


class Tmux:
    def __init__(self, tmp_path: Path, width: int = 80, height: int = 24, env: dict | None = None):
        if shutil.which("tmux") is None:
            pytest.fail("tmux is not installed (apt-get install -y tmux)") if os.environ.get("CI") else pytest.skip(
                "no tmux"
            )
        self.name = f"nnlab-test-{uuid.uuid4().hex[:8]}"
        self.width, self.height = width, height
        self.exit_file = tmp_path / "exit-code"
        self.env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", **(env or {})}

    def __enter__(self) -> Tmux:
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)

    def start(self, command: str) -> None:
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        inner = f"export {exports} PATH={shlex.quote(str(BIN))}:$PATH; {command}; echo $? > {shlex.quote(str(self.exit_file))}"
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(self.width),
                "-y",
                str(self.height),
                "sh",
                "-c",
                inner,
            ],
            check=True,
        )

    def keys(self, *keys: str) -> None:
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.15)

    def screen(self) -> str:
        out = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True)
        return out.stdout

    def screen_ansi(self) -> str:
        out = subprocess.run(["tmux", "capture-pane", "-p", "-e", "-t", self.name], capture_output=True, text=True)
        return out.stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear within {timeout} s; the screen shows:\n{self.screen()}")

    def wait_for_highlight_of(self, label: str, timeout: float = 20.0) -> None:
        """The mode bar shows ``label`` in reverse video (ESC[7m) — the current mode."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            top = self.screen_ansi().splitlines()[0] if self.screen_ansi() else ""
            idx = top.find(label)
            if idx > 0 and "7m" in top[max(0, idx - 40) : idx]:
                return
            time.sleep(0.1)
        raise AssertionError(f"{label!r} is not highlighted; top line: {self.screen_ansi().splitlines()[:1]}")

    def exit_code(self, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exit_file.exists() and self.exit_file.read_text().strip():
                return int(self.exit_file.read_text())
            time.sleep(0.1)
        raise AssertionError(f"nnlab did not exit within {timeout} s; the screen shows:\n{self.screen()}")
