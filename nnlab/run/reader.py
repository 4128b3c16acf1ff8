"""Reading run directories while they are written: tail the event log, derive states, list runs.

Reads only (a run on a read-only file system is watchable); never raises on bad content.

    log = EventLog(path, decode=False)   # decode=True: events as dataclasses (nnlab.run.decode)
    log.read_new(max_bytes=...) -> list  # the complete lines added since the last call, parsed
    log.problems: list[str]              # one line each: foreign file, corrupt line, gap, ...
    log.header / .offset / .line / .skipped / .restarted
    run_state(rd) -> str                 # running|completed|stopped|failed|diverged|lost|created
    list_runs(root=None, problems=None) -> list[RunSummary]   # newest first
    config_summary(config_dict) -> str   # "tutorial · sgd lr 0.001 · batch 64 · 512-512 relu"

Rules: a last line without "\\n" is incomplete (a writer killed mid-line, or one still writing):
it is left for a later call, never parsed. A first line that is not the nnlab-events header,
or a header of another version, makes the whole file "skipped" (reported once). A line that is
not a JSON object, or (decode=True) an event this nnlab does not know, is reported and skipped.
A log that became shorter than what was read, or was replaced by another file, is read again
from the start (``restarted``).

"lost": status.json says running, no final event ends the log, and the writer is gone: its
lock is free (the kernel drops a dead process's flock, in any pid namespace), or, where the lock
cannot be tested, the pid is gone on this host. A run on another host whose lock cannot be
tested stays "running". "created": a run directory no writer has opened yet.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnlab.i18n import t
from nnlab.run import decode as _decode
from nnlab.run.rundir import (
    EVENTS_FORMAT,
    FINAL_KINDS,
    VERSION,
    RunDir,
    RunDirError,
    lock_is_held,
    parse_iso,
    read_json,
    runs_root,
)

MAX_LINE = 1 << 20  # a line longer than this is not an event: skipped
MAX_PROBLEMS = 200  # kept in ``problems``; ``problem_count`` counts them all
TAIL_BYTES = 1 << 16  # how much of a log's end is read to find its final event


class EventLog:
    """An events.jsonl followed by byte offset."""

    def __init__(self, path: str | os.PathLike, decode: bool = False):
        self.path = Path(path)
        self.decode = decode
        self.offset = 0  # bytes consumed: always just after a "\n"
        self.line = 0  # lines consumed (the header is line 1)
        self.header: dict | None = None
        self.skipped = False  # foreign file or unknown version: nothing more is read
        self.restarted = False  # set when the log shrank and was read again from the start
        self.problems: list[str] = []
        self.problem_count = 0
        self._discarding = False  # inside an over-long line: drop bytes up to its "\n"
        self._unknown: set[str] = set()
        self._ino: tuple[int, int] | None = None  # a log replaced by another file is read anew

    def _problem(self, key: str, **fields: Any) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(t(key, path=self.path, **fields))

    def _read(self, max_bytes: int) -> bytes:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            return b""
        except OSError as error:
            self._problem("runs.log.unreadable", why=error.strerror or error)
            self.skipped = True
            return b""
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self._problem("runs.log.unreadable", why="not a regular file")
                self.skipped = True
                return b""
            replaced = self._ino is not None and (st.st_dev, st.st_ino) != self._ino
            self._ino = (st.st_dev, st.st_ino)
            if st.st_size < self.offset or (replaced and self.offset):
                self._problem("runs.log.shrank", size=st.st_size, offset=self.offset)
                self.offset, self.line, self.header, self._discarding = 0, 0, None, False
                self.restarted = True
            want = min(st.st_size - self.offset, max_bytes)
            return os.pread(fd, want, self.offset) if want > 0 else b""
        except OSError as error:
            self._problem("runs.log.unreadable", why=error.strerror or error)
            return b""
        finally:
            os.close(fd)

    def read_new(self, max_bytes: int = 256 << 20) -> list:
        """Events (dicts, or dataclasses with decode=True) from the complete lines not read yet."""
        if self.skipped:
            return []
        data = self._read(max_bytes)
        if not data:
            return []
        cut = data.rfind(b"\n")
        if self._discarding:
            first = data.find(b"\n")
            if first < 0:
                self.offset += len(data)
                return []
            self.offset += first + 1
            self.line += 1
            self._discarding = False
            data = data[first + 1 :]
            cut = data.rfind(b"\n")
        if cut < 0:
            if len(data) > MAX_LINE:
                self._problem("runs.log.too_long", line=self.line + 1, limit=MAX_LINE)
                self.offset += len(data)
                self._discarding = True
            return []
        self.offset += cut + 1
        try:  # one decode for the whole chunk: json.loads(str) skips its per-line encoding sniffing
            lines: list = data[:cut].decode("utf-8").split("\n")
        except UnicodeDecodeError:  # a bad byte somewhere: line by line, the bad line reported
            lines = data[:cut].split(b"\n")
        first_line = self.line + 1
        self.line += len(lines)
        if self.header is None:
            if not self._take_header(lines[0]):
                return []
            lines, first_line = lines[1:], first_line + 1
        return self._parse(lines, first_line)

    def _take_header(self, line: bytes | str) -> bool:
        try:
            head = json.loads(line)
        except ValueError:
            head = None
        if not isinstance(head, dict) or head.get("format") != EVENTS_FORMAT:
            self._problem("runs.log.foreign")
            self.skipped = True
            return False
        if head.get("version") != VERSION:
            self._problem("runs.version", file="events.jsonl", version=head.get("version"), supported=VERSION)
            self.skipped = True
            return False
        self.header = head
        return True

    def _parse(self, lines: list, first_line: int) -> list:
        out: list = []
        loads = json.loads
        for number, raw in enumerate(lines, first_line):
            if len(raw) > MAX_LINE:
                self._problem("runs.log.too_long", line=number, limit=MAX_LINE)
                continue
            try:
                record = loads(raw)
            except ValueError:  # also UnicodeDecodeError
                if raw.strip():
                    self._problem("runs.log.corrupt", line=number)
                continue
            kind = record.get("event") if type(record) is dict else None
            if not isinstance(kind, str):
                self._problem("runs.log.corrupt", line=number)
                continue
            if kind == "gap":
                self._problem("runs.log.gap", line=number, dropped=record.get("dropped", "?"))
                if self.decode:
                    continue
            elif self.decode:
                try:
                    record = _decode.from_dict(record)
                except _decode.DecodeError as error:
                    if kind not in _decode.KINDS:
                        if kind not in self._unknown:
                            self._unknown.add(kind)
                            self._problem("runs.log.unknown_kind", line=number, kind=kind)
                    else:
                        self._problem("runs.log.bad_event", line=number, kind=kind, why=error)
                    continue
            out.append(record)
        return out


def final_event(path: Path) -> dict | None:
    """The last finished/failed event in the log's last TAIL_BYTES, or None."""
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - TAIL_BYTES))
            tail = handle.read(TAIL_BYTES)
    except OSError:
        return None
    for raw in reversed(tail.split(b"\n")):
        if b'"event"' not in raw:
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("event") in FINAL_KINDS:
            return record
    return None


