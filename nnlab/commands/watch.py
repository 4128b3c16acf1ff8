"""`nnlab watch [RUN_ID|DIR|LOGDIR] [--runs-dir DIR] [--tensorboard]`: open the viewer (nnlab.ui.watch) on a run.

This module only parses and checks: the run is resolved here (an id, a unique id prefix or a
directory; without an argument the newest running run, else the newest run), a path that is
not a run is one line and exit 2, and the app then opens in the "watch" mode with
``args.app_options = {"watch": "<run dir>", "run_id": ..., "runs_dir": ...}``; a sweep (a
directory holding sweep.json, or its id under the runs root) opens the "sweep" mode instead
(``args.app_mode``). Without the
viewer package (``importlib.util.find_spec``; nnlab.ui is never imported from commands) it
says so in one line, exit 2. Torch- and textual-free.

``args.app_options["source"]`` says what the viewer reads: "nnlab" (a run nnlab trained), "track"
(run.json's kind is "track": a script's nnlab.track run) or "tensorboard": a directory that is not
a run but holds ``events.out.tfevents.*`` files anywhere under it (or any directory with
``--tensorboard``: it waits for its first event file). Without the tensorboard package, a logdir is
the one line naming the extra (``pip install 'nnlab[tensorboard]'``), exit 2.
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
    parser.add_argument("--tensorboard", action="store_true", help=t("foreign.cli.tensorboard"))


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


def tensorboard_logdir(ref, forced: bool = False) -> str | None:
    """``ref`` as a TensorBoard logdir (a directory without run.json holding event files), else None.
    UsageError (the one line naming the extra) when it is one and the package is missing."""
    from pathlib import Path

    if ref is None:
        return None
    path = Path(ref).expanduser()
    if not path.is_dir() or (path / "run.json").exists():
        return None
    if not forced:
        import os

        seen = 0
        for _folder, _dirs, names in os.walk(path):
            if any(name.startswith("events.out.tfevents") for name in names):
                break
            seen += len(names) + 1
            if seen > 20000:
                return None
        else:
            return None
    if importlib.util.find_spec("tensorboard") is None:
        from nnlab.integrations.tensorboard import ExtraMissing, _import_proto

        try:
            _import_proto()
        except ExtraMissing as error:
            raise UsageError(str(error)) from None
    return str(path.absolute())


def sweep_dir(ref, runs_dir=None):
    """``ref`` as a sweep directory (it holds sweep.json), given as a path or a sweep id; else None.
    A sweep directory has no run.json: it is checked before the run is resolved."""
    from pathlib import Path

    from nnlab.run.rundir_common import runs_root

    if not ref:
        return None
    for candidate in (Path(ref).expanduser(), runs_root(runs_dir) / str(ref)):
        try:
            if (candidate / "sweep.json").is_file():
                return candidate.absolute()
        except OSError:
            continue
    return None


def run(args: argparse.Namespace) -> int | None:
    from nnlab.run.rundir import resolve
    from nnlab.run.rundir_common import RunDirError, runs_root

    logdir = tensorboard_logdir(args.run, getattr(args, "tensorboard", False))
    if logdir is not None:
        if not viewer_available():
            raise UsageError(t("runs.watch.no_viewer", log=logdir))
        args.app_options = {"watch": logdir, "source": "tensorboard", "run_id": None, "runs_dir": args.runs_dir}
        return None
    sweep = sweep_dir(args.run, args.runs_dir)
    if sweep is not None:  # a sweep (its directory or id) opens the Sweep page
        if not viewer_available():
            raise UsageError(t("runs.watch.no_viewer", log=sweep / "sweep.json"))
        args.app_options = {"sweep": str(sweep), "runs_dir": args.runs_dir}
        args.app_mode = "sweep"
        return None
    try:
        rd = resolve(args.run, args.runs_dir) if args.run else pick(args.runs_dir)
    except RunDirError as error:
        raise UsageError(str(error)) from None
    if rd is None:
        raise UsageError(t("runs.watch.no_runs", root=runs_root(args.runs_dir)))
    if not viewer_available():
        raise UsageError(t("runs.watch.no_viewer", log=rd.output_log))
    source = "track" if rd.info.get("kind") == "track" else "nnlab"
    args.app_options = {"watch": str(rd.path), "source": source, "run_id": rd.id, "runs_dir": args.runs_dir}
    return None
