"""Run directories: one directory per run, written by one process, read by any number of viewers.

    runs/20261201-204512-a3f9/     id: UTC time + 4 random hex (mkdir is the arbiter: unique)
      run.json      {"format": "nnlab-run", "version": 1, id, kind, name, config, parent, sweep,
                     created, host, uid}: written once, atomically
      events.jsonl  line 1 {"format": "nnlab-events", "version": 1, "run", "created"}; then one
                     strict-JSON object per event (``Event.to_dict()`` + "t": Unix seconds);
                     append-only, one write() per line, no fsync; a resumed run appends
      status.json   {"format": "nnlab-status", "version": 1, run, pid, host, started, updated,
                     state, epochs, test_accuracy, sessions, active_s}: atomic replace (fsync'd) on
                     a state change; progress (epochs, accuracy) at most every STATUS_EVERY_S
                     seconds, atomic but not fsync'd (no disk flush on the training thread)
      output.log    what a headless/detached run printed (``rd.output_log``: the caller opens it)
      checkpoint.pt latest checkpoint; epoch-NNN.pt per epoch when asked (``rd.epoch_checkpoint``)
      control.sock  only while the run lives (see control_server)
      .lock         flock'ed by the one writer for the run's life; "pid host" inside

The directory is made 0700: only its owner reads a run or reaches its control socket.

API:
    runs_root(explicit=None) -> Path                     ($NNLAB_RUNS_DIR, else ./runs)
    RunDir.create(root, config, kind="nnlab", name="", parent=None, sweep=None) -> RunDir
    RunDir.open(path) -> RunDir                           (RunDirError: one line, not a run)
    resolve(ref, root=None) -> RunDir                     (a path, an id or a unique id prefix)
    rd.writer(on_error=None, lock_fd=None, wait_s=0.0) -> RunWriter   (RunBusy when held)
    rd.update_config(config) -> RunDir                   (a resume that changed the config)
    take_lock(rd, lock_fd=None, inheritable=False) -> fd (the writer lock alone: detach's parent)
    RunWriter(event) / .append(record) / .close() / .failed / .error / .lock_fd

The writer never raises into training once open: a failed append (disk full) truncates the
partial line away, sets ``failed``/``error`` and calls ``on_error(error)`` once per failure
streak; the caller applies the save-error policy (stop / pause / continue). Events lost while
failing are counted in a ``{"event": "gap", "dropped": N}`` line once writing works again.

Handing the run to another process (detach): spawn it with ``pass_fds=[w.lock_fd]`` and
``rd.writer(lock_fd=N)`` there, then ``close()`` here: the lock belongs to the open file, so it
is never free in between (close() never unlocks explicitly).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nnlab.fs import atomic
from nnlab.i18n import t
from nnlab.run.events import Diverged, EpochEnd, Event, Failed, Finished, Started, finite

RUN_FORMAT, EVENTS_FORMAT, STATUS_FORMAT = "nnlab-run", "nnlab-events", "nnlab-status"
VERSION = 1
KINDS = ("nnlab", "track", "sweep-member")
STATES = ("running", "completed", "stopped", "failed", "diverged")  # "lost" is derived (reader)
FINAL_KINDS = ("finished", "failed")
STATUS_EVERY_S = 2.0  # progress (epochs, accuracy) rewrites status.json at most this often
ID_PATTERN = re.compile(r"\d{8}-\d{6}-[0-9a-f]{4,}")


class RunDirError(Exception):
    """A path that is not a usable run directory; the message is one line naming it."""


class RunBusy(RunDirError):
    """Another live process writes this run; ``pid`` and ``host`` name it when known."""

    def __init__(self, message: str, pid: int | None = None, host: str = ""):
        super().__init__(message)
        self.pid, self.host = pid, host


def now_iso(when: float | None = None) -> str:
    """ISO 8601 UTC with milliseconds and an explicit offset (readable by Python 3.10's fromisoformat)."""
    stamp = datetime.fromtimestamp(time.time() if when is None else when, timezone.utc)
    return stamp.isoformat(timespec="milliseconds")


def parse_iso(text: Any) -> float | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except (TypeError, ValueError):
        return None


def new_id(when: float | None = None) -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime(when)) + "-" + secrets.token_hex(2)