def last_event_time(path: Path) -> float | None:
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - 8192))
            lines = handle.read().split(b"\n")[:-1]  # the last, incomplete piece is not a line
    except OSError:
        return None
    for raw in reversed(lines):
        try:
            value = json.loads(raw).get("t")
            return float(value) if value is not None else None
        except (ValueError, AttributeError, TypeError):
            continue
    return None


def _pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _final_state(record: dict) -> str:
    if record.get("event") == "failed":
        return "failed"
    reason = record.get("reason")
    return reason if reason in ("completed", "stopped", "diverged", "failed") else "completed"


def run_state(rd: RunDir, status: dict | None = None) -> str:
    """The run's state as a viewer should show it (see the module docstring for "lost")."""
    status = rd.status() if status is None else status
    if status is None:
        held = lock_is_held(rd.lock_path)
        if held:
            return "running"
        final = final_event(rd.events_path)
        return _final_state(final) if final else ("created" if not rd.events_path.exists() else "lost")
    state = status.get("state")
    if state != "running":
        return state if isinstance(state, str) else "lost"
    held = lock_is_held(rd.lock_path)
    if held:
        return "running"
    final = final_event(rd.events_path)
    if final is not None:  # the writer died between its final event and the status rewrite
        return _final_state(final)
    if held is False:
        return "lost"
    if status.get("host") == socket.gethostname():
        return "running" if _pid_alive(status.get("pid")) else "lost"
    return "running"


