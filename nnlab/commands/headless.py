"""`nnlab train --headless`: the engine printing the tutorial's lines, plus speed and a summary.

Every run trains in a run directory (``nnlab.run.rundir``): its events go to events.jsonl,
its printed lines also to output.log, its checkpoint to checkpoint.pt (with ``--save FILE`` the
engine writes FILE, as before, and checkpoint.pt is kept as a hard link or copy of it), and
a control socket lets ``nnlab ctl`` / ``nnlab watch`` steer it. On every exit it says where the
checkpoint is and how to resume and watch the run."""

from __future__ import annotations

import math
import os
import signal
import sys
import threading

from nnlab.commands.run_output import AppendCsv, AppendJsonl, Checkpoints, Hangup, Tee, open_log, same_file
from nnlab.commands.usage import UsageError, say
from nnlab.i18n import t
from nnlab.run.config import ConfigError, TrainConfig
from nnlab.run.events import BatchProgress, EpochEnd, Failed, Finished, SaveFailed
from nnlab.run.writers import JsonlWriter

EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Printer:
    """Turns events into the tutorial's output (stdout) and problems (stderr)."""

    def __init__(self, out=None, err=None, on_out_gone=None):
        self.out, self.err = out or sys.stdout, err or sys.stderr
        self.epoch_shown = 0
        self.last = None
        self.started = None
        self.on_out_gone = on_out_gone  # called once when stdout breaks (a closed pipe, a full disk)
        self.out_gone: str | None = None

    def _write(self, stream, text: str) -> None:
        """Never raises (case 14): a stdout that went away stops the run through ``on_out_gone``,
        which then still writes its stop-save; a line for a dead stderr is dropped."""
        if stream is None or (stream is self.out and self.out_gone is not None):
            return
        try:
            stream.write(text + "\n")
        except UnicodeEncodeError:
            encoding = getattr(stream, "encoding", None) or "ascii"
            self._write(stream, text.encode(encoding, "backslashreplace").decode(encoding, "replace"))
        except (OSError, ValueError, AttributeError) as error:
            self._gone(stream, error)

    def _gone(self, stream, error: BaseException) -> None:
        if stream is not self.out:
            return
        self.out_gone = getattr(error, "strerror", None) or type(error).__name__
        say(t("cli.error", message=t("err.stdout_gone", why=self.out_gone)), self.err)
        if self.on_out_gone is not None:
            self.on_out_gone()

    def flush(self) -> None:
        if self.out_gone is None:
            try:
                self.out.flush()
            except (OSError, ValueError, AttributeError) as error:
                self._gone(self.out, error)

    def __call__(self, event) -> None:
        kind = event.KIND
        if kind == "started":
            self.started = event
            self._write(
                self.out, t("train.cli.using", device=event.device, threads=event.threads, mode=event.step_mode)
            )
            if event.data_source == "sample":
                self._write(
                    self.out, t("train.data.sample_notice", train=f"{event.train_size:,}", test=f"{event.test_size:,}")
                )
            else:
                self._write(
                    self.out,
                    t(
                        "train.cli.data",
                        source=event.data_source,
                        train=f"{event.train_size:,}",
                        test=f"{event.test_size:,}",
                    ),
                )
            self._write(
                self.out,
                t(
                    "train.cli.model",
                    params=f"{event.parameters:,}",
                    hidden="-".join(map(str, event.config["hidden"])),
                    activation=event.config["activation"],
                    optimizer=event.config["optimizer"],
                    lr=f"{event.config['lr']:g}",
                    batch=event.config["batch_size"],
                ),
            )
            if event.start_epoch:
                self._write(self.out, t("train.cli.resumed", epoch=event.start_epoch))
            if event.note:
                self._write(self.err, event.note)
            self._write(self.out, "")
        elif kind == "batch":
            self._header(event.epoch)
            self._write(self.out, f"loss: {event.loss:>7f}  [{event.samples_seen:>5d}/{self.started.train_size:>5d}]")
        elif kind == "epoch":
            self._header(event.epoch)
            self._write(
                self.out,
                t("train.cli.test_error", accuracy=f"{100 * event.test_accuracy:>0.1f}", loss=f"{event.test_loss:>8f}"),
            )
            self._write(
                self.out,
                t(
                    "train.cli.speed",
                    epoch=event.epoch,
                    seconds=f"{event.seconds:.2f}",
                    train=f"{event.seconds - event.eval_seconds:.2f}",
                    rate=f"{event.samples_per_s:,.0f}",
                    test=f"{event.eval_seconds:.2f}",
                    train_loss=f"{event.train_loss:.6f}",
                ),
            )
            self._write(self.out, "")
        elif kind in ("diverged", "save_failed"):
            self._write(self.err, event.message)
        elif kind == "failed":
            self._write(self.err, t("cli.error", message=event.message))
        elif kind == "finished":
            self.last = event
        self.flush()

    def _header(self, epoch: int) -> None:
        if epoch != self.epoch_shown:
            self.epoch_shown = epoch
            self._write(self.out, t("train.cli.epoch", epoch=epoch) + "\n-------------------------------")


