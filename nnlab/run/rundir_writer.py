"""The one writer of a run: the event-log appender (events.jsonl) and the status record it keeps (status.json)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from nnlab.fs import atomic
from nnlab.i18n import t
from nnlab.run.events import Diverged, EpochEnd, Event, Failed, Finished, Started
from nnlab.run.rundir_common import (
    EVENTS_FORMAT,
    STATES,
    STATUS_EVERY_S,
    STATUS_FORMAT,
    VERSION,
    RunDirError,
    dumps,
    now_iso,
    parse_iso,
)
from nnlab.run.rundir_lock import take_lock

if TYPE_CHECKING:
    from nnlab.run.rundir import RunDir


def _replace_quick(path: Path, text: str) -> None:
    """Temp file + os.replace without fsync: readers see the old or the new file, never half of
    one; after a power cut the newest progress figures may be missing (the log still has them).
    Measured here: an fsync'd status write took 2-18 ms on a shared disk, this one ~0.1 ms."""
    tmp = atomic.temp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        with open(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class RunWriter:
    """``emit(event)`` for the engine's fan-out: appends the event, keeps status.json current."""

    def __init__(
        self,
        rd: RunDir,
        on_error: Callable[[OSError], None] | None = None,
        *,
        lock_fd: int | None = None,
        wait_s: float = 0.0,
    ):
        self.rd, self.on_error = rd, on_error
        self.failed, self.error, self.dropped = False, None, 0
        self._streak = False
        self._mutex = threading.Lock()  # one line at a time in the log
        self._status_mutex = threading.Lock()  # one status rewrite at a time
        self._final = False
        self._status_at = 0.0
        self._status_dirty = False
        self.lock_fd = self._take_lock(lock_fd, wait_s)
        try:
            self._fd, self._size = self._open_log()
            old = rd.status() or {}
            earlier = float(old.get("active_s") or 0.0) + self._session_seconds(old)
            self._status = {
                "format": STATUS_FORMAT,
                "version": VERSION,
                "run": rd.id,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": now_iso(),
                "updated": now_iso(),
                "state": "running",
                "epochs": old.get("epochs", 0),
                "test_accuracy": old.get("test_accuracy"),
                "sessions": int(old.get("sessions") or 0) + 1,
                "active_s": round(earlier, 3),
            }
            self._write_status(force=True)
        except BaseException:
            os.close(self.lock_fd)
            raise

    @staticmethod
    def _session_seconds(old: dict) -> float:
        started, updated = parse_iso(old.get("started")), parse_iso(old.get("updated"))
        return max(0.0, updated - started) if started is not None and updated is not None else 0.0

    # --- the lock -----------------------------------------------------------------------------
    def _take_lock(self, lock_fd: int | None, wait_s: float) -> int:
        return take_lock(self.rd, lock_fd, wait_s)

    # --- the log ------------------------------------------------------------------------------
    def _open_log(self) -> tuple[int, int]:
        path = self.rd.events_path
        atomic.refuse_special(path)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size == 0:
                header = {"format": EVENTS_FORMAT, "version": VERSION, "run": self.rd.id, "created": now_iso()}
                os.write(fd, (dumps(header) + "\n").encode())
                return fd, os.fstat(fd).st_size
            first = os.pread(fd, 4096, 0).split(b"\n", 1)[0]
            try:
                head = json.loads(first)
            except ValueError:
                head = None
            if not isinstance(head, dict) or head.get("format") != EVENTS_FORMAT:
                raise RunDirError(t("runs.foreign_log", path=self.rd.path))
            if head.get("version") != VERSION:
                raise RunDirError(
                    t(
                        "runs.version",
                        path=self.rd.path,
                        file="events.jsonl",
                        version=head.get("version"),
                        supported=VERSION,
                    )
                )
            good = self._last_newline(fd, size)
            if good < size:  # a writer killed mid-line: drop the partial line before appending
                os.ftruncate(fd, good)
            return fd, good
        except BaseException:
            os.close(fd)
            raise

    @staticmethod
    def _last_newline(fd: int, size: int) -> int:
        end = size
        while end > 0:
            start = max(0, end - 65536)
            chunk = os.pread(fd, end - start, start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                return start + cut + 1
            end = start
        return 0

    def _write_line(self, line: bytes) -> bool:
        try:
            view = memoryview(line)
            while view:
                done = os.write(self._fd, view)
                view = view[done:]
            self._size += len(line)
            return True
        except OSError as error:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._size)  # whole lines or nothing
            self._fail(error)
            return False

    def _fail(self, error: OSError) -> None:
        self.failed, self.error = True, error
        if not self._streak:
            self._streak = True
            if self.on_error is not None:
                try:
                    self.on_error(error)
                except Exception:  # noqa: BLE001 - the caller's policy must never stop training here
                    pass

    def append(self, record: dict) -> bool:
        """Append one JSON object (``"t"`` added when missing); False when it could not be written."""
        if "t" not in record:
            record = {**record, "t": round(time.time(), 3)}
        return self._append_line(dumps(record))

    def _append_line(self, line: str) -> bool:
        with self._mutex:
            if self._fd is None:
                return False
            return self._append_locked(line)

    def _append_locked(self, line: str) -> bool:
        if self.dropped and self._streak:
            gap = {"event": "gap", "dropped": self.dropped, "t": round(time.time(), 3)}
            if not self._write_line((dumps(gap) + "\n").encode()):
                self.dropped += 1
                return False
            self.dropped = 0
        if self._write_line((line + "\n").encode()):
            self._streak = False
            return True
        self.dropped += 1
        return False

    def __call__(self, event: Event) -> None:
        # vars(): the fields as they are (asdict deep-copies, 2x the cost); the same JSON.
        record = {"event": event.KIND, "t": round(time.time(), 3), **vars(event)}  # type: ignore[attr-defined]
        try:
            line = json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        except ValueError:  # NaN or inf somewhere: null, as strict JSON has it
            line = dumps(record)
        self._append_line(line)
        with self._status_mutex:
            self._track(event)

    # --- status -------------------------------------------------------------------------------
    def _track(self, event: Event) -> None:
        status = self._status
        if isinstance(event, EpochEnd):
            status["epochs"] = event.epoch
            status["test_accuracy"] = event.test_accuracy
            self._status_dirty = True
        elif isinstance(event, Finished):
            state = event.reason if event.reason in STATES else ("stopped" if event.stopped else "completed")
            status["state"] = state
            if event.test_accuracy is not None:
                status["test_accuracy"] = event.test_accuracy
            self._final = True
            return self._write_status(force=True)
        elif isinstance(event, (Failed, Diverged)):
            status["state"] = "failed" if isinstance(event, Failed) else "diverged"
            self._final = self._final or isinstance(event, Failed)
            return self._write_status(force=True)
        elif isinstance(event, Started) and status["state"] != "running":
            status["state"] = "running"
            return self._write_status(force=True)
        if self._status_dirty:
            self._write_status()

    def _write_status(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._status_at < STATUS_EVERY_S:
            return
        self._status["updated"] = now_iso()
        self._status_at, self._status_dirty = now, False
        text = dumps(self._status) + "\n"
        try:
            if force:  # a state change: durable (temp, fsync, rename)
                atomic.write_text(self.rd.status_path, text)
            else:  # progress only: atomic for readers, no fsync on the training thread
                _replace_quick(self.rd.status_path, text)
        except OSError as error:
            self._fail(error)

    @property
    def state(self) -> str:
        return self._status["state"]

    def close(self) -> None:
        """Flush the pending status, close the log and let go of the lock (never raises).
        Without a final event the status stays "running": readers then see the run as lost,
        unless the lock was handed to a successor (``lock_fd``)."""
        with self._mutex:
            if self._fd is None:
                return
            fd, self._fd = self._fd, None
        with self._status_mutex:
            if self._status_dirty:
                self._write_status(force=True)
        with contextlib.suppress(OSError):
            os.close(fd)
        with contextlib.suppress(OSError):
            os.close(self.lock_fd)  # never LOCK_UN: a successor may share this open file

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
