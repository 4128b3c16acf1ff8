"""What the Sweep page shows, kept apart from the widgets: a sweep directory read (``SweepReader``,
on a worker) into members (``SweepModel``), each with its loss curve, test accuracy per epoch and
results. No Textual here, no torch: tests and the screen share it.

The sweep is ``<dir>/sweep.json`` (format ``nnlab-sweep`` v1, see ``nnlab.commands.sweep``); a
member's run directory is ``<dir>/../<run>`` (the sweep makes its members under the same runs
root), found through ``nnlab.run.rundir.resolve`` otherwise. A member has no run id until its
group starts: it is picked up by a later poll.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from nnlab.i18n import t
from nnlab.run.reader import EventLog
from nnlab.run.sweep_export import rank_key

# stable colours: a member keeps its colour (by index) whether all or only marked ones are drawn
COLORS = ("cyan", "orange", "magenta", "green", "yellow", "blue", "red", "white")
SORTS = ("accuracy", "test_loss", "seconds", "epochs", "member", "setting", "state")


def color_of(index: int) -> str:
    return COLORS[index % len(COLORS)]


@dataclass
class Member:
    """One member: its sweep.json record and what its event log said."""

    member: str
    index: int
    label: str
    record: dict
    loss_x: list = field(default_factory=list)  # fractional epochs
    loss_y: list = field(default_factory=list)  # running loss
    epochs: list = field(default_factory=list)  # epoch numbers with a test
    accuracy: list = field(default_factory=list)  # percent
    test_loss: list = field(default_factory=list)
    seconds: float | None = None
    finished: str | None = None  # the Finished event's reason
    started: bool = False
    diverged: bool = False

    @property
    def run(self) -> str | None:
        return self.record.get("run")

    @property
    def color(self) -> str:
        return color_of(self.index)

    def final_accuracy(self) -> float | None:  # 0..1
        if self.accuracy:
            return self.accuracy[-1] / 100
        value = self.record.get("test_accuracy")
        return value if isinstance(value, (int, float)) and math.isfinite(value) else None

    def final_test_loss(self) -> float | None:
        if self.test_loss:
            return self.test_loss[-1]
        value = self.record.get("test_loss")
        return value if isinstance(value, (int, float)) and math.isfinite(value) else None

    def time(self) -> float | None:
        value = self.seconds if self.seconds is not None else self.record.get("seconds")
        return value if isinstance(value, (int, float)) and math.isfinite(value) else None

    def epochs_done(self) -> int:
        return max(self.epochs[-1] if self.epochs else 0, int(self.record.get("epochs") or 0))

    def is_diverged(self) -> bool:
        return self.diverged or bool(self.record.get("diverged"))

    def state(self) -> str:
        if self.finished:
            return self.finished
        recorded = self.record.get("state") or "not started"
        return "running" if self.started and recorded in ("not started", "running") else recorded

    def feed(self, events: list) -> int:
        """Take decoded events; how many chart points were added."""
        added = 0
        for e in events:
            kind = getattr(e, "KIND", "")
            if kind == "started":
                self.started = True
            elif kind == "batch":
                if e.batches and math.isfinite(e.running_loss):
                    self.loss_x.append(e.epoch - 1 + e.batch / e.batches)
                    self.loss_y.append(e.running_loss)
                    added += 1
            elif kind == "epoch":
                self.epochs.append(e.epoch)
                self.accuracy.append(100 * e.test_accuracy)
                self.test_loss.append(e.test_loss)
                added += 1
            elif kind == "diverged":
                self.diverged = True
            elif kind == "finished":
                self.finished, self.seconds = e.reason, e.seconds
            elif kind == "failed":
                self.finished = "failed"
        return added


class SweepModel:
    """The sweep's record and its members, in sweep order."""

    def __init__(self) -> None:
        self.record: dict = {}
        self.members: dict[str, Member] = {}

    @property
    def id(self) -> str:
        return str(self.record.get("id") or "")

    @property
    def state(self) -> str:
        return str(self.record.get("state") or "")

    def set_record(self, record: dict) -> None:
        self.record = record
        for m in record.get("members") or []:
            if not isinstance(m, dict) or "member" not in m:
                continue
            have = self.members.get(m["member"])
            if have is None:
                self.members[m["member"]] = Member(
                    m["member"], int(m.get("index", len(self.members))), str(m.get("label", "")), m
                )
            else:
                have.record = m

    def feed(self, events: dict[str, list]) -> int:
        return sum(self.members[k].feed(v) for k, v in events.items() if k in self.members)

    def ordered(self, sort: str, reverse: bool = False) -> list[Member]:
        """Members sorted by a column of ``SORTS`` (accuracy: best first, like the results)."""
        ms = list(self.members.values())
        if sort == "accuracy":
            key = lambda m: rank_key(m.final_accuracy(), m.final_test_loss(), m.is_diverged(), m.index)  # noqa: E731
        elif sort == "test_loss":
            key = lambda m: (m.final_test_loss() is None, m.final_test_loss() or 0.0, m.index)  # noqa: E731
        elif sort == "seconds":
            key = lambda m: (m.time() is None, m.time() or 0.0, m.index)  # noqa: E731
        elif sort == "epochs":
            key = lambda m: (-m.epochs_done(), m.index)  # noqa: E731
        elif sort == "setting":
            key = lambda m: (m.label, m.index)  # noqa: E731
        elif sort == "state":
            key = lambda m: (m.state(), m.index)  # noqa: E731
        else:
            key = lambda m: m.index  # noqa: E731
        return sorted(ms, key=key, reverse=reverse)

    def live_record(self) -> dict:
        """The record with each member's latest figures from its log (for an export while running)."""
        record = dict(self.record)
        members = []
        for m in self.members.values():
            r = dict(m.record)
            r.update(
                test_accuracy=m.final_accuracy(),
                test_loss=m.final_test_loss(),
                seconds=m.time(),
                epochs=m.epochs_done(),
                diverged=m.is_diverged(),
                state=m.state(),
            )
            members.append(r)
        record["members"] = members
        return record


