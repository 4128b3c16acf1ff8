"""`nnlab train --headless`: the engine printing the tutorial's lines, plus speed and a summary.

Every run trains in a run directory (``nnlab.run.rundir``): its events go to events.jsonl,
its printed lines also to output.log, its checkpoint to checkpoint.pt (with ``--save FILE`` the
engine writes FILE, as before, and checkpoint.pt is kept as a hard link or copy of it), and
a control socket lets ``nnlab ctl`` / ``nnlab watch`` steer it. On every exit it says where the
checkpoint is and how to resume and watch the run.

Where the parts live: the signals in ``headless_signals``, the checks before any work in
``headless_checks``, the fan-out and the run's outputs (run directory, output.log, control
socket) in ``headless_outputs``, the printed lines (each event, the summary, where the run is) in
``headless_printer``."""

from __future__ import annotations

import sys

from nnlab.commands.headless_checks import exports, prepare
from nnlab.commands.headless_outputs import Fanout, open_run, serve, tee
from nnlab.commands.headless_printer import Printer, summary, where
from nnlab.commands.headless_signals import EXIT_SIGNAL, Signals
from nnlab.commands.run_output import Checkpoints
from nnlab.commands.usage import say
from nnlab.i18n import t
from nnlab.run.config import TrainConfig


def await_handoff(args) -> int | None:
    """A child of the app's overlapped hand-off (``--handoff FD``, nnlab.run.handoff): do the
    slow start-up while the app still trains (torch, the engine's modules, the data: memoised,
    so ``headless_checks.prepare`` finds it loaded), say "ready", then wait for "go", which
    brings the run's lock (``args.lock_fd``). The parent letting go first ends this process
    quietly (exit 0). An exit code (after one line in output.log) when the start-up fails: the app trains on."""
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
    with Signals(control) as signals:
        try:
            prepared = prepare(args, config, overrides)
            if isinstance(prepared, int):
                return prepared
            config, start_epoch, data = prepared
            if signals.caught:
                return EXIT_SIGNAL[signals.caught[0]]
            on_error = getattr(args, "on_save_error", None) or "stop"
            writers = exports(args, start_epoch)
            if writers is None:
                return 1
            fanout = Fanout(None, None, None, writers, control, on_error)
            rd, fanout.run_writer = open_run(args, config, fanout.log_failed)
            opened.append(fanout.run_writer)
            if getattr(args, "handoff_child", None) is not None:
                args.handoff_child.took()  # the app's hand-off: this process writes the run now
            out_tee, err_tee = tee(rd, signals.hup, opened)
            sys.stdout, sys.stderr = out_tee, err_tee
            fanout.printer = printer = Printer(out=out_tee, err=err_tee, on_out_gone=control.stop)
            save_path = args.save or str(rd.checkpoint_path)
            fanout.checkpoints = Checkpoints(rd, save_path, bool(getattr(args, "epoch_checkpoints", False)), say)
            fanout.at["epoch"] = start_epoch
            opened.append(serve(rd, control, fanout.run_writer, fanout.at, config))
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
            code = summary(finished, args, signals.caught, printer, fanout.saves, save_path, rd)
            failed = finished.reason in ("failed", "diverged") or fanout.saves["last_failed"]
            where(rd, save_path, failed, err_tee)
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
