"""What the foreign-run viewer reads and keeps: a track run directory or a TensorBoard logdir.

Widget-free. ``ForeignReader.poll()`` runs on the viewer's reading thread: it reads the records
written since the last poll (``EventLog`` of a track run's events.jsonl, or ``TensorBoardSource``)
and turns them into a ``Batch``: per metric, the new (step, t, value) columns, plus the epoch
metrics, confusion matrices, images and engine events (paused, finished, ...) in order. The UI
thread then ``MetricStore.add(batch)``: list extends only, so a history of 100,000 steps read in
one poll costs the UI thread a few milliseconds. Every point is kept; charts thin for drawing.

Bad input: a null value (non-finite when logged) is kept as None (a gap in the chart); a run
directory deleted while watched is ``gone`` once; a logdir with no event files yet is
``waiting`` (a line to show); a corrupt line or event file is a problem line, reported once,
the rest still read.

The first poll (the whole history) runs with garbage collection paused (``collections_paused``):
100,000 records are 200,000 live dicts until they become columns, and the full collections that
walked them took 0.3-0.5 s of a TensorBoard logdir's 1.1 s open (bench foreign), none of it garbage.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

STATE_EVERY_S = 1.0
ENGINE_KINDS = ("paused", "resumed", "saved", "finished", "failed")
MAX_IMAGE_SETS = 8  # the newest images records kept per key


def is_tensorboard_logdir(path: str | Path, limit: int = 20000) -> bool:
    """A directory with an ``events.out.tfevents.*`` file anywhere under it (at most ``limit`` entries looked at)."""
    import os

    seen = 0
    for _folder, _dirs, names in os.walk(path):
        for name in names:
            if name.startswith("events.out.tfevents"):
                return True
        seen += len(names) + 1
        if seen > limit:
            return False
    return False


@dataclass
class Batch:
    """What one poll found. ``series``: name → (steps, times, values) of the new points."""

    series: dict = field(default_factory=dict)
    epochs: list = field(default_factory=list)  # (epoch, {name: value})
    confusion: dict | None = None  # the newest confusion record
    images: list = field(default_factory=list)  # (key, step, [N,H,W,C] uint8 array, captions)
    engine: list = field(default_factory=list)  # paused/resumed/... records
    problems: list = field(default_factory=list)
    state: str | None = None
    waiting: str | None = None
    gone: bool = False
    records: int = 0

    @property
    def empty(self) -> bool:
        return not (self.records or self.problems or self.state is not None or self.gone or self.waiting)


def _finite(value):
    if value is None or type(value) is int:
        return value
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def batch_of(records: list, run_path=None, problems: list | None = None) -> Batch:
    """Records (track's dicts) as columns per metric, and the rest in order."""
    out = Batch(records=len(records))
    series = out.series
    for record in records:
        kind = record.get("event")
        if kind == "scalars":
            step, when = record.get("step"), record.get("t")
            values = record.get("values")
            if type(values) is not dict:
                continue
            for name, value in values.items():
                cols = series.get(name)
                if cols is None:
                    cols = series[name] = ([], [], [])
                cols[0].append(step)
                cols[1].append(when)
                cols[2].append(value if value is None or type(value) is float or type(value) is int else _finite(value))
        elif kind == "epoch_metrics":
            values = record.get("values")
            if type(values) is dict:
                out.epochs.append((record.get("epoch"), record.get("step"), values))
        elif kind == "confusion":
            out.confusion = record
        elif kind == "images":
            try:
                from nnlab.track import image_arrays

                arr = image_arrays(record, run_path)
            except Exception as error:  # noqa: BLE001 - a file gone or cut short: said, skipped
                if problems is not None:
                    problems.append(f"images {record.get('key')} step {record.get('step')}: {error}"[:200])
                continue
            out.images.append((str(record.get("key") or "images"), record.get("step"), arr, record.get("captions")))
        elif kind in ENGINE_KINDS:
            out.engine.append(record)
    return out


def _fast_log(path):
    """An EventLog (decode=False) whose chunks of clean lines are parsed in one ``json.loads`` of
    a JSON array (~3x faster on a 100,000-line history); any chunk with a bad, over-long, blank
    or "gap" line is parsed line by line by EventLog itself (same problems, same skips)."""
    import json

    from nnlab.run.reader import MAX_LINE, EventLog

    class FastLog(EventLog):
        def _parse(self, lines: list, first_line: int) -> list:
            if lines and type(lines[0]) is str and max(map(len, lines)) <= MAX_LINE:
                try:
                    records = json.loads("[" + ",".join(lines) + "]")
                except ValueError:
                    records = None
                if (
                    records is not None
                    and len(records) == len(lines)
                    and all(type(r) is dict and type(r.get("event")) is str and r["event"] != "gap" for r in records)
                ):
                    return records
            return super()._parse(lines, first_line)

    return FastLog(path, decode=False)


class ForeignReader:
    """Reads a track run (``source="track"``) or a TensorBoard logdir (``"tensorboard"``)."""

    def __init__(self, path: str | Path, source: str, clock=time.monotonic):
        self.path = Path(path)
        self.source = source
        self.clock = clock
        self.gone = False
        self.state: str | None = None
        self._state_at = -1e9
        self._said = 0
        self._first = True
        self.rd = None
        if source == "tensorboard":
            from nnlab.integrations.tensorboard import TensorBoardSource

            self.tb = TensorBoardSource(self.path)  # ExtraMissing without the package
            self.log = None
        else:
            from nnlab.run.rundir import RunDir

            self.tb = None
            self.rd = RunDir.open(self.path)  # RunDirError: one line
            self.log = _fast_log(self.rd.events_path)

    @property
    def name(self) -> str:
        if self.rd is not None:
            return str(self.rd.info.get("name") or self.rd.id)
        return self.path.name or str(self.path)

    def poll(self) -> Batch:
        if self._first:  # the whole history: read with garbage collection paused (module docstring)
            self._first = False
            from nnlab.run.gc_pause import collections_paused

            with collections_paused():
                return self._poll()
        return self._poll()

    def _poll(self) -> Batch:
        if self.gone:
            return Batch()
        if not self.path.exists():
            self.gone = True
            return Batch(gone=True)
        problems: list[str] = []
        series = None
        if self.tb is not None:  # columns straight from the event files (no record dict per step)
            series, records = self.tb.read_columns()
            source_problems = self.tb.problems
            waiting = self.tb.waiting if not (series or records) else None
        else:
            records = self.log.read_new()
            source_problems = self.log.problems
            waiting = None
        problems.extend(source_problems[self._said :])
        self._said = len(source_problems)
        out = batch_of(records, self.path, problems)
        if series:
            out.series = series
            out.records += sum(len(cols[0]) for cols in series.values())
        out.problems = problems
        out.waiting = waiting
        if self.rd is not None:
            now = self.clock()
            final = any(r.get("event") in ("finished", "failed") for r in out.engine)
            if final or now - self._state_at >= STATE_EVERY_S:
                from nnlab.run.reader import run_state

                self._state_at = now
                try:
                    state = run_state(self.rd)
                except Exception:  # noqa: BLE001 - a directory going away: said by the next poll
                    state = self.state
                if state != self.state:
                    self.state = out.state = state
        return out


class Series:
    """One metric's points, all kept: steps, wall-clock times, values (None: a gap)."""

    __slots__ = ("name", "steps", "times", "values", "version")

    def __init__(self, name: str):
        self.name = name
        self.steps: list = []
        self.times: list = []
        self.values: list = []
        self.version = 0

    def extend(self, cols) -> None:
        self.steps.extend(cols[0])
        self.times.extend(cols[1])
        self.values.extend(cols[2])
        self.version += 1

    def latest(self):
        """The last finite value (None when there is none yet)."""
        for value in reversed(self.values[-50:]):
            if value is not None:
                return value
        return None


def group_of(name: str) -> str:
    return name.split("/", 1)[0] if "/" in name else name


class MetricStore:
    """Every metric by name, grouped by the part of its name before the first '/'."""

    def __init__(self):
        self.series: dict[str, Series] = {}
        self.groups: dict[str, list[str]] = {}
        self.epochs: list[tuple] = []
        self.confusion: dict | None = None
        self.images: dict[str, list] = {}
        self.t0: float | None = None
        self.points = 0
        self.last_step = None

    def add(self, batch: Batch) -> set[str]:
        """Add a poll's columns; the groups that changed."""
        changed: set[str] = set()
        for name, cols in batch.series.items():
            series = self.series.get(name)
            if series is None:
                series = self.series[name] = Series(name)
                self.groups.setdefault(group_of(name), []).append(name)
            if self.t0 is None and cols[1]:
                self.t0 = next((x for x in cols[1] if x is not None), None)
            series.extend(cols)
            self.points += len(cols[0])
            if cols[0]:
                self.last_step = cols[0][-1]
            changed.add(group_of(name))
        self.epochs.extend(batch.epochs)
        if batch.confusion is not None:
            self.confusion = batch.confusion
        for key, step, arr, captions in batch.images:
            kept = self.images.setdefault(key, [])
            kept.append((step, arr, captions))
            del kept[:-MAX_IMAGE_SETS]
        return changed

    def group_names(self) -> list[str]:
        return sorted(self.groups)