@dataclass(frozen=True)
class RunSummary:
    id: str
    path: Path
    name: str
    kind: str
    state: str
    preset: str
    summary: str  # config_summary of its config
    epochs_done: int
    epochs_total: int | None
    test_accuracy: float | None  # 0..1, the latest epoch's
    started: str  # ISO 8601 UTC (run.json "created")
    duration_s: float | None  # time spent training, all sessions (resumes) together
    host: str
    pid: int | None
    parent: str | None = None  # a branch's parent run id (run.json "parent")
    branch_epoch: int | None = None  # a branch: the parent's epochs done at the branch point
    branch_batch: int = 0  # ... and the batches of the next epoch already trained there

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "path": str(self.path),
            "name": self.name,
            "kind": self.kind,
            "state": self.state,
            "preset": self.preset,
            "summary": self.summary,
            "epochs_done": self.epochs_done,
            "epochs_total": self.epochs_total,
            "test_accuracy": self.test_accuracy,
            "started": self.started,
            "duration_s": self.duration_s,
            "host": self.host,
            "pid": self.pid,
            "parent": self.parent,
            "branch_epoch": self.branch_epoch,
        }


def config_summary(config: dict) -> str:
    if not config:
        return ""
    parts = [str(config.get("preset", ""))]
    if "optimizer" in config:
        parts.append(
            f"{config['optimizer']} lr {config.get('lr', '?'):g}"
            if isinstance(config.get("lr"), (int, float))
            else str(config["optimizer"])
        )
    if "batch_size" in config:
        parts.append(f"batch {config['batch_size']}")
    hidden = config.get("hidden")
    if isinstance(hidden, (list, tuple)):
        parts.append("-".join(str(h) for h in hidden) + (f" {config['activation']}" if "activation" in config else ""))
    return " · ".join(p for p in parts if p)


def _duration(rd: RunDir, status: dict | None, state: str) -> float | None:
    if status is None:
        return None
    started, updated = parse_iso(status.get("started")), parse_iso(status.get("updated"))
    if started is None:
        return None
    if state == "running":
        end = time.time()
    elif state == "lost":
        end = max(filter(None, (updated, last_event_time(rd.events_path))), default=started)
    else:
        end = updated or started
    return round(float(status.get("active_s") or 0.0) + max(0.0, end - started), 3)


def summarize(rd: RunDir) -> RunSummary:
    status = rd.status()
    state = run_state(rd, status)
    config = rd.config
    epochs_total = config.get("epochs") if isinstance(config.get("epochs"), int) else None
    accuracy = (status or {}).get("test_accuracy")
    branch = rd.info.get("branch") if isinstance(rd.info.get("branch"), dict) else {}
    return RunSummary(
        id=rd.id,
        path=rd.path,
        name=str(rd.info.get("name") or ""),
        kind=str(rd.info.get("kind") or ""),
        state=state,
        preset=str(config.get("preset") or ""),
        summary=config_summary(config),
        epochs_done=int((status or {}).get("epochs") or 0),
        epochs_total=epochs_total,
        test_accuracy=float(accuracy) if isinstance(accuracy, (int, float)) else None,
        started=str(rd.info.get("created") or ""),
        duration_s=_duration(rd, status, state),
        host=str((status or rd.info).get("host") or ""),
        pid=(status or {}).get("pid"),
        parent=str(rd.info["parent"]) if isinstance(rd.info.get("parent"), str) and rd.info["parent"] else None,
        branch_epoch=_int_or_none(branch.get("epoch")),
        branch_batch=_int_or_none(branch.get("batch")) or 0,
    )


def _int_or_none(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def list_runs(root: str | os.PathLike | None = None, problems: list[str] | None = None) -> list[RunSummary]:
    """Every run under ``root`` (None: ``runs_root()``), newest first. Directories without a
    run.json are not runs and are passed over; unreadable runs are reported in ``problems``."""
    base = runs_root(root)
    try:
        entries = list(os.scandir(base))
    except OSError:
        return []
    runs = []
    for entry in entries:
        try:
            if not entry.is_dir() or not os.path.exists(os.path.join(entry.path, "run.json")):
                continue
            runs.append(summarize(RunDir.open(entry.path)))
        except RunDirError as error:
            if problems is not None:
                problems.append(str(error))
        except OSError as error:
            if problems is not None:
                problems.append(f"{entry.path}: {error.strerror or error}")
    runs.sort(key=lambda r: (parse_iso(r.started) or 0.0, r.id), reverse=True)
    return runs


__all__ = [
    "EventLog",
    "RunSummary",
    "config_summary",
    "final_event",
    "list_runs",
    "run_state",
    "summarize",
    "read_json",
]
