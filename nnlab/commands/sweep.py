"""`nnlab train --headless --sweep ...` and `--branch RUN[@EPOCH]`: many runs, and runs from runs.

A sweep (``run_sweep``): the members of ``nnlab.run.sweep.parse_sweep``, grouped, each group
trained in one batched step (``nnlab.train.sweep.train_group``). Every member is a normal run
directory (kind "sweep-member", ``sweep`` = the sweep's id, name = its label) with its own
events.jsonl, status.json and checkpoint.pt, so ``nnlab train --headless --resume RUN``
continues one member alone. The sweep itself is ``runs/<sweep-id>/sweep.json`` (no run.json:
``nnlab runs`` lists the members, not the sweep), rewritten atomically as groups finish:

    {"format": "nnlab-sweep", "version": 1, "id", "created", "state", "base": config,
     "axes": [{"name", "values"} | {"name", "lo", "hi", "log"}], "random": N | null, "seed",
     "members": [{"member": "m00", "index", "label", "changes": {setting: value}, "group",
                  "run": run id | null, "state", "epochs", "test_accuracy", "test_loss",
                  "seconds", "diverged", "best", "tutorial"}]}

Printed: one compact line per member epoch, then the results sorted by final test accuracy (the
best marked *, the tutorial's setting marked T); ``--sweep-export FILE.csv|FILE.md`` writes them
(atomically). Bad input is one line and exit 2 before any work, a member that cannot fit in
memory included (named). SIGINT/SIGTERM stop the whole sweep at the next batch; every member
still training writes its checkpoint (exact to the batch); exit 130/143.

A branch (``run_branch``): ``nnlab.train.branch`` makes the new run directory; it then trains as
a resumed headless run of it would (``nnlab.commands.headless.run_headless``).
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import threading

from nnlab.commands.usage import UsageError, say
from nnlab.i18n import t
from nnlab.run.sweep_export import export_csv, export_markdown
from nnlab.run.sweep_export import num as _num
from nnlab.run.sweep_export import pct as _pct

EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}
SWEEP_FORMAT, SWEEP_VERSION = "nnlab-sweep", 1
TUTORIAL_FIELDS = ("lr", "batch_size", "optimizer", "hidden", "activation", "schedule", "warmup_steps")


def add_sweep_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--sweep", action="append", metavar="SETTING=V,V", default=None, help=_help("sweep.cli.sweep"))
    add("--sweep-random", metavar="N", default=None, help=_help("sweep.cli.random"))
    add("--max-members", metavar="N", default=None, help=_help("sweep.cli.max_members"))
    add("--sweep-export", metavar="FILE.csv|FILE.md", default=None, help=_help("sweep.cli.export"))
    # the dashboard's sweep (nnlab.ui.train.sweep_launch): the sweep directory it made and is watching
    add("--sweep-dir", metavar="DIR", default=None, help=argparse.SUPPRESS)


def add_branch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--branch", metavar="RUN[@EPOCH]", default=None, help=_help("sweep.cli.branch"))


def _help(key: str) -> str:
    return t(key).replace("%", "%%")


# --- input -----------------------------------------------------------------------------------
def _members(args, base, train_size):
    from nnlab.run.errors import ConfigError
    from nnlab.run.sweep import MAX_MEMBERS, parse_max_members, parse_sweep

    limit = parse_max_members(args.max_members) if getattr(args, "max_members", None) is not None else MAX_MEMBERS
    count = getattr(args, "sweep_random", None)
    if count is not None:
        text = str(count).strip()
        if not text.isdigit():
            raise ConfigError(t("sweep.bad_count", value=count, max=limit))
        count = int(text)
    return parse_sweep(base, list(args.sweep or []), count, limit, seed=base.seed, train_size=train_size)


def _export_kind(path: str | None) -> str | None:
    if not path:
        return None
    kind = os.path.splitext(path)[1].lower().lstrip(".")
    if kind not in ("csv", "md"):
        raise UsageError(t("sweep.cli.bad_export", path=path))
    return kind


def _check_fit(groups, train_size: int, test_size: int) -> None:
    """Every member, and every group as one batched step, fits in its device's memory: else
    ConfigError naming the member (or the group's members) before any work."""
    from nnlab.run.errors import ConfigError
    from nnlab.train import memory
    from nnlab.train.device import resolve_device
    from nnlab.train.sweep import check_group_fits

    for group in groups:
        device = resolve_device(group[0].config.device)
        for m in group:
            try:
                memory.check_fits(m.config, train_size, test_size, device)
            except ConfigError as error:
                raise ConfigError(t("sweep.member_invalid", member=m.id, changes=m.label(), why=error)) from None
        try:
            check_group_fits([m.config for m in group], train_size, test_size, device)
        except ConfigError as error:
            names = ", ".join(m.id for m in group)
            raise ConfigError(t("sweep.group_too_big", members=names, why=error)) from None


# --- the sweep -------------------------------------------------------------------------------
def run_sweep(args, base_config, data=None, out=None) -> int:
    """Train the sweep headless (see the module docstring); the exit code. ``data``: a
    FashionData to use instead of ``--data-dir`` (tests)."""
    from nnlab.run.errors import ConfigError, DataError, DeviceError
    from nnlab.run.sweep import groups as make_groups
    from nnlab.train import data as data_mod

    out = out or sys.stdout
    try:
        export = _export_kind(getattr(args, "sweep_export", None))
        if data is None:
            location = data_mod.locate(getattr(args, "data_dir", None))
            sizes = (location.train_size, location.test_size)
        else:
            sizes = (data.train_size, data.test_size)
        members = _members(args, base_config, sizes[0] or None)
        groups = make_groups(members)
        _check_fit(groups, *sizes)
    except UsageError as error:
        say(t("cli.error", message=str(error)))
        return 2
    except (ConfigError, DeviceError) as error:
        say(t("cli.error", message=str(error)))
        return 2
    except DataError as error:
        say(t("cli.error", message=str(error)))
        return 2 if getattr(args, "data_dir", None) else 1
    if data is None:
        try:
            data = data_mod.load(getattr(args, "data_dir", None))
        except DataError as error:
            say(t("cli.error", message=str(error)))
            return 1
    return Sweep(args, base_config, members, groups, data, out, export).run()


class Sweep:
    def __init__(self, args, base, members, groups, data, out, export):
        self.args, self.base, self.members, self.groups, self.data = args, base, members, groups, data
        self.out, self.export = out, export
        self.root = getattr(args, "runs_dir", None)
        self.results: dict[int, dict] = {
            m.index: {
                "run": None,
                "state": "not started",
                "epochs": 0,
                "test_accuracy": None,
                "test_loss": None,
                "seconds": None,
                "diverged": False,
            }
            for m in members
        }
        self.caught: list[int] = []
        self.control = None
        self.progress_every = _progress_every(args)

    # --- files ---------------------------------------------------------------------------
    def _make_dir(self):
        from pathlib import Path

        from nnlab.run.rundir_common import RunDirError, new_id, now_iso, runs_root

        given = getattr(self.args, "sweep_dir", None)
        if given:  # made by the dashboard, which watches it: used as it is, unless it holds a sweep already
            path = Path(given).expanduser()
            if not path.is_dir() or (path / "sweep.json").exists():
                raise RunDirError(t("lab.sweep.dir_taken", path=path))
            self.id, self.path, self.created = path.name, path, now_iso()
            return
        root = runs_root(self.root)
        for _ in range(50):
            sweep_id = "sweep-" + new_id()
            path = root / sweep_id
            try:
                root.mkdir(parents=True, exist_ok=True)
                path.mkdir(mode=0o700)
                break
            except FileExistsError:
                continue
            except OSError as error:
                raise RunDirError(t("runs.create_failed", root=root, why=error.strerror or error)) from None
        self.id, self.path, self.created = sweep_id, path, now_iso()

    def record(self, state: str) -> dict:
        from nnlab.run.sweep import parse_axes

        ranked = self.ranked()
        best = ranked[0].index if ranked and self.results[ranked[0].index]["test_accuracy"] is not None else None
        axes = []
        for a in parse_axes(list(self.args.sweep or [])):
            axes.append(
                {"name": a.name, "lo": a.lo, "hi": a.hi, "log": a.log}
                if a.is_range
                else {"name": a.name, "values": [list(v) if isinstance(v, tuple) else v for v in a.values]}
            )
        group_of = {m.index: g for g, group in enumerate(self.groups) for m in group}
        members = [
            {
                "member": m.id,
                "index": m.index,
                "label": m.label(),
                "changes": {k: list(v) if isinstance(v, tuple) else v for k, v in m.changes},
                "group": group_of[m.index],
                **self.results[m.index],
                "best": m.index == best,
                "tutorial": is_tutorial(m.config),
            }
            for m in self.members
        ]
        return {
            "format": SWEEP_FORMAT,
            "version": SWEEP_VERSION,
            "id": self.id,
            "created": self.created,
            "state": state,
            "base": self.base.to_dict(),
            "axes": axes,
            "random": _random_count(self.args),
            "seed": self.base.seed,
            "members": members,
        }

    def _write_record(self, state: str) -> None:
        import json

        from nnlab.fs import atomic
        from nnlab.run.events import finite

        try:
            text = json.dumps(finite(self.record(state)), ensure_ascii=False, allow_nan=False, indent=1)
            atomic.write_text(self.path / "sweep.json", text + "\n")
        except OSError as error:
            say(t("sweep.cli.record_failed", path=self.path / "sweep.json", why=error.strerror or error))

    # --- training ------------------------------------------------------------------------
    def run(self) -> int:
        from nnlab.run.rundir_common import RunDirError

        try:
            self._make_dir()
        except RunDirError as error:
            say(t("cli.error", message=str(error)))
            return 2
        in_main = threading.current_thread() is threading.main_thread()
        previous = {s: signal.signal(s, self._on_signal) for s in EXIT_SIGNAL} if in_main else {}
        self._write_record("running")
        self._say(t("sweep.cli.start", id=self.id, members=len(self.members), groups=len(self.groups), path=self.path))
        failed = False
        try:
            for group in self.groups:
                if self.caught:
                    break
                failed = self._train(group) or failed
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        state = "stopped" if self.caught else "completed"
        self._write_record(state)
        self._table()
        if self.export:
            self._export()
        self._say(t("sweep.cli.where", path=self.path / "sweep.json"))
        if self.caught:
            say(t("sweep.cli.stopped", signal=signal.Signals(self.caught[0]).name))
            return EXIT_SIGNAL[self.caught[0]]
        return 1 if failed else 0

    def _on_signal(self, signum, frame) -> None:  # only flags: the group stops at the next batch
        if not self.caught:
            self.caught.append(signum)
        if self.control is not None:
            self.control.stop()

    def _train(self, group) -> bool:
        """Train one group; True when a member failed."""
        from nnlab.run.rundir import RunDir
        from nnlab.run.rundir_common import RunDirError
        from nnlab.run.sweep import SweepControl
        from nnlab.train.sweep import train_group

        writers, paths, rds = [], {}, []
        try:
            for local, m in enumerate(group):
                rd = RunDir.create(self.root, m.config, kind="sweep-member", name=m.label(), sweep=self.id)
                rds.append(rd)
                writers.append(
                    rd.writer(
                        on_error=lambda e, m=m: say(
                            t("runs.append_failed", path=e.filename or m.id, why=e.strerror or e)
                        )
                    )
                )
                paths[local] = str(rd.checkpoint_path)
                self.results[m.index].update(run=rd.id, state="running")
        except RunDirError as error:
            say(t("cli.error", message=str(error)))
            for w in writers:
                w.close()
            return True
        self._write_record("running")
        self.control = SweepControl()
        if self.caught:
            self.control.stop()
        servers = self._serve(rds, self.control)

        def emit(local: int, event) -> None:
            m = group[local]
            writers[local](event)
            self._event(m, event)

        try:
            result = train_group(
                [m.config for m in group],
                self.data,
                emit,
                self.control,
                progress_every=self.progress_every,
                save_paths=paths,
            )
        finally:
            for server in servers:
                server.close()
            for w in writers:
                w.close()
            self.control = None
        return any(f is not None and f.reason == "failed" for f in result.finished)

    def _serve(self, rds, control) -> list:
        """A control socket in every member's run directory, so `nnlab ctl MEMBER` and the Sweep
        page steer the sweep from any terminal of its owner: pause, resume and step act on the
        whole group (its members train in one batched step), stop takes that member out alone."""
        from nnlab.run.control_server import ControlServer
        from nnlab.run.rundir_common import RunDirError

        servers = []
        for local, rd in enumerate(rds):
            try:
                servers.append(ControlServer(rd, MemberControl(control, local)).start())
            except (RunDirError, OSError) as error:
                say(t("runs.cli.no_steering", run=rd.id, why=getattr(error, "strerror", None) or error))
        return servers

    def _event(self, m, event) -> None:
        kind, res = event.KIND, self.results[m.index]
        if kind == "epoch":
            res.update(epochs=event.epoch, test_accuracy=event.test_accuracy, test_loss=event.test_loss)
            self._say(
                t(
                    "sweep.cli.epoch",
                    member=m.id,
                    epoch=event.epoch,
                    epochs=m.config.epochs,
                    loss=f"{event.train_loss:.4f}",
                    accuracy=f"{100 * event.test_accuracy:.1f}",
                    test_loss=f"{event.test_loss:.4f}",
                    seconds=f"{event.seconds:.1f}",
                    label=m.label(),
                )
            )
        elif kind == "diverged":
            res["diverged"] = True
            self._say(t("sweep.cli.diverged", member=m.id, label=m.label(), message=event.message))
        elif kind == "failed":
            say(t("cli.error", message=f"{m.id}: {event.message}"))
        elif kind == "finished":
            res.update(state=event.reason, seconds=event.seconds)
            if event.reason == "early-stopped":
                self._say(t("sweep.cli.early", member=m.id, epochs=event.epochs, patience=m.config.early_stop))

    # --- results -------------------------------------------------------------------------
    def ranked(self) -> list:
        def key(m):
            acc, loss = self.results[m.index]["test_accuracy"], self.results[m.index]["test_loss"]
            bad = self.results[m.index]["diverged"] or acc is None or not math.isfinite(acc)
            loss = loss if isinstance(loss, float) and math.isfinite(loss) else math.inf
            return (bad, -(acc or 0.0), loss, m.index)  # a tie in accuracy: the lower test loss first

        return sorted(self.members, key=key)

    def rows(self) -> list[dict]:
        ranked = self.ranked()
        best = ranked[0].index if ranked and self.results[ranked[0].index]["test_accuracy"] is not None else None
        rows = []
        for m in ranked:
            r = self.results[m.index]
            rows.append(
                {
                    "member": m.id,
                    "setting": m.label(),
                    "accuracy": r["test_accuracy"],
                    "test_loss": r["test_loss"],
                    "seconds": r["seconds"],
                    "epochs": r["epochs"],
                    "diverged": r["diverged"],
                    "state": r["state"],
                    "run": r["run"] or "",
                    "best": m.index == best,
                    "tutorial": is_tutorial(m.config),
                }
            )
        return rows

    def _table(self) -> None:
        rows = self.rows()
        width = max([len(t("sweep.cli.col.setting"))] + [len(r["setting"]) for r in rows])
        self._say("")
        self._say(t("sweep.cli.results", id=self.id))
        self._say(
            f"     {t('sweep.cli.col.member'):<6} {t('sweep.cli.col.setting'):<{width}} "
            f"{t('sweep.cli.col.accuracy'):>9} {t('sweep.cli.col.test_loss'):>10} "
            f"{t('sweep.cli.col.time'):>8}  {t('sweep.cli.col.diverged')}"
        )
        for r in rows:
            mark = ("*" if r["best"] else " ") + ("T" if r["tutorial"] else " ")
            self._say(
                f"  {mark} {r['member']:<6} {r['setting']:<{width}} {_pct(r['accuracy']):>9} "
                f"{_num(r['test_loss'], '.4f'):>10} {_num(r['seconds'], '.1f', 's'):>8}  "
                f"{t('sweep.cli.yes') if r['diverged'] else t('sweep.cli.no')}"
                f"{'' if r['state'] in ('completed', 'diverged') else '  (' + r['state'] + ')'}"
            )
        self._say(t("sweep.cli.legend"))

    def _export(self) -> None:
        from nnlab.fs import atomic

        path = self.args.sweep_export
        text = export_csv(self.rows()) if self.export == "csv" else export_markdown(self.rows(), self.id)
        try:
            atomic.write_text(path, text)
            self._say(t("sweep.cli.exported", path=path))
        except OSError as error:
            say(t("cli.error", message=t("safe.export_failed", path=path, why=error.strerror or error)))

    def _say(self, text: str) -> None:
        try:
            self.out.write(text + "\n")
            self.out.flush()
        except (OSError, ValueError):
            pass


def is_tutorial(config) -> bool:
    """The PyTorch quickstart's setting (lr 1e-3, batch 64, SGD, 512-512 ReLU, constant lr)."""
    from nnlab.run.config import PRESETS

    return all(getattr(config, f) == getattr(PRESETS["tutorial"], f) for f in TUTORIAL_FIELDS)


class MemberControl:
    """What one member's control socket steers: the group for pause/resume/step (one batched
    step trains them all), that member alone for stop."""

    def __init__(self, group, member: int) -> None:
        self.group, self.member = group, member

    def pause(self) -> None:
        self.group.pause()

    def resume(self) -> None:
        self.group.resume()

    def step(self) -> bool:
        return self.group.step()

    def stop(self) -> None:
        self.group.stop_member(self.member)

    def request_snapshot(self) -> None:
        self.group.request_snapshot()

    @property
    def paused(self) -> bool:
        return self.group.paused

    @property
    def stopped(self) -> bool:
        return self.group.stopped or self.member in self.group.member_stops()


def _random_count(args):
    value = getattr(args, "sweep_random", None)
    return int(value) if value is not None and str(value).strip().isdigit() else None


def _progress_every(args) -> int:
    from nnlab.core.numbers import Bounds, NumberError, parse_number

    text = getattr(args, "progress_every", None)
    if text is None:
        return 100
    try:
        return int(parse_number(str(text), Bounds(1, 1_000_000, integer=True)))
    except NumberError:
        return 100


# --- branches --------------------------------------------------------------------------------
def run_branch(args, overrides: dict, progress_every: int = 100) -> int:
    """``--branch RUN[@EPOCH]`` with the changed settings in ``overrides``: a new run directory
    (``nnlab.train.branch.create_branch``), trained by the headless path as a resume of it."""
    from nnlab.run.errors import CheckpointError, ConfigError

    try:
        from nnlab.train.branch import create_branch

        branch = create_branch(
            args.branch, overrides, getattr(args, "runs_dir", None), name=getattr(args, "name", None) or ""
        )
    except (CheckpointError, ConfigError, UsageError) as error:
        say(t("cli.error", message=str(error)))
        return 2
    say(
        t(
            "sweep.cli.branched",
            run=branch.rd.id,
            parent=branch.parent,
            epoch=branch.epoch,
            batch=branch.batch,
            optimizer=t("sweep.cli.optimizer_kept" if branch.optimizer_kept else "sweep.cli.optimizer_fresh"),
        )
    )
    from nnlab.commands.headless import run_headless

    args.resume, args.resume_run = str(branch.rd.checkpoint_path), str(branch.rd.path)
    return run_headless(args, branch.config, {}, progress_every)
