"""One tracked run: a run directory written by a user's script, steered from any viewer."""

from __future__ import annotations

import atexit
import collections
import contextlib
import json
import os
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nnlab.i18n import t
from nnlab.run.control import Control
from nnlab.run.control_server import ControlServer
from nnlab.run.events import Failed, Finished, Paused, Resumed, Saved
from nnlab.run.rundir import RunDir
from nnlab.run.rundir_writer import RunWriter
from nnlab.track import records as R
from nnlab.track.records import TrackError

FLUSH_EVERY_S = 0.2  # the background flusher writes pending scalars this often
MAX_PENDING = 4096  # log() flushes on the caller's thread past this many (back-pressure)
_time = time.time
_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode

_LINE = '{"event":"scalars","step":%d,"t":%.3f,"values":%s}'


def _template(keys: tuple) -> tuple[str, int]:
    """'{"loss":%r,"acc":%r}' for these names, and how many n/N its fixed text holds: a finite
    float or an int never writes one with %r, so any extra one means nan, inf, None or a tensor."""
    text = "{" + ",".join(_dumps(k).replace("%", "%%") + ":%r" for k in keys) + "}"
    fixed = text.replace("%%", "%").replace("%r", "")
    return text, fixed.count("n") + fixed.count("N")


_open_runs: weakref.WeakSet = weakref.WeakSet()
_hooks_installed = False


def _install_hooks() -> None:
    """Once per process: finish open runs at exit; mark them failed on an uncaught exception."""
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    previous = sys.excepthook

    def excepthook(kind, value, tb):
        for run in list(_open_runs):
            run._fail_with(value, tb)
        previous(kind, value, tb)

    sys.excepthook = excepthook
    atexit.register(_finish_all)


def _finish_all() -> None:
    for run in list(_open_runs):
        with contextlib.suppress(Exception):
            run.finish()