class _Signals:
    """SIGINT/SIGTERM set the stop flag (the loop stops at the next batch boundary and saves;
    a second signal changes nothing); SIGHUP (a dropped SSH link) only cuts the terminal off:
    the run goes on, its output in output.log. Installed only on the main thread."""

    def __init__(self, control) -> None:
        self.control, self.caught, self.hup = control, [], Hangup()
        self.previous: dict = {}

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            self.previous = {s: signal.signal(s, self._stop) for s in EXIT_SIGNAL}
            self.previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, self._hang_up)
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def _stop(self, signum, frame) -> None:  # only sets flags
        if not self.caught:
            self.caught.append(signum)
        self.control.stop()

    def _hang_up(self, signum, frame) -> None:  # the terminal is gone, the run is not
        self.hup.hang_up("SIGHUP")


def _prepare(args, config: TrainConfig, overrides: dict):
    """(config, start_epoch, data) checked before any work, or an exit code: the checkpoint's
    config under the flags given (with --resume), the device, the data, the memory estimate.
    A bad value is a UsageError (exit 2); missing data without --data-dir is exit 1."""
    from nnlab.run.errors import DeviceError
    from nnlab.train import checkpoint as ckpt
    from nnlab.train import data as data_mod
    from nnlab.train import memory
    from nnlab.train.device import resolve_device

    start_epoch = 0
    if args.resume:
        try:
            saved = ckpt.load(args.resume)
        except ckpt.CheckpointError as error:
            raise UsageError(str(error)) from None
        config = saved["config_obj"].with_(**overrides)
        start_epoch = int(saved.get("epoch") or 0)
    try:
        device = resolve_device(config.device)
        location = data_mod.locate(args.data_dir)
        config.validate(train_size=location.train_size or None)
        memory.check_fits(config, location.train_size, location.test_size, device)
    except (DeviceError, ConfigError) as error:
        raise UsageError(str(error)) from None
    except data_mod.DataError as error:
        if args.data_dir:  # a --data-dir that does not hold the data is a bad value
            raise UsageError(str(error)) from None
        say(t("cli.error", message=str(error)))
        return 1
    try:
        data = data_mod.load(args.data_dir)
    except data_mod.DataError as error:
        say(t("cli.error", message=str(error)))
        return 1
    return config, start_epoch, data


