"""Where a headless run's events go: the fan-out, the run directory, the tee to output.log, the control socket."""

from __future__ import annotations

import sys

from nnlab.commands.run_output import Hangup, Tee, open_log, same_file
from nnlab.commands.usage import UsageError, say
from nnlab.i18n import t
from nnlab.run.config import TrainConfig
from nnlab.run.events import BatchProgress, EpochEnd, Failed, Finished, SaveFailed
from nnlab.run.writers import JsonlWriter


class Fanout:
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


def tee(rd, hup: Hangup, opened: list) -> tuple[Tee, Tee]:
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


def serve(rd, control, run_writer, at: dict, config: TrainConfig):
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
