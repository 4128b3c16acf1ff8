"""Output paths: written exactly where the person said, never over a file without consent.

``check_output`` resolves what a flag names the way ``open()`` will (the kernel follows symlinked
directories before ``..``, so ``link/../x`` is next to the link's target, not next to the link)
and returns that path, so the check and the write see the same file; ``~`` is expanded here and
callers write to the returned path (issue 19 case 13). It refuses, before any work: an existing
file unless overwriting was allowed; a name ending in ``/`` or naming a directory (case 26); a
device, FIFO or socket, even with overwriting allowed (cases 1, 11); a parent that cannot be
written (case 13); a name too long for the file system once the temp suffix is added (case 16).
A symlink at the name itself is never written through: the atomic replace puts a new file in
place of the link and leaves its target untouched.
Files are compared by inode (``st_dev``, ``st_ino``), so hard links count as the same file (case 2).
``clean_stray_temps`` removes the temp files of writers that were killed (at the start of a run).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from nnlab.fs import atomic
from nnlab.fs.atomic import NotRegularFile

TEMP_SUFFIX = 40  # ".", ".<pid>.<8 hex>.pt.tmp" around the name (and ".lock"), with room to spare
__all__ = ["OutputExists", "NotRegularFile", "check_output", "same_file", "file_id", "existing"]


class OutputExists(Exception):
    """The file is there already and overwriting was not allowed."""


def _too_long(path: str | os.PathLike) -> OSError:
    return OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), os.fspath(path))


def _check_length(parent: Path, name: str, shown: str) -> None:
    try:
        name_max = os.pathconf(parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    try:
        path_max = os.pathconf(parent, "PC_PATH_MAX")
    except (OSError, ValueError):
        path_max = 4096
    if len(os.fsencode(name)) + TEMP_SUFFIX > name_max:
        raise _too_long(shown)
    if len(os.fsencode(os.fspath(parent))) + 1 + len(os.fsencode(name)) + TEMP_SUFFIX >= path_max:
        raise _too_long(shown)


def check_output(path: str | os.PathLike, overwrite: bool = False) -> Path:
    """The absolute path a write to ``path`` will create; OutputExists if it would replace a
    file (or a link) and ``overwrite`` is False; NotADirectoryError/IsADirectoryError when unusable;
    NotRegularFile for a device, FIFO or socket; PermissionError for a parent that cannot be
    written; OSError(ENAMETOOLONG) for a name the file system cannot hold."""
    raw = os.fspath(path)
    shown = raw
    if raw.endswith(os.sep) or raw.endswith(os.sep + ".") or raw in ("", ".", ".."):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), shown)  # `--save newdir/`
    path = Path(os.path.expanduser(raw))
    if path.name in ("", ".", ".."):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), shown)
    if len(os.fsencode(os.fspath(path))) >= 4096:
        raise _too_long(shown)
    parent = Path(os.path.realpath(path.parent))  # what open() will reach, symlinks and .. included
    try:
        parent_is_dir = parent.is_dir()
    except OSError as error:  # ENAMETOOLONG, ELOOP, EACCES on the way
        raise OSError(error.errno, error.strerror, shown) from None
    if not parent_is_dir:
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path.parent))
    _check_length(parent, path.name, shown)
    target = parent / path.name
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        st = None
    except OSError as error:
        raise OSError(error.errno, error.strerror, shown) from None
    if st is not None:
        mode = st.st_mode
        if stat.S_ISLNK(mode):  # what a writer that follows the link (the live JSONL) would reach
            try:
                mode = os.stat(target).st_mode
            except OSError:
                mode = stat.S_IFREG  # dangling: the replace puts a file in the link's place
        if stat.S_ISDIR(mode):  # a directory, or a link to one: a file name is needed
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), shown)
        if not stat.S_ISREG(mode):
            raise NotRegularFile(shown)
        if not overwrite:
            raise OutputExists(shown)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(parent))
    return target


def file_id(path: str | os.PathLike | None) -> tuple[int, int] | None:
    """(st_dev, st_ino) of the file ``path`` reaches (links followed), or None when there is none."""
    if not path:
        return None
    try:
        st = os.stat(os.path.expanduser(os.fspath(path)))
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when two names reach the same file (through links, ``..`` or a hard link)."""
    ia, ib = file_id(a), file_id(b)
    if ia is not None and ia == ib:
        return True
    try:
        return check_output(a, True) == check_output(b, True)
    except (OSError, OutputExists):
        return False


def existing(paths) -> list[Path]:
    """Those of ``paths`` that exist (a dangling symlink counts: replacing it is still a change)."""
    return [Path(p) for p in paths if p and (Path(p).exists() or Path(p).is_symlink())]


def clean_stray_temps(path: str | os.PathLike | None) -> int:
    """Remove temp files left next to ``path`` by killed writers; how many were removed."""
    if not path:
        return 0
    return atomic.clean_strays(path)


def clean_stray_temps_in(directory: str | os.PathLike | None) -> int:
    """Remove every temp file a killed writer left in ``directory``, whatever file it was writing
    (the app names each run's checkpoint anew, so a stray never matches the next run's name).
    Temp files of writers still alive (their lock is held) are kept."""
    if not directory:
        return 0
    removed = 0
    try:
        entries = list(Path(directory).iterdir())
    except OSError:
        return 0
    for entry in entries:
        match = atomic._STRAY.fullmatch(entry.name)
        if match and atomic.stray_is_dead(entry, int(match["pid"])):
            try:
                entry.unlink()
                removed += 1
            except OSError:
                pass
    return removed
