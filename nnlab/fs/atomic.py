"""Atomic file writes: a temp file in the same directory, fsync, then os.replace.

A reader (or a crash) sees either the old file or the complete new one, never a half-written
file. Temp files are named ``.<name>.<pid>.<random>.pt.tmp`` so a writer killed midway leaves a
recognisable stray that the next write to the same name removes.

A writer holds an exclusive ``flock`` on its temp file until the file has been renamed into
place, and the cleanup removes only strays whose lock it can take: the kernel drops a dead
process's locks, in every PID namespace and container on this host, where a pid check is no proof
(a pid from another namespace looks dead here; issue 19 case 8). The atomic replace never puts a
file in place of a device, FIFO or socket (case 1): that target is refused, untouched.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

_STRAY = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.pt\.tmp$")


class NotRegularFile(OSError):
    """The name is a device, FIFO or socket: nothing is ever written in its place."""

    def __init__(self, path: str | os.PathLike):
        super().__init__(errno.EINVAL, "not a regular file", os.fspath(path))


def temp_name(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.pt.tmp")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _writer_alive(entry: Path) -> bool:
    """True unless the temp file's lock can be taken (its writer, wherever it runs, is gone)."""
    try:
        fd = os.open(entry, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return True  # cannot tell: keep it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True  # locked: a live writer
    finally:
        os.close(fd)  # releases the lock we may have taken
    return False


def stray_is_dead(entry: Path, pid: int) -> bool:
    return pid != os.getpid() and not _writer_alive(entry)


def clean_strays(path: str | os.PathLike) -> int:
    """Remove temp files left next to ``path`` by writers that died; returns how many."""
    path = Path(path)
    removed = 0
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return 0
    for entry in entries:
        match = _STRAY.fullmatch(entry.name)
        if match and match["name"] == path.name and stray_is_dead(entry, int(match["pid"])):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed += 1
    return removed


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be opened
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def refuse_special(path: str | os.PathLike) -> None:
    """NotRegularFile when ``path`` is a device, FIFO or socket (a link or a file may be replaced)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise NotRegularFile(path)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a temp file for writing; on a clean exit it replaces ``path`` atomically."""
    if mode not in ("wb", "w"):
        raise ValueError("atomic_open writes whole files: mode must be 'w' or 'wb'")
    path = Path(path)
    refuse_special(path)
    clean_strays(path)
    tmp = temp_name(path)
    kwargs = {"encoding": encoding or "utf-8", "newline": ""} if mode == "w" else {}
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except OSError as error:  # name the file asked for, never the temp (issue 19 case 26)
        raise type(error)(error.errno, error.strerror, os.fspath(path)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # ours, fresh (O_EXCL): never blocks
    except OSError:
        pass  # a filesystem without flock: the pid in the name is the only guard left
    handle = open(fd, mode, **kwargs)
    try:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
        refuse_special(path)  # made a device while we wrote? still never replaced
        os.replace(tmp, path)  # still locked: a cleaner never takes a file mid-rename
        handle.close()
        _fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            handle.close()
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_open(path, "wb") as handle:
        handle.write(data)


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_open(path, "w") as handle:
        handle.write(text)
