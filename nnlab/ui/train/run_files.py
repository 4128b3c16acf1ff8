"""RunFiles: the Train screen's files — autosaved checkpoints, saved copies, metric exports.

A mixin of RunController (which provides ``app``, ``screen``, ``run``, ``record``, ``written`` and
``start``); every write is atomic and a file this session did not write is replaced only after a yes.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

from textual.message import Message

from nnlab.i18n import t
from nnlab.run.config import TrainConfig


class Notice(Message):
    """A notification from a worker thread (posted, never called across threads)."""

    bubble = False  # handled by the Train screen only


    def __init__(self, text: str, severity: str = "information") -> None:
        super().__init__()
        self.text, self.severity = text, severity


class RunFiles:
    def _may_write_save_file(self, config: TrainConfig, resume_path: str | None) -> bool:
        """`--save FILE` exists and this session did not write it: ask first (a yes starts the
        run). Resuming from that very file needs no question."""
        from nnlab.fs.paths import same_file
        from nnlab.ui.shared.overwrite import may_write

        save = self.app.options.get("save_path")
        if save and resume_path and same_file(save, resume_path):
            return True
        return may_write(self.app, [save], self.written, lambda: self.start(config, resume_path, confirmed=True),
                         force=bool(self.app.options.get("force")))

    def runs_dir(self) -> Path:
        return Path(self.app.options.get("runs_dir") or Path.cwd() / "runs")

    def autosave_path(self, run_id: int) -> str | None:
        """The engine writes this checkpoint at each epoch end and when stopped (atomically)."""
        if self.app.options.get("autosave", True) is False:
            return None
        if self.app.options.get("save_path"):
            return str(self.app.options["save_path"])  # `nnlab train --save FILE`
        try:
            self.runs_dir().mkdir(parents=True, exist_ok=True)
            from nnlab.fs.paths import clean_stray_temps_in

            clean_stray_temps_in(self.runs_dir())  # temp files of sessions killed mid-save
        except OSError as error:
            self.screen.notify(t("dash.save.no_dir", path=self.runs_dir(), why=error), severity="warning")
            return None
        return str(self.runs_dir() / f"run-{run_id}-{time.strftime('%Y%m%d-%H%M%S')}.pt")

    def save_checkpoint(self) -> None:
        run = self.run
        if run is None:
            self.screen.notify(t("dash.no_run"), severity="warning")
            return
        source = Path(run.save_path) if run.save_path else None
        if source is None or not source.is_file():
            self.screen.notify(t("dash.save.none_yet"), severity="warning", timeout=6)
            return
        target = source.with_name(f"{source.stem}-saved-{time.strftime('%H%M%S')}.pt")
        self.screen.run_worker(partial(self._copy, source, target), thread=True, group="save",
                               exit_on_error=False)

    def _copy(self, source: Path, target: Path) -> None:
        """On a worker: an atomic copy (temp + fsync + replace) of the engine's last checkpoint."""
        from nnlab.fs import atomic

        try:
            atomic.write_bytes(target, source.read_bytes())
            note = (t("dash.save.done", path=target), "information")
        except OSError as error:
            note = (t("dash.save.failed", why=error), "error")
        self.screen.post_message(Notice(*note))

    def export(self, confirmed: bool = False) -> None:
        """The current (or last) run's events as JSONL and its epochs as CSV, written atomically.
        Files this session did not write are replaced only after a yes (or with --force)."""
        rec = self.record
        if rec is None or not rec.events:
            self.screen.notify(t("dash.export.nothing"), severity="warning")
            return
        from nnlab.fs import atomic
        from nnlab.run.writers import CsvWriter

        base = self.runs_dir() / f"run-{rec.run_id}-metrics"
        jsonl = Path(self.app.options.get("metrics_path") or base.with_suffix(".jsonl"))  # --metrics / --csv
        csv = Path(self.app.options.get("csv_path") or base.with_suffix(".csv"))
        from nnlab.ui.shared.overwrite import may_write

        if not confirmed and not may_write(self.app, (jsonl, csv), self.written, lambda: self.export(confirmed=True),
                                           force=bool(self.app.options.get("force"))):
            return
        try:
            jsonl.parent.mkdir(parents=True, exist_ok=True)
            csv.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_text(jsonl, "".join(e.to_json() + "\n" for e in list(rec.events)))
            writer = CsvWriter(csv)
            for event in list(rec.events):
                if event.KIND == "epoch":
                    writer(event)
        except OSError as error:
            self.screen.notify(t("dash.export.failed", why=error), severity="error")
            return
        self.written.update((str(jsonl), str(csv)))
        self.screen.notify(t("dash.export.done", jsonl=jsonl, csv=csv, events=len(rec.events)), timeout=8)
