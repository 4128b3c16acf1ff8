"""One writer per output file: an exclusive ``flock`` on a sidecar ``.<name>.lock`` (issue 19 case 7).

Two runs given the same ``--save`` file would otherwise overwrite each other's checkpoints
silently. The lock is the kernel's: it goes when its holder dies, whatever the pid namespace.
The sidecar is removed by the holder on release; a taker checks, after locking, that the name
still reaches the inode it locked (an unlink between open and lock would leave two holders).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class Busy(Exception):
    """Another live process holds the lock; ``path`` is the output it guards."""

    def __init__(self, path: str | os.PathLike, holder: str = ""):
        super().__init__(os.fspath(path))
        self.path, self.holder = os.fspath(path), holder


def lock_name(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(f".{path.name}.lock")


class OutputLock:
    """Held from ``acquire`` until ``release`` (or process death)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.lock_path = lock_name(self.path)
        self.fd: int | None = None

    def acquire(self) -> OutputLock:
        for _ in range(100):
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = ""
                with contextlib.suppress(OSError):
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                os.close(fd)
                raise Busy(self.path, holder) from None
            except OSError:  # no flock on this file system: nothing more to guard with
                self.fd = fd
                return self
            try:
                same = os.stat(self.lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
                self.fd = fd
                return self
            os.close(fd)  # the holder removed it between our open and our lock: try again
        raise Busy(self.path)

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.lock_path)  # still locked: a taker of the old inode sees it gone
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
