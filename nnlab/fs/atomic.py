"""Atomic file writes: a temp file in the same directory, fsync, then os.replace.

A reader (or a crash) sees either the old file or the complete new one, never a half-written
file. Temp files are named ``.<name>.<pid>.<random>.pt.tmp`` so a writer killed midway leaves a
recognisable stray that the next write to the same name removes.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path
from typing import IO, Iterator

_STRAY = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.pt\.tmp$")


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
        if match and match["name"] == path.name and not _pid_alive(int(match["pid"])):
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


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a temp file for writing; on a clean exit it replaces ``path`` atomically."""
    if mode not in ("wb", "w"):
        raise ValueError("atomic_open writes whole files: mode must be 'w' or 'wb'")
    path = Path(path)
    clean_strays(path)
    tmp = temp_name(path)
    kwargs = {"encoding": encoding or "utf-8", "newline": ""} if mode == "w" else {}
    handle = open(tmp, mode, **kwargs)
    try:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
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
