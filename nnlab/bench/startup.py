"""Time from process start to the app's first frame, measured in a real pty.

Each run spawns ``python -m nnlab`` on a fresh pseudo-terminal with ``NNLAB_FIRST_FRAME_FILE``
set; the app writes the wall-clock time of its first frame there (and whether torch was
imported by then) and exits. No textual or torch is imported in this process.
"""

from __future__ import annotations

import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _one_run(lang: str | None, timeout: float = 30.0) -> tuple[float, bool]:
    with tempfile.TemporaryDirectory() as tmp:
        marker = Path(tmp) / "first-frame"
        env = dict(os.environ, NNLAB_FIRST_FRAME_FILE=str(marker), TERM=os.environ.get("TERM") or "xterm-256color")
        env.setdefault("COLUMNS", "80")
        env.setdefault("LINES", "24")
        master, slave = pty.openpty()
        try:
            import fcntl
            import struct
            import termios

            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        except OSError:
            pass
        cmd = [sys.executable, "-m", "nnlab"] + (["--lang", lang] if lang else [])
        start = time.time()
        proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
        os.close(slave)
        deadline = time.monotonic() + timeout
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    try:
                        os.read(master, 65536)  # keep the pty drained
                    except OSError:
                        break
            try:  # the pty closes a little before the process has finished exiting
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                if not marker.exists():
                    raise RuntimeError(f"no first frame within {timeout:.0f} s") from None
        finally:
            os.close(master)
        if not marker.exists():
            raise RuntimeError(f"the app exited with {proc.returncode} before its first frame")
        stamp, torch_flag = marker.read_text().split()
        return float(stamp) - start, torch_flag == "1"


def measure_startup(runs: int = 5, lang: str | None = None) -> dict:
    """Median time to first frame over ``runs`` runs (plus each run and whether torch was loaded)."""
    times, torch_loaded = [], False
    for _ in range(runs):
        seconds, loaded = _one_run(lang)
        times.append(round(seconds, 4))
        torch_loaded |= loaded
    return {
        "first_frame_s_median": round(statistics.median(times), 4),
        "first_frame_s": times,
        "runs": runs,
        "torch_loaded_at_first_frame": torch_loaded,
    }
