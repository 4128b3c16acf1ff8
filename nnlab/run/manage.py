"""Deleting and archiving run directories (the pure part of `nnlab runs --delete/--archive` and the Runs page).

    refuse_live(rd)            # raises RunIsLive when run_state(rd) is running
    delete_run(rd)             # removes the directory (refuses a live run)
    archive_run(rd, root)      # moves it into <root>/.archive/<id> (refuses a live run) -> new path
    archive_target(rd, root)   # where archive_run would move it

Nothing printed, nothing asked: the CLI and the UI ask first. Archiving moves the run into
``<root>/.archive/``, which listing passes over (it holds no run.json). Torch- and Textual-free.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from nnlab.i18n import t
from nnlab.run.reader import run_state
from nnlab.run.rundir import RunDir
from nnlab.run.rundir_common import RunDirError, runs_root

ARCHIVE = ".archive"
LIVE = ("running",)  # "created" with its lock held reads as running


class RunIsLive(RunDirError):
    """The run is being written by a live process: it is neither deleted nor archived."""

    def __init__(self, rd: RunDir, state: str) -> None:
        super().__init__(t("runs.delete.live", run=rd.id, state=state))
        self.state = state


def refuse_live(rd: RunDir) -> str:
    """The run's state; RunIsLive when a process still writes it."""
    state = run_state(rd)
    if state in LIVE:
        raise RunIsLive(rd, state)
    return state


def archive_target(rd: RunDir, root: str | os.PathLike | None = None) -> Path:
    return runs_root(root) / ARCHIVE / rd.id


def delete_run(rd: RunDir) -> None:
    refuse_live(rd)
    shutil.rmtree(rd.path)


def archive_run(rd: RunDir, root: str | os.PathLike | None = None) -> Path:
    refuse_live(rd)
    target = archive_target(rd, root)
    os.makedirs(target.parent, mode=0o700, exist_ok=True)
    os.replace(rd.path, target)  # same file system: the root holds both
    return target