def runs_root(explicit: str | os.PathLike | None = None) -> Path:
    """The runs root: an explicit path (``--runs-dir``), else $NNLAB_RUNS_DIR, else ./runs."""
    chosen = explicit or os.environ.get("NNLAB_RUNS_DIR") or "runs"
    return Path(os.path.expanduser(os.fspath(chosen)))


def read_json(path: Path) -> Any:
    with open(path, "rb") as handle:
        return json.loads(handle.read(1 << 20))


def _dumps(data: Any) -> str:
    return json.dumps(finite(data), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@dataclass(frozen=True)
class RunDir:
    path: Path
    info: dict  # run.json as read

    # --- files --------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return str(self.info.get("id") or self.path.name)

    @property
    def run_json(self) -> Path:
        return self.path / "run.json"

    @property
    def events_path(self) -> Path:
        return self.path / "events.jsonl"

    @property
    def status_path(self) -> Path:
        return self.path / "status.json"

    @property
    def output_log(self) -> Path:
        return self.path / "output.log"

    @property
    def checkpoint_path(self) -> Path:
        return self.path / "checkpoint.pt"

    @property
    def lock_path(self) -> Path:
        return self.path / ".lock"

    def epoch_checkpoint(self, epoch: int) -> Path:
        return self.path / f"epoch-{int(epoch):03d}.pt"

    @property
    def config(self) -> dict:
        return dict(self.info.get("config") or {})

    def status(self) -> dict | None:
        """status.json as written, or None when missing or unreadable (never raises)."""
        try:
            data = read_json(self.status_path)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("format") == STATUS_FORMAT else None

    # --- making and opening -------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        root: str | os.PathLike | None,
        config: Any,
        *,
        kind: str = "nnlab",
        name: str = "",
        parent: str | None = None,
        sweep: str | None = None,
    ) -> RunDir:
        """A new run directory (0700) under ``root`` (None: ``runs_root()``) with its run.json."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        root = runs_root(root)
        config_dict = config.to_dict() if hasattr(config, "to_dict") else dict(config or {})
        try:
            root.mkdir(parents=True, exist_ok=True)
            for _ in range(50):
                run_id = new_id()
                path = root / run_id
                try:
                    path.mkdir(mode=0o700)
                    break
                except FileExistsError:  # same second, same suffix: another session won it
                    continue
            else:
                raise OSError(errno.EEXIST, "no free run id")
            os.chmod(path, 0o700)  # whatever the umask did
            info = {
                "format": RUN_FORMAT,
                "version": VERSION,
                "id": run_id,
                "kind": kind,
                "name": name,
                "config": config_dict,
                "parent": parent,
                "sweep": sweep,
                "created": now_iso(),
                "host": socket.gethostname(),
                "uid": os.geteuid(),
            }
            atomic.write_text(path / "run.json", _dumps(info) + "\n")
        except OSError as error:
            raise RunDirError(t("runs.create_failed", root=root, why=error.strerror or error)) from None
        return cls(path, info)

    @classmethod
    def open(cls, path: str | os.PathLike) -> RunDir:
        """The run at ``path``; RunDirError (one line) when it is not one. Reads only."""
        path = Path(os.path.expanduser(os.fspath(path)))
        if not path.is_dir():
            raise RunDirError(t("runs.not_a_dir", path=path))
        if not (path / "run.json").exists():
            raise RunDirError(t("runs.not_a_run", path=path))
        try:
            info = read_json(path / "run.json")
        except (OSError, ValueError) as error:
            why = getattr(error, "strerror", None) or str(error).split("\n")[0]
            raise RunDirError(t("runs.bad_run_json", path=path, why=why)) from None
        if not isinstance(info, dict) or info.get("format") != RUN_FORMAT:
            fmt = info.get("format") if isinstance(info, dict) else type(info).__name__
            raise RunDirError(t("runs.foreign_run_json", path=path, format=fmt))
        if info.get("version") != VERSION:
            raise RunDirError(
                t("runs.version", path=path, file="run.json", version=info.get("version"), supported=VERSION)
            )
        return cls(path, info)

    def writer(
        self, on_error: Callable[[OSError], None] | None = None, *, lock_fd: int | None = None, wait_s: float = 0.0
    ) -> RunWriter:
        """The one writer of this run (takes the lock; RunBusy when another process holds it)."""
        return RunWriter(self, on_error=on_error, lock_fd=lock_fd, wait_s=wait_s)

    def update_config(self, config: Any) -> RunDir:
        """Rewrite run.json's config (atomically) when a resumed run changed it (more epochs);
        the writer alone calls this, holding the lock. The RunDir with the new info."""
        config_dict = config.to_dict() if hasattr(config, "to_dict") else dict(config or {})
        if config_dict == self.info.get("config"):
            return self
        info = {**self.info, "config": config_dict}
        atomic.write_text(self.run_json, _dumps(info) + "\n")
        return RunDir(self.path, info)


def resolve(ref: str | os.PathLike, root: str | os.PathLike | None = None) -> RunDir:
    """A run named by a path, an id under ``root``, or a unique prefix of an id."""
    path = Path(os.path.expanduser(os.fspath(ref)))
    if path.is_dir():
        return RunDir.open(path)
    base = runs_root(root)
    text = os.fspath(ref)
    if os.sep not in text and base.is_dir():
        if (base / text).is_dir():
            return RunDir.open(base / text)
        matches = sorted(p for p in base.iterdir() if p.name.startswith(text) and p.is_dir())
        if len(matches) == 1:
            return RunDir.open(matches[0])
        if len(matches) > 1:
            raise RunDirError(t("runs.ambiguous", ref=text, count=len(matches), root=base))
    raise RunDirError(t("runs.no_such_run", ref=text, root=base))


def lock_holder(path: Path) -> tuple[int | None, str]:
    """(pid, host) written in a .lock file, (None, "") when unreadable."""
    try:
        with open(path, "rb") as handle:
            words = handle.read(300).decode("utf-8", "replace").split()
        return int(words[0]), (words[1] if len(words) > 1 else "")
    except (OSError, ValueError, IndexError):
        return None, ""


def lock_is_held(path: Path) -> bool | None:
    """True when a writer holds the run's lock, False when free, None when it cannot be told
    (no .lock file, or no flock on this file system). Takes a shared lock for an instant: reads only."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(fd)
    return False


