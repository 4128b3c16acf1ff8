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

Where the parts live: ``RunDir`` and ``resolve`` here; the format names, errors, timestamps and
ids in ``rundir_common``; the lock in ``rundir_lock``; ``RunWriter`` (the event log and
status.json) in ``rundir_writer``. This module re-exports their names.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnlab.fs import atomic
from nnlab.i18n import t

# Also re-exported: the API above (RunBusy, take_lock) and the names the reader and the
# dashboard's run files import from here (EVENTS_FORMAT, FINAL_KINDS, parse_iso, lock_is_held).
from nnlab.run.rundir_common import (  # noqa: F401
    EVENTS_FORMAT,
    FINAL_KINDS,
    KINDS,
    RUN_FORMAT,
    STATUS_FORMAT,
    VERSION,
    RunBusy,
    RunDirError,
    dumps,
    new_id,
    now_iso,
    parse_iso,
    read_json,
    runs_root,
)
from nnlab.run.rundir_lock import lock_is_held, take_lock  # noqa: F401
from nnlab.run.rundir_writer import RunWriter


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
            atomic.write_text(path / "run.json", dumps(info) + "\n")
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
        atomic.write_text(self.run_json, dumps(info) + "\n")
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