@dataclass
class SweepPoll:
    record: dict | None  # sweep.json when it changed (or on the first read), else None
    events: dict  # member id -> new decoded events
    problems: list
    gone: bool = False


class SweepReader:
    """Follows a sweep directory: sweep.json when it changes, and each member's events.jsonl."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path).expanduser().absolute()
        self._stamp: tuple | None = None
        self.record: dict = {}
        self.logs: dict[str, EventLog] = {}
        self._said: set[str] = set()

    def _read_record(self) -> tuple[dict | None, str | None]:
        file = self.path / "sweep.json"
        try:
            st = file.stat()
        except FileNotFoundError:
            return None, t("sweepui.no_sweep", path=self.path)
        except OSError as error:
            return None, t("sweepui.unreadable", path=file, why=error.strerror or error)
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self._stamp:
            return None, None
        try:
            record = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            return None, t("sweepui.unreadable", path=file, why=getattr(error, "strerror", None) or error)
        if not isinstance(record, dict) or record.get("format") != "nnlab-sweep":
            return None, t("sweepui.not_a_sweep", path=file)
        self._stamp = stamp
        self.record = record
        return record, None

    def member_dir(self, run: str) -> Path:
        here = self.path.parent / run
        if here.is_dir():
            return here
        try:
            from nnlab.run.rundir import resolve

            return resolve(run).path
        except Exception:  # noqa: BLE001 - not found: the member is read when it appears
            return here

    def poll(self) -> SweepPoll:
        problems: list[str] = []
        if not self.path.is_dir():
            return SweepPoll(None, {}, [t("sweepui.no_sweep", path=self.path)], gone=True)
        record, problem = self._read_record()
        if problem and problem not in self._said:
            self._said.add(problem)
            problems.append(problem)
        events: dict[str, list] = {}
        for m in self.record.get("members") or []:
            if not isinstance(m, dict) or not m.get("run") or "member" not in m:
                continue
            log = self.logs.get(m["member"])
            if log is None:
                log = self.logs[m["member"]] = EventLog(self.member_dir(str(m["run"])) / "events.jsonl", decode=True)
            before = len(log.problems)
            new = log.read_new()
            problems.extend(log.problems[before:])
            if new:
                events[m["member"]] = new
        return SweepPoll(record, events, problems)