class _Fanout:
    """The engine's one ``emit``: every event to the checkpoint copies, the run directory, the
    printer and the exports, noting what the saves did (so the summary never claims a
    checkpoint a failed save did not write) and where the run is (for ``nnlab ctl status``)."""

    def __init__(self, checkpoints, run_writer, printer, writers, control, on_error: str) -> None:
        self.checkpoints, self.run_writer, self.printer = checkpoints, run_writer, printer
        self.writers, self.control, self.on_error = writers, control, on_error
        self.saves = {"failed_now": False, "last_failed": False, "any_ok": False}
        self.at = {"epoch": 0, "batch": 0}
        self.export_failed: list[str] = []

    def failed(self, path) -> None:
        """An output could not be written: with --on-save-error stop the run stops (exit 1)."""
        if self.on_error == "stop":
            self.export_failed.append(str(path))
            self.control.stop()

    def log_failed(self, error: OSError) -> None:  # the event log could not be appended (disk full)
        path = error.filename or "events.jsonl"
        say(t("runs.append_failed", path=path, why=error.strerror or error))
        self.failed(path)

    def __call__(self, event) -> None:
        saves = self.saves
        match event:
            case SaveFailed():
                saves["failed_now"] = True
            case EpochEnd():  # the save of this epoch end came just before
                saves["last_failed"], saves["failed_now"] = saves["failed_now"], False
                saves["any_ok"] = saves["any_ok"] or not saves["last_failed"]
            case Finished() | Failed() if saves["failed_now"]:  # the stop-save failed
                saves["last_failed"] = True
            case BatchProgress():
                self.at["epoch"], self.at["batch"] = event.epoch, event.batch
        self.checkpoints.after(event)
        self.run_writer(event)
        self.printer(event)
        for writer in self.writers:
            if isinstance(writer, JsonlWriter) and writer.failed:
                continue  # reported once; the live log is incomplete from there (the CSV retries)
            try:
                writer(event)
            except OSError as error:  # CSV: the previous file is intact (atomic); JSONL: lines lost
                key = "err.jsonl_failed" if isinstance(writer, JsonlWriter) else "safe.export_failed"
                say(t(key, path=writer.path, why=error.strerror or error))
                self.failed(writer.path)


def await_handoff(args) -> int | None:
    """A child of the app's overlapped hand-off (``--handoff FD``, nnlab.run.handoff): do the
    slow start-up while the app still trains (torch, the engine's modules, the data: memoised,
    so ``_prepare`` finds it loaded), say "ready", then wait for "go", which brings the run's
    lock (``args.lock_fd``). The parent letting go first ends this process quietly (exit 0).
    An exit code (after one line in output.log) when the start-up fails: the app trains on."""
    from nnlab.run.handoff import HandoffChild

    child = HandoffChild(args.handoff)  # first: from here an abandoned hand-off exits at once
    from nnlab.run import control_server  # noqa: F401 - imported now, not after "go"
    from nnlab.train import checkpoint, engine, memory  # noqa: F401
    from nnlab.train import data as data_mod
    from nnlab.train.device import resolve_device  # noqa: F401

    try:
        data_mod.load(args.data_dir)
    except data_mod.DataError as error:
        say(t("cli.error", message=str(error)))
        return 1
    args.lock_fd = child.ready()
    args.handoff_child = child
    return None


