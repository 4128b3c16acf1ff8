"""`nnlab watch [RUN_ID|DIR] [--runs-dir DIR]`: open the dashboard on a run directory (the viewer is nnlab.ui.watch).

This module only parses and checks: the run is resolved here (an id, a unique id prefix or a
directory; without an argument the newest running run, else the newest run), a path that is
not a run is one line and exit 2, and the app then opens in the "watch" mode with
``args.app_options = {"watch": "<run dir>", "run_id": ..., "runs_dir": ...}``. Without the
viewer package (``importlib.util.find_spec``; nnlab.ui is never imported from commands) it
says so in one line, exit 2. Torch- and textual-free.
"""

from __future__ import annotations

import argparse
import importlib.util

from nnlab.commands.usage import UsageError
from nnlab.i18n import t

VIEWER = "nnlab.ui.watch"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", metavar="RUN", nargs="?", default=None, help=t("runs.cli.run_ref"))
    parser.add_argument("--runs-dir", metavar="DIR", default=None, help=t("train.cli.runs_dir"))


def pick(runs_dir=None):
    """The newest running run under the root, else the newest run; None when there is none."""
    from nnlab.run.reader import list_runs
    from nnlab.run.rundir import RunDir

    runs = list_runs(runs_dir)
    live = [r for r in runs if r.state == "running"]
    chosen = (live or runs or [None])[0]
    return RunDir.open(chosen.path) if chosen is not None else None


def viewer_available() -> bool:
    try:
        return importlib.util.find_spec(VIEWER) is not None
    except (ImportError, ValueError):
        return False


def run(args: argparse.Namespace) -> int | None:
    from nnlab.run.rundir import RunDirError, resolve, runs_root

    try:
        rd = resolve(args.run, args.runs_dir) if args.run else pick(args.runs_dir)
    except RunDirError as error:
        raise UsageError(str(error)) from None
    if rd is None:
        raise UsageError(t("runs.watch.no_runs", root=runs_root(args.runs_dir)))
    if not viewer_available():
        raise UsageError(t("runs.watch.no_viewer", log=rd.output_log))
    args.app_options = {"watch": str(rd.path), "run_id": rd.id, "runs_dir": args.runs_dir}
    return None
