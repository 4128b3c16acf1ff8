"""What a headless run prints: each event as the tutorial's lines or a problem, the summary, where the run is."""

from __future__ import annotations

import math
import os
import signal
import sys

from nnlab.commands.headless_signals import EXIT_SIGNAL
from nnlab.commands.usage import say
from nnlab.i18n import t


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


def where(rd, save_path: str, say_checkpoint: bool, stream) -> None:
    """On every exit: the run, its checkpoint (the summary names it after a good save), and
    the commands to resume and to watch it."""
    ref = run_ref(rd)
    say(t("runs.cli.where", run=rd.id, path=rd.path), stream)
    if say_checkpoint:
        say(t("runs.cli.checkpoint" if os.path.exists(save_path) else "runs.cli.no_checkpoint", path=save_path), stream)
    say(t("runs.cli.next", ref=ref), stream)


def summary(finished, args, caught: list[int], printer: Printer, saves: dict, save_path: str, rd) -> int:
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
