"""The overlapped hand-off of a live run to a background process (the app's `d`, issue 14).

The child's start-up (Python, torch, the data: ~4 s on the CPU) happens while the parent still
trains; training stands still only for the stop-save, the child's checkpoint load and its first
step. One local socketpair joins the two (nothing on the network):

    parent (the app's TrainRun)                    child: nnlab train --headless ... --handoff FD
    Handoff.start(): spawned, new session  ──────> imports torch, loads the data (HandoffChild)
    ... trains on ...                      <────── "ready\\n"
    stops at the next batch, exact save,
    closes its event log (a dup keeps the lock)
    "go\\n" + the run's lock fd (SCM_RIGHTS) ─────> loads the checkpoint, opens the run directory
                                           <────── "took\\n" (its writer holds the lock now)
    closes the dup: the child is the one writer

Faults: EOF before "go" (the parent's run ended first, the parent died, it gave up waiting)
makes the child exit 0 at once, having written nothing and holding no lock (the lock travels
only with "go"). A child that dies or is not ready within ``READY_S`` leaves the parent
training. A child that dies between "go" and "took" leaves the parent holding the lock (its
dup): the parent then writes its own final event, so the log still ends cleanly.

Torch-free and Textual-free: both sides only move bytes and one fd.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

READY_S = 30.0  # the child's start-up, generously (under the app's 60 s exit watchdog)
TOOK_S = 20.0  # "go" → "took": the checkpoint load and the run directory opening
READY, GO, TOOK = b"ready\n", b"go\n", b"took\n"


def resume_argv(checkpoint: str, run_dir: str, progress_every: int | None = None, data_dir: str | None = None) -> list:
    """The background child that continues a run from its exact checkpoint in the same run
    directory (the hand-off flag is added by ``Handoff``)."""
    argv = [
        sys.executable,
        "-m",
        "nnlab",
        "train",
        "--headless",
        "--resume",
        os.path.abspath(checkpoint),
        "--run-dir",
        os.path.abspath(run_dir),
    ]
    if progress_every:
        argv += ["--progress-every", str(int(progress_every))]
    if data_dir:
        argv += ["--data-dir", str(data_dir)]
    return argv


class Handoff:
    """The parent's side: ``start`` → ``wait_ready`` → ``go`` → ``wait_took``; ``abort`` at any
    point before "go" (the child then exits quietly)."""

    def __init__(self, argv: list[str], output_log: str | os.PathLike) -> None:
        self.argv, self.output_log = list(argv), Path(output_log)
        self.proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._buffer = b""

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self) -> int:
        """Spawn the child in a new session (no terminal, so no SIGHUP), stdin /dev/null, its
        output appended to the run's output.log; its pid. OSError when it cannot be started."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            log = os.open(self.output_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
            try:
                self.proc = subprocess.Popen(
                    [*self.argv, "--handoff", str(theirs.fileno())],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                    pass_fds=(theirs.fileno(),),
                    close_fds=True,
                )
            finally:
                os.close(log)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self._sock = ours
        return self.proc.pid

    def _read_until(self, token: bytes, deadline: float, give_up: Callable[[], bool]) -> str | None:
        """None once ``token`` arrived; else why not: "gone" (EOF: the child ended), "timeout",
        "aborted" (``give_up()`` said so)."""
        sock = self._sock
        while token not in self._buffer:
            if sock is None or give_up():
                return "aborted"
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            try:
                readable, _, _ = select.select([sock], [], [], min(0.05, left))
                if not readable:
                    continue
                data = sock.recv(256)
            except (OSError, ValueError):  # closed under us
                return "gone"
            if not data:
                return "gone"
            self._buffer += data
        self._buffer = self._buffer.split(token, 1)[1]
        return None

    def wait_ready(self, timeout_s: float = READY_S, give_up: Callable[[], bool] = lambda: False) -> str | None:
        return self._read_until(READY, time.monotonic() + timeout_s, give_up)

    def exit_code(self, wait_s: float = 1.0) -> int | None:
        """The child's exit status once it ended (waiting up to ``wait_s``), else None."""
        if self.proc is None:
            return None
        try:
            return self.proc.wait(wait_s)
        except subprocess.TimeoutExpired:
            return None

    def go(self, lock_fd: int) -> bool:
        """Tell the child to take over, passing the run's lock fd; False when it is gone."""
        try:
            socket.send_fds(self._sock, [GO], [lock_fd])
            return True
        except (OSError, AttributeError):
            return False

    def wait_took(self, timeout_s: float = TOOK_S) -> str | None:
        why = self._read_until(TOOK, time.monotonic() + timeout_s, lambda: False)
        self.close()
        return why

    def abort(self, terminate: bool = False) -> None:
        """Before "go": close our end, so the child exits 0 on its own; ``terminate`` also sends
        it SIGTERM (a child that never became ready may be stuck before it reads)."""
        self.close()
        if terminate and self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.send_signal(signal.SIGTERM)

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()


class HandoffChild:
    """The child's side. Made first thing (before the slow imports): a daemon thread waits for
    "go"; EOF before it ends this process at once with exit 0 (nothing written, no lock held)."""

    def __init__(self, fd: int) -> None:
        self._sock = socket.socket(fileno=fd)
        self._go = threading.Event()
        self.lock_fd: int | None = None
        threading.Thread(target=self._wait_go, name="nnlab-handoff", daemon=True).start()

    def _wait_go(self) -> None:
        buffer = b""
        try:
            while GO not in buffer:
                data, fds, _flags, _addr = socket.recv_fds(self._sock, 256, 1)
                if fds:
                    self.lock_fd = fds[0]
                    for extra in fds[1:]:
                        os.close(extra)
                if not data:
                    break
                buffer += data
        except OSError:
            pass
        if GO in buffer and self.lock_fd is not None:
            self._go.set()
            return
        os._exit(0)  # the parent's run ended, or the parent is gone: quietly, nothing to undo

    def ready(self) -> int:
        """Say "ready" and wait for "go"; the run's lock fd (handed over with it)."""
        try:
            self._sock.sendall(READY)
        except OSError:
            os._exit(0)
        self._go.wait()
        return int(self.lock_fd)

    def took(self) -> None:
        """The run directory is ours (its writer holds the lock): the parent may let go."""
        with contextlib.suppress(OSError):
            self._sock.sendall(TOOK)
        with contextlib.suppress(OSError):
            self._sock.close()
