"""The run's writer lock (.lock): take it or take it over (a detach), probe it, name its holder."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING

from nnlab.i18n import t
from nnlab.run.rundir_common import RunBusy, RunDirError

if TYPE_CHECKING:
    from nnlab.run.rundir import RunDir


def lock_holder(path: Path) -> tuple[int | None, str]:
    """(pid, host) written in a .lock file, (None, "") when unreadable."""
    try:
        with open(path, "rb") as handle:
            words = handle.read(300).decode("utf-8", "replace").split()
        return int(words[0]), (words[1] if len(words) > 1 else "")
    except (OSError, ValueError, IndexError):
        return None, ""


def lock_is_held(path: Path) -> bool | None:
    """True when a writer holds the run's lock, False when free, None when it cannot be told
    (no .lock file, or no flock on this file system). Takes a shared lock for an instant: reads only."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(fd)
    return False


def take_lock(rd: RunDir, lock_fd: int | None = None, wait_s: float = 0.0, *, inheritable: bool = False) -> int:
    """The run's writer lock as an open fd ("pid host" written in it); RunBusy when another
    process holds it. ``lock_fd``: an fd handed over by the previous holder (pass_fds), checked
    to be this run's .lock. ``inheritable``: no O_CLOEXEC (a parent that hands it to a child)."""
    path = rd.lock_path
    if lock_fd is not None:  # handed over by the previous writer (same open file: still locked)
        if os.fstat(lock_fd).st_ino != os.stat(path).st_ino:
            raise RunDirError(t("runs.busy_unknown", run=rd.id))
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fd = lock_fd
    else:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | (0 if inheritable else os.O_CLOEXEC)
        fd = os.open(path, flags, 0o600)
        deadline = time.monotonic() + max(wait_s, 0.1)  # a viewer's shared probe lasts microseconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() < deadline:
                    time.sleep(0.01)
                    continue
                os.close(fd)
                pid, host = lock_holder(path)
                if pid is None:
                    raise RunBusy(t("runs.busy_unknown", run=rd.id)) from None
                raise RunBusy(t("runs.busy", run=rd.id, pid=pid, host=host or "?"), pid, host) from None
            except OSError:
                break  # no flock here: nothing more to guard with
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
    return fd
