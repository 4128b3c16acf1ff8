"""Output paths: written exactly where the person said, never over a file without consent.

``check_output`` resolves what a flag names the way ``open()`` will (the kernel follows symlinked
directories before ``..``, so ``link/../x`` is next to the link's target, not next to the link)
and returns that path, so the check and the write see the same file. It refuses an existing file
unless overwriting was allowed. A symlink at the name itself is never written through: the
atomic replace puts a new file in place of the link and leaves its target untouched.
``clean_stray_temps`` removes the temp files of writers that were killed (at the start of a run).
"""

from __future__ import annotations

import os
from pathlib import Path

from nnlab.fs import atomic


class OutputExists(Exception):
    """The file is there already and overwriting was not allowed."""


def check_output(path: str | os.PathLike, overwrite: bool = False) -> Path:
    """The absolute path a write to ``path`` will create; OutputExists if it would replace a
    file (or a link) and ``overwrite`` is False; NotADirectoryError/IsADirectoryError when unusable."""
    path = Path(os.path.expanduser(os.fspath(path)))
    if path.name in ("", ".", ".."):
        raise IsADirectoryError(str(path))
    parent = Path(os.path.realpath(path.parent))  # what open() will reach, symlinks and .. included
    if not parent.is_dir():
        raise NotADirectoryError(str(path.parent))
    target = parent / path.name
    if target.is_dir():  # a directory, or a link to one: a file name is needed
        raise IsADirectoryError(str(path))
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise OutputExists(str(path))
    return target


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when two names reach the same file (through links or ``..``)."""
    return check_output(a, True) == check_output(b, True)


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
    Temp files of writers still alive are kept."""
    if not directory:
        return 0
    removed = 0
    try:
        entries = list(Path(directory).iterdir())
    except OSError:
        return 0
    for entry in entries:
        match = atomic._STRAY.fullmatch(entry.name)
        if match and not atomic._pid_alive(int(match["pid"])):
            try:
                entry.unlink()
                removed += 1
            except OSError:
                pass
    return removed