class Run:
    """What ``nnlab.track.init`` returns. ``log`` is cheap (no I/O, no device sync); a daemon
    thread writes pending records every FLUSH_EVERY_S. Use it as a context manager, or call
    ``finish()`` (also done at interpreter exit)."""

    def __init__(
        self,
        rd: RunDir,
        writer: RunWriter,
        *,
        on_save: Callable[[], Any] | None = None,
        steer: bool = True,
        quiet: bool = False,
    ):
        self.rd, self._writer = rd, writer
        self.id, self.name, self.path = rd.id, str(rd.info.get("name") or ""), rd.path
        self.on_save = on_save
        self.quiet = quiet
        self._pending: collections.deque = collections.deque()
        self._names: set[str] = set()
        self._templates: dict[tuple, tuple[str, int]] = {}
        self._step = 0
        self._epoch = 0
        self._test_accuracy: float | None = None
        self._images = 0
        self._started = time.monotonic()
        self._finished = False
        self._save_pending = False
        self._reported = False
        self._flush_lock = threading.Lock()
        self._append_line = getattr(writer, "_append_line", None)  # many lines, one write()
        self.control = Control()
        self._server: ControlServer | None = None
        if steer:
            try:
                self._server = ControlServer(
                    rd, self.control, on_save=self._request_save, on_status=self._status
                ).start()
            except Exception as error:  # noqa: BLE001 - no steering, the run is still tracked
                self._say(t("track.no_control", run=self.id, why=str(error)[:200]))
        self._wake = threading.Event()
        self._flusher = threading.Thread(target=self._flush_loop, name=f"nnlab-track-{self.id}", daemon=True)
        self._flusher.start()
        _open_runs.add(self)
        _install_hooks()

    # --- logging (the hot path) ---------------------------------------------------------------
    def log(self, values: dict | None = None, /, step: int | None = None, **scalars: Any) -> None:
        """Scalars at ``step`` (default: the previous step + 1). Values: int, float, None, a
        one-element tensor or numpy value; NaN/inf are written as null. Names: see check_name."""
        if self._finished:
            raise TrackError(t("track.finished", run=self.id, what="log()"))
        if values is not None:
            scalars = {**values, **scalars}
        if not self._names.issuperset(scalars):
            for name in scalars:
                self._names.add(R.check_name(name))
        for name, value in scalars.items():
            if type(value) is not float and type(value) is not int:
                scalars[name] = R.prepare(name, value)
        if step is None:
            step = self._step + 1
        elif type(step) is not int:
            step = self._as_step(step)
        self._step = step
        self._pending.append((step, _time(), scalars))
        if len(self._pending) >= MAX_PENDING:
            self.flush()

    @staticmethod
    def _as_step(step: Any) -> int:
        try:
            value = step.item() if hasattr(step, "item") else step
            if isinstance(value, bool) or int(value) != value:
                raise ValueError
            return int(value)
        except (TypeError, ValueError, OverflowError):
            raise TrackError(t("track.step", step=repr(step)[:40])) from None

    def epoch(self, n: int, /, **metrics: Any) -> None:
        """Metrics of epoch ``n`` (1-based). ``test_accuracy`` (0..1), when given, is the run's
        accuracy in ``nnlab runs``."""
        if self._finished:
            raise TrackError(t("track.finished", run=self.id, what="epoch()"))
        n = self._as_step(n)
        values = {R.check_name(k): R.number(R.prepare(k, v)) for k, v in metrics.items()}
        self.flush()
        self._epoch = n
        if isinstance(values.get("test_accuracy"), (int, float)):
            self._test_accuracy = float(values["test_accuracy"])
        self._write({"event": R.EPOCH, "epoch": n, "step": self._step, "values": values})
        self._progress()

    def confusion(self, matrix: Any, labels: Any = None, *, step: int | None = None, epoch: int | None = None) -> None:
        """A confusion matrix [true][predicted] (counts), with class labels (default "0".."k-1")."""
        if self._finished:
            raise TrackError(t("track.finished", run=self.id, what="confusion()"))
        record = R.confusion_record(
            matrix,
            labels,
            self._step if step is None else self._as_step(step),
            self._epoch if epoch is None else self._as_step(epoch),
        )
        self.flush()
        self._write(record)

    def images(self, images: Any, key: str = "images", *, step: int | None = None, captions: Any = None) -> None:
        """Small uint8 images (see records.image_array for the shapes), stored as raw NHWC bytes
        in ``media/`` next to the log; the record names the file and the shape."""
        if self._finished:
            raise TrackError(t("track.finished", run=self.id, what="images()"))
        key = R.check_name(key)
        data, shape = R.image_array(images)
        names = None if captions is None else [str(c)[:200] for c in captions]
        if names is not None and len(names) != shape[0]:
            raise TrackError(t("track.images.captions", captions=len(names), images=shape[0]))
        self._images += 1
        rel = f"{R.MEDIA_DIR}/images-{self._images:06d}.u8"
        step = self._step if step is None else self._as_step(step)
        self.flush()
        try:  # the pixels first (temp + rename, no fsync), then the record naming them
            media = self.path / R.MEDIA_DIR
            media.mkdir(mode=0o700, exist_ok=True)
            tmp = media / f".images-{self._images:06d}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, self.path / rel)
        except OSError as error:
            self._disk_error(error)
            return
        self._write(
            {
                "event": R.IMAGES,
                "step": step,
                "key": key,
                "file": rel,
                "shape": shape,
                "dtype": "uint8",
                "captions": names,
            }
        )

    # --- steering ---------------------------------------------------------------------------
    def should_stop(self) -> bool:
        """True once a viewer (or ``nnlab ctl stop``) asked the run to stop."""
        return self.control._stopped

    def wait_if_paused(self) -> bool:
        """Block while a viewer has paused the run (a single-step request lets one step through
        and comes back here paused); True when it waited. A save asked for while paused calls
        ``on_save`` (given to init) at once, else ``save_requested()`` says so after."""
        control = self.control
        if not control._paused or control._stopped:
            return False
        self.flush()
        self._emit(Paused(epoch=self._epoch, batch=self._step))
        while True:
            action = control._next_action()
            if action != "save":
                break
            self._save_now()
        if action == "run":
            self._emit(Resumed())
        return True

    def save_requested(self) -> bool:
        """True once per save request from a viewer: the script saves, then may call ``saved(path)``."""
        if self.control.save_requested or self._save_pending:
            self.control.save_requested = self._save_pending = False
            return True
        return False

    def saved(self, path: str | os.PathLike) -> None:
        """Tell viewers a checkpoint was written (a ``saved`` event)."""
        self.flush()
        self._emit(Saved(path=os.fspath(path), epoch=self._epoch, batch=self._step))

    def _request_save(self) -> bool:
        self.control.request_save()
        return True

    def _save_now(self) -> None:
        if self.on_save is None:
            self._save_pending = True
            return
        try:
            where = self.on_save()
        except Exception as error:  # noqa: BLE001 - the script's save failed: say so, keep the run
            self._say(t("track.save_failed", run=self.id, why=f"{type(error).__name__}: {error}"[:200]))
            return
        if where:
            self.saved(where)

    def _status(self) -> dict:
        return {"kind": "track", "step": self._step, "epoch": self._epoch}

    # --- writing ------------------------------------------------------------------------------
    def flush(self) -> None:
        """Write every pending record now (one write(), no fsync). Converts deferred tensors:
        the one device sync of the batch, when any."""
        pending = self._pending
        if not pending:
            return
        with self._flush_lock:
            pop, lines = pending.popleft, []
            templates = self._templates
            try:
                while pending:
                    step, when, values = pop()
                    keys = tuple(values)
                    plan = templates.get(keys)
                    if plan is None:
                        plan = templates[keys] = _template(keys)
                    body = plan[0] % tuple(values.values())
                    if body.count("n") + body.count("N") != plan[1]:  # nan, inf, None or a tensor in it
                        body = _dumps(R.clean_values(values))
                    lines.append(_LINE % (step, when, body))
            except Exception as error:  # noqa: BLE001 - never into training: reported once
                self._report(error)
            if lines:
                self._write_lines(lines)

    def _write_lines(self, lines: list[str]) -> None:
        if self._append_line is not None:
            for start in range(0, len(lines), 512):
                self._append_line("\n".join(lines[start : start + 512]))
        else:  # a RunWriter without the private batch path: one record at a time
            for line in lines:
                self._writer.append(json.loads(line))

    def _write(self, record: dict) -> None:
        record.setdefault("t", round(_time(), 3))
        self._writer.append(record)

    def _emit(self, event) -> None:
        with contextlib.suppress(Exception):
            self._writer(event)

    def _progress(self) -> None:
        """Epochs and accuracy into status.json (``nnlab runs``). RunWriter has no public way
        yet for a run that is not the engine's: its fields, guarded."""
        w = self._writer
        try:
            with w._status_mutex:
                w._status["epochs"] = self._epoch
                if self._test_accuracy is not None:
                    w._status["test_accuracy"] = self._test_accuracy
                w._status_dirty = True
                w._write_status()
        except Exception:  # noqa: BLE001 - status is a convenience; the log has it all
            pass

    def _flush_loop(self) -> None:
        while not self._wake.wait(FLUSH_EVERY_S):
            try:
                self.flush()
            except Exception as error:  # noqa: BLE001
                self._report(error)

    def _report(self, error: BaseException) -> None:
        if not self._reported:
            self._reported = True
            self._say(t("track.write_failed", run=self.id, why=f"{type(error).__name__}: {error}"[:200]))

    def _disk_error(self, error: OSError) -> None:
        self._report(error)

    def _say(self, text: str) -> None:
        with contextlib.suppress(Exception):
            print(text, file=sys.stderr, flush=True)

    # --- the end ------------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self._finished

    def finish(self, error: str | None = None) -> None:
        """Write what is pending and the final event; close the control socket and the log.
        ``error``: end the run as failed with this text. A second call does nothing."""
        self._end(error)

    def _fail_with(self, error: BaseException, tb=None) -> None:
        if isinstance(error, KeyboardInterrupt):
            self.control.stop()  # Ctrl-C: the run stopped, it did not fail
            return self._end(None)
        detail = "".join(traceback.format_exception(type(error), error, tb or error.__traceback__))[-8000:]
        self._end(f"{type(error).__name__}: {error}", detail)

    def _end(self, error: str | None, detail: str = "") -> None:
        with self._flush_lock:
            if self._finished:
                return
            self._finished = True
        self._wake.set()
        if threading.current_thread() is not self._flusher:
            self._flusher.join(timeout=2.0)
        with contextlib.suppress(Exception):
            self.flush()
        seconds = round(time.monotonic() - self._started, 3)
        if error is not None:
            self._emit(Failed(message=str(error)[:2000], detail=detail))
        else:
            stopped = self.control.stopped
            self._emit(
                Finished(
                    epochs=self._epoch,
                    stopped=stopped,
                    test_accuracy=self._test_accuracy,
                    seconds=seconds,
                    reason="stopped" if stopped else "completed",
                )
            )
        self._progress()
        if self._server is not None:
            with contextlib.suppress(Exception):
                self._server.close()
        with contextlib.suppress(Exception):
            self._writer.close()
        _open_runs.discard(self)

    def __enter__(self) -> Run:
        return self

    def __exit__(self, kind, value, tb) -> None:
        if value is None:
            self.finish()
        else:
            self._fail_with(value, tb)

    def __repr__(self) -> str:
        return f"<nnlab.track.Run {self.id} name={self.name!r} path={str(self.path)!r}>"