def run_headless(args, config: TrainConfig, overrides: dict, progress_every: int) -> int:
    """Train in this process, in a run directory (see ``nnlab.commands.run_output`` for the
    terminal side): SIGINT/SIGTERM stop at the next batch boundary and save (130/143); SIGHUP
    (a dropped SSH link) leaves the run going, its output only in output.log from then on."""
    from nnlab.run.control import Control
    from nnlab.train import engine

    control = Control()
    streams = (sys.stdout, sys.stderr)
    opened: list = []  # the run's writer, control server and log: closed last, in reverse
    with _Signals(control) as signals:
        try:
            prepared = _prepare(args, config, overrides)
            if isinstance(prepared, int):
                return prepared
            config, start_epoch, data = prepared
            if signals.caught:
                return EXIT_SIGNAL[signals.caught[0]]
            on_error = getattr(args, "on_save_error", None) or "stop"
            writers = _exports(args, start_epoch)
            if writers is None:
                return 1
            fanout = _Fanout(None, None, None, writers, control, on_error)
            rd, fanout.run_writer = open_run(args, config, fanout.log_failed)
            opened.append(fanout.run_writer)
            if getattr(args, "handoff_child", None) is not None:
                args.handoff_child.took()  # the app's hand-off: this process writes the run now
            out_tee, err_tee = _tee(rd, signals.hup, opened)
            sys.stdout, sys.stderr = out_tee, err_tee
            fanout.printer = printer = Printer(out=out_tee, err=err_tee, on_out_gone=control.stop)
            save_path = args.save or str(rd.checkpoint_path)
            fanout.checkpoints = Checkpoints(rd, save_path, bool(getattr(args, "epoch_checkpoints", False)), say)
            fanout.at["epoch"] = start_epoch
            opened.append(_serve(rd, control, fanout.run_writer, fanout.at, config))
            finished = engine.run(
                config,
                data,
                fanout,
                control,
                save_path=save_path,
                resume_path=args.resume,
                progress_every=progress_every,
                save_errors=on_error,
            )
            for writer in writers:
                writer.close()
            code = _summary(finished, args, signals.caught, printer, fanout.saves, save_path, rd)
            failed = finished.reason in ("failed", "diverged") or fanout.saves["last_failed"]
            _where(rd, save_path, failed, err_tee)
            if fanout.export_failed:
                return 1
            if printer.out_gone is not None and code in (0, 130):
                return 1  # stopped because stdout went away: the run did not do what was asked
            return code
        finally:
            sys.stdout, sys.stderr = streams
            for thing in reversed(opened):
                if thing is not None:
                    thing.close()


def open_run(args, config: TrainConfig, on_error):
    """(RunDir, RunWriter) of this run: the one named by --run-dir (a detached child) or by
    --resume RUN, else a new one under the runs root. UsageError (exit 2) when another process
    writes it or no run directory can be made."""
    from nnlab.run.rundir import RunDir
    from nnlab.run.rundir_common import RunDirError

    try:
        if getattr(args, "run_dir", None):
            rd = RunDir.open(args.run_dir)
        elif getattr(args, "resume_run", None):
            rd = RunDir.open(args.resume_run)
        else:
            try:
                rd = RunDir.create(
                    getattr(args, "runs_dir", None), config, kind="nnlab", name=getattr(args, "name", None) or ""
                )
            except RunDirError as error:
                raise UsageError(t("runs.cli.create_hint", message=str(error))) from None
        writer = rd.writer(on_error=on_error, lock_fd=getattr(args, "lock_fd", None))
    except RunDirError as error:
        raise UsageError(str(error)) from None
    try:
        rd = rd.update_config(config)
        writer.rd = rd
    except OSError:
        pass  # run.json keeps the config it was made with; the events carry the new one
    return rd, writer


def _tee(rd, hup: Hangup, opened: list) -> tuple[Tee, Tee]:
    try:
        log = open_log(rd.output_log)
    except OSError as error:
        say(t("runs.cli.no_log", path=rd.output_log, why=error.strerror or error))
        log = None
    opened.append(log)
    hup.log = log
    out = Tee(sys.stdout, None if same_file(sys.stdout, rd.output_log) else log, hup)
    err = Tee(sys.stderr, None if same_file(sys.stderr, rd.output_log) else log, hup)
    return out, err


def _exports(args, start_epoch: int) -> list | None:
    """The --metrics / --csv writers; on a resume an existing file is continued, not replaced
    (--force replaces it). None (after one line) when one cannot even be created."""
    from nnlab.run.writers import CsvWriter

    append = bool(args.resume) and not args.force
    writers: list = []
    try:  # an output that cannot even be created is reported before any training
        if args.metrics:
            keep = append and os.path.isfile(args.metrics)
            writers.append(AppendJsonl(args.metrics) if keep else JsonlWriter(args.metrics))
        if args.csv:
            keep = append and os.path.isfile(args.csv)
            writers.append(AppendCsv(args.csv, start_epoch) if keep else CsvWriter(args.csv))
    except OSError as error:
        for writer in writers:
            writer.close()
        failed = args.csv if args.metrics and writers else args.metrics or args.csv
        say(t("cli.error", message=t("safe.export_failed", path=_shown(error, failed), why=error.strerror or error)))
        return None
    return writers