def take_lock(rd: RunDir, lock_fd: int | None = None, wait_s: float = 0.0, *, inheritable: bool = False) -> int:
    """The run's writer lock as an open fd ("pid host" written in it); RunBusy when another
    process holds it. ``lock_fd``: an fd handed over by the previous holder (pass_fds), checked
    to be this run's .lock. ``inheritable``: no O_CLOEXEC (a parent that hands it to a child)."""
    path = rd.lock_path
    if lock_fd is not None:  # handed over by the previous writer (same open file: still locked)
        if os.fstat(lock_fd).st_ino != os.stat(path).st_ino:
            raise RunDirError(t("runs.busy_unknown", run=rd.id))
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fd = lock_fd
    else:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | (0 if inheritable else os.O_CLOEXEC)
        fd = os.open(path, flags, 0o600)
        deadline = time.monotonic() + max(wait_s, 0.1)  # a viewer's shared probe lasts microseconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() < deadline:
                    time.sleep(0.01)
                    continue
                os.close(fd)
                pid, host = lock_holder(path)
                if pid is None:
                    raise RunBusy(t("runs.busy_unknown", run=rd.id)) from None
                raise RunBusy(t("runs.busy", run=rd.id, pid=pid, host=host or "?"), pid, host) from None
            except OSError:
                break  # no flock here: nothing more to guard with
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
    return fd


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
                os.write(fd, (_dumps(header) + "\n").encode())
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
        return self._append_line(_dumps(record))

    def _append_line(self, line: str) -> bool:
        with self._mutex:
            if self._fd is None:
                return False
            return self._append_locked(line)

    def _append_locked(self, line: str) -> bool:
        if self.dropped and self._streak:
            gap = {"event": "gap", "dropped": self.dropped, "t": round(time.time(), 3)}
            if not self._write_line((_dumps(gap) + "\n").encode()):
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
            line = _dumps(record)
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
        text = _dumps(self._status) + "\n"
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