def init(
    name: str = "",
    config: Any = None,
    runs_dir: str | os.PathLike | None = None,
    *,
    on_save: Callable[[], Any] | None = None,
    steer: bool = True,
    quiet: bool = False,
) -> Run:
    """A new tracked run (kind "track") in a new directory under ``runs_dir`` (default: $NNLAB_RUNS_DIR,
    else ./runs). Each call makes a new, independent run. RunDirError (one line) when the
    directory cannot be made."""
    if not isinstance(name, str):
        raise TrackError(t("track.run_name", type=type(name).__name__))
    name = name.strip()[: R.MAX_NAME] or Path(sys.argv[0] or "python").stem or "python"
    config_dict = R.plain(config if config is not None else {})
    if not isinstance(config_dict, dict):
        config_dict = {"value": config_dict}
    rd = RunDir.create(runs_dir, config_dict, kind="track", name=name)
    holder: list[Run] = []

    def on_error(error: OSError) -> None:
        if holder:
            holder[0]._report(error)
        else:
            print(t("track.write_failed", run=rd.id, why=error.strerror or error), file=sys.stderr)

    writer = rd.writer(on_error=on_error)
    run = Run(rd, writer, on_save=on_save, steer=steer, quiet=quiet)
    holder.append(run)
    if not quiet:
        run._say(t("track.started", run=rd.id, name=name, path=rd.path))
    return run