def _serve(rd, control, run_writer, at: dict, config: TrainConfig):
    """The run's control socket (pause/resume/step/stop/save from any terminal of its owner);
    None, after one line, when it cannot be served: the run goes on unsteerable."""
    from nnlab.run.control_server import ControlServer
    from nnlab.run.rundir_common import RunDirError

    def status() -> dict:
        return {
            "state": "paused" if control.paused else run_writer.state,
            "epoch": at["epoch"],
            "batch": at["batch"],
            "epochs": config.epochs,
        }

    try:
        return ControlServer(rd, control, on_save=control.request_save, on_status=status).start()
    except (RunDirError, OSError) as error:
        say(t("runs.cli.no_steering", run=rd.id, why=getattr(error, "strerror", None) or error))
        return None


def run_ref(rd) -> str:
    """How a person names this run on the command line: its id under the default runs root,
    else its directory."""
    from nnlab.run.rundir_common import runs_root

    try:
        if runs_root(None).resolve() == rd.path.resolve().parent:
            return rd.id
    except OSError:
        pass
    return str(rd.path)


def _where(rd, save_path: str, say_checkpoint: bool, stream) -> None:
    """On every exit: the run, its checkpoint (the summary names it after a good save), and
    the commands to resume and to watch it."""
    ref = run_ref(rd)
    say(t("runs.cli.where", run=rd.id, path=rd.path), stream)
    if say_checkpoint:
        say(t("runs.cli.checkpoint" if os.path.exists(save_path) else "runs.cli.no_checkpoint", path=save_path), stream)
    say(t("runs.cli.next", ref=ref), stream)


def _shown(error: OSError, fallback) -> str:
    return os.fsdecode(error.filename) if error.filename is not None else str(fallback)


def _summary(finished, args, caught: list[int], printer: Printer, saves: dict, save_path: str, rd) -> int:
    out = lambda text: printer._write(printer.out, text)  # noqa: E731 - never raises
    if finished.reason == "failed":
        return 1
    if finished.reason == "diverged":
        say(t("train.cli.diverged_exit"))
        return 1
    if finished.reason == "completed":
        out(t("train.cli.done"))
    elif finished.reason == "early-stopped":
        out(
            t(
                "train.cli.early_stopped",
                epochs=finished.epochs,
                patience=getattr(printer.started, "config", {}).get("early_stop", "?") if printer.started else "?",
            )
        )
    accuracy = (
        "—"
        if finished.test_accuracy is None or math.isnan(finished.test_accuracy)
        else f"{100 * finished.test_accuracy:.1f}%"
    )
    out(t("train.cli.summary", epochs=finished.epochs, seconds=f"{finished.seconds:.1f}", accuracy=accuracy))
    save_lost = saves["last_failed"]
    if not save_lost and os.path.exists(save_path):
        out(t("train.cli.saved", path=save_path))
    if args.metrics or args.csv:
        out(t("train.cli.metrics_written", paths=", ".join(p for p in (args.metrics, args.csv) if p)))
    printer.flush()
    if save_lost:  # case 12: never "checkpoint: FILE" when FILE holds an older epoch (or nothing)
        state = "err.save_state_old" if os.path.exists(save_path) else "err.save_state_none"
        say(t("cli.error", message=t("err.save_not_written", path=save_path, state=t(state))))
    if finished.reason == "stopped":
        name = signal.Signals(caught[0]).name if caught else t("runs.cli.stop_request")
        resume = f" --resume {args.save if args.save else run_ref(rd)}" if not save_lost else ""
        say(t("train.cli.stopped", signal=name, resume=resume))
        return EXIT_SIGNAL.get(caught[0], 130) if caught else 130
    return 1 if save_lost else 0
