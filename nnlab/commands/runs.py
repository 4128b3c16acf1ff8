"""`nnlab runs [--json] [--runs-dir DIR] [--delete ID | --archive ID [--yes]]`: the runs under the runs root.

The table fits 80 columns (the config column takes what is left and is cut with "…"); ``--json``
prints ``RunSummary.to_dict()`` of each run, newest first. Delete and archive ask first (``--yes``
skips; without a terminal ``--yes`` is required) and refuse a run that is running. Archiving
moves the run into ``<root>/.archive/``, which listing passes over (it holds no run.json).
Torch-free.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import unicodedata

from nnlab.commands.usage import UsageError, say
from nnlab.i18n import t
from nnlab.run.manage import ARCHIVE, LIVE  # noqa: F401 - re-exported (older callers)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=t("runs.cli.json"))
    parser.add_argument("--runs-dir", metavar="DIR", default=None, help=t("train.cli.runs_dir"))
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--delete", metavar="ID", default=None, help=t("runs.cli.delete"))
    what.add_argument("--archive", metavar="ID", default=None, help=t("runs.cli.archive"))
    parser.add_argument("--yes", "-y", action="store_true", help=t("runs.cli.yes"))


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` terminal cells ("…" where cut), padded to exactly that."""
    if width(text) > cells:
        out = ""
        for char in text:
            if width(out + char) > cells - 1:
                break
            out += char
        text = out + "…"
    return text + " " * max(0, cells - width(text))


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = max(0.0, float(seconds))
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{sec:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def started(iso: str) -> str:
    from nnlab.run.rundir_common import parse_iso

    when = parse_iso(iso)
    return time.strftime("%m-%d %H:%M", time.localtime(when)) if when is not None else "—"


COLUMNS = (20, 9, 7, 6, 11, 6)  # id, state, epochs, accuracy, started, time; config: the rest


def table(runs: list, columns: int = 80) -> list[str]:
    """The lines of the listing, each at most ``columns`` cells."""
    header = t("runs.list.header").split("|")
    rest = max(8, columns - sum(COLUMNS) - len(COLUMNS))
    cells = (*COLUMNS, rest)

    def line(values) -> str:
        return " ".join(fit(v, c) for v, c in zip(values, cells)).rstrip()

    lines = [line(header)]
    for run in runs:
        total = f"/{run.epochs_total}" if run.epochs_total else ""
        accuracy = "—" if run.test_accuracy is None else f"{100 * run.test_accuracy:.1f}%"
        config = " · ".join(p for p in (run.name, run.summary) if p)
        lines.append(
            line(
                (
                    run.id,
                    run.state,
                    f"{run.epochs_done}{total}",
                    accuracy,
                    started(run.started),
                    duration(run.duration_s),
                    config,
                )
            )
        )
    return lines


def _confirm(prompt: str, action: str, run: str, yes: bool) -> bool:
    if yes:
        return True
    try:
        interactive = sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, AttributeError):
        interactive = False
    if not interactive:
        raise UsageError(t("runs.delete.no_tty", action=action, run=run))
    try:
        answer = input(prompt)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "是")


def _remove(args: argparse.Namespace, ref: str, archive: bool) -> int:
    from nnlab.run.manage import RunIsLive, archive_run, archive_target, delete_run, refuse_live
    from nnlab.run.rundir import resolve
    from nnlab.run.rundir_common import RunDirError

    try:
        rd = resolve(ref, args.runs_dir)
        refuse_live(rd)
    except RunIsLive as error:
        raise UsageError(str(error)) from None
    except RunDirError as error:
        raise UsageError(str(error)) from None
    if archive:
        prompt = t("runs.archive.confirm", run=rd.id, target=archive_target(rd, args.runs_dir))
    else:
        prompt = t("runs.delete.confirm", run=rd.id, path=rd.path)
    if not _confirm(prompt, "archive" if archive else "delete", rd.id, args.yes):
        print(t("runs.delete.kept", run=rd.id))
        return 1
    try:
        if archive:
            target = archive_run(rd, args.runs_dir)
            print(t("runs.archive.done", run=rd.id, target=target))
        else:
            delete_run(rd)
            print(t("runs.delete.done", run=rd.id))
    except RunIsLive as error:  # it started again while the person was asked
        raise UsageError(str(error)) from None
    return 0


def run(args: argparse.Namespace) -> int:
    from nnlab.run.reader import list_runs
    from nnlab.run.rundir_common import runs_root

    if args.delete or args.archive:
        return _remove(args, args.delete or args.archive, archive=bool(args.archive))
    problems: list[str] = []
    runs = list_runs(args.runs_dir, problems)
    if args.json:
        print(json.dumps([r.to_dict() for r in runs], ensure_ascii=False))
    elif not runs:
        print(t("runs.list.none", root=runs_root(args.runs_dir)))
    else:
        columns = shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80
        print("\n".join(table(runs, max(60, columns))))
    for problem in problems:
        say(t("runs.list.problem", problem=problem))
    return 0
