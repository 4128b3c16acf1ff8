"""`nnlab train --headless`: the engine printing the tutorial's lines, plus speed and a summary."""

from __future__ import annotations

import math
import signal
import sys
import threading

from nnlab.commands.usage import UsageError
from nnlab.i18n import t
from nnlab.run.config import ConfigError, TrainConfig

EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Printer:
    """Turns events into the tutorial's output (stdout) and problems (stderr)."""

    def __init__(self, out=None, err=None):
        self.out, self.err = out or sys.stdout, err or sys.stderr
        self.epoch_shown = 0
        self.last = None
        self.started = None

    def __call__(self, event) -> None:
        kind = event.KIND
        if kind == "started":
            self.started = event
            print(t("train.cli.using", device=event.device, threads=event.threads, mode=event.step_mode), file=self.out)
            if event.data_source == "sample":
                print(t("train.data.sample_notice", train=f"{event.train_size:,}", test=f"{event.test_size:,}"),
                      file=self.out)
            else:
                print(t("train.cli.data", source=event.data_source, train=f"{event.train_size:,}",
                        test=f"{event.test_size:,}"), file=self.out)
            print(t("train.cli.model", params=f"{event.parameters:,}", hidden="-".join(map(str, event.config["hidden"])),
                    activation=event.config["activation"], optimizer=event.config["optimizer"],
                    lr=f"{event.config['lr']:g}", batch=event.config["batch_size"]), file=self.out)
            if event.start_epoch:
                print(t("train.cli.resumed", epoch=event.start_epoch), file=self.out)
            if event.note:
                print(event.note, file=self.err)
            print(file=self.out)
        elif kind == "batch":
            self._header(event.epoch)
            print(f"loss: {event.loss:>7f}  [{event.samples_seen:>5d}/{self.started.train_size:>5d}]", file=self.out)
        elif kind == "epoch":
            self._header(event.epoch)
            print(t("train.cli.test_error", accuracy=f"{100 * event.test_accuracy:>0.1f}",
                    loss=f"{event.test_loss:>8f}"), file=self.out)
            print(t("train.cli.speed", epoch=event.epoch, seconds=f"{event.seconds:.2f}",
                    train=f"{event.seconds - event.eval_seconds:.2f}", rate=f"{event.samples_per_s:,.0f}",
                    test=f"{event.eval_seconds:.2f}", train_loss=f"{event.train_loss:.6f}"), file=self.out)
            print(file=self.out)
        elif kind in ("diverged", "save_failed"):
            print(event.message, file=self.err)
        elif kind == "failed":
            print(t("cli.error", message=event.message), file=self.err)
        elif kind == "finished":
            self.last = event
        self.out.flush()

    def _header(self, epoch: int) -> None:
        if epoch != self.epoch_shown:
            self.epoch_shown = epoch
            print(t("train.cli.epoch", epoch=epoch) + "\n-------------------------------", file=self.out)


def run_headless(args, config: TrainConfig, overrides: dict, progress_every: int) -> int:
    from nnlab.train import checkpoint as ckpt
    from nnlab.train import data as data_mod
    from nnlab.run.control import Control
    from nnlab.run.errors import DeviceError
    from nnlab.run.writers import CsvWriter, JsonlWriter
    from nnlab.train import engine, memory
    from nnlab.train.device import resolve_device

    control = Control()
    caught: list[int] = []

    def on_signal(signum, frame):  # only sets flags: the loop stops at the next batch boundary
        if not caught:  # a second signal changes nothing: the stop (and its save) is under way
            caught.append(signum)
        control.stop()

    in_main = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, on_signal) for s in EXIT_SIGNAL} if in_main else {}
    try:
        if args.resume:  # the checkpoint's config, with the flags given on the command line on top
            try:
                saved = ckpt.load(args.resume)
            except ckpt.CheckpointError as error:
                raise UsageError(str(error)) from None
            config = saved["config_obj"].with_(**overrides)
        try:
            device = resolve_device(config.device)
            location = data_mod.locate(args.data_dir)
            config.validate(train_size=location.train_size or None)
        except (DeviceError, ConfigError) as error:
            raise UsageError(str(error)) from None
        except data_mod.DataError as error:
            if args.data_dir:  # a --data-dir that does not hold the data is a bad value
                raise UsageError(str(error)) from None
            print(t("cli.error", message=str(error)), file=sys.stderr)
            return 1
        try:
            memory.check_fits(config, location.train_size, location.test_size, device)
        except ConfigError as error:
            raise UsageError(str(error)) from None
        try:
            data = data_mod.load(args.data_dir)
        except data_mod.DataError as error:
            print(t("cli.error", message=str(error)), file=sys.stderr)
            return 1
        if caught:
            return EXIT_SIGNAL[caught[0]]
        printer = Printer()
        writers = []
        try:  # an output that cannot even be created is reported before any training
            if args.metrics:
                writers.append(JsonlWriter(args.metrics))
            if args.csv:
                writers.append(CsvWriter(args.csv))
        except OSError as error:
            print(t("cli.error", message=t("safe.export_failed", path=error.filename or args.csv or args.metrics,
                                           why=error.strerror or error)), file=sys.stderr)
            return 1
        on_error = getattr(args, "on_save_error", None) or "stop"
        export_failed: list[str] = []

        def emit(event) -> None:
            printer(event)
            for writer in writers:
                try:
                    writer(event)
                except OSError as error:  # the previous file is intact (atomic) or the line is lost
                    print(t("safe.export_failed", path=writer.path, why=error.strerror or error), file=sys.stderr)
                    if on_error == "stop":
                        export_failed.append(str(writer.path))
                        control.stop()

        finished = engine.run(config, data, emit, control, save_path=args.save, resume_path=args.resume,
                              progress_every=progress_every, save_errors=on_error)
        for writer in writers:
            writer.close()
        if export_failed:
            return 1
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return _summary(finished, args, caught)


def _summary(finished, args, caught: list[int]) -> int:
    if finished.reason == "failed":
        return 1
    if finished.reason == "diverged":
        print(t("train.cli.diverged_exit"), file=sys.stderr)
        return 1
    if finished.reason == "completed":
        print(t("train.cli.done"))
    accuracy = "—" if finished.test_accuracy is None or math.isnan(finished.test_accuracy) \
        else f"{100 * finished.test_accuracy:.1f}%"
    print(t("train.cli.summary", epochs=finished.epochs, seconds=f"{finished.seconds:.1f}", accuracy=accuracy))
    if args.save:
        print(t("train.cli.saved", path=args.save))
    if args.metrics or args.csv:
        print(t("train.cli.metrics_written", paths=", ".join(p for p in (args.metrics, args.csv) if p)))
    if finished.reason == "stopped":
        name = signal.Signals(caught[0]).name if caught else "stop"
        print(t("train.cli.stopped", signal=name, resume=f" --resume {args.save}" if args.save else ""),
              file=sys.stderr)
        return EXIT_SIGNAL.get(caught[0], 130) if caught else 130
    return 0
