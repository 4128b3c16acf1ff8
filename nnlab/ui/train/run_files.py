"""RunFiles: the Train screen's files — run directories, autosaved checkpoints, saved copies, exports.

Every run of the app gets a run directory (``nnlab.run.rundir``) under the runs root
(``options["runs_dir"]``, else ``$NNLAB_RUNS_DIR``, else ./runs): its checkpoint is the run's
checkpoint.pt (``--save FILE``: FILE), and its id (unique across sessions) names the exports, so
two sessions' exports never collide. When no run directory can be made (a read-only folder) the
run goes on without one, as before: no log, no steering from elsewhere, no autosave.

An object the session holds (composed, not inherited). It reads the app's options and talks to
the screen only through the session's view: ``notify``, ``may_write`` (ask before replacing a
file this session did not write) and ``in_background`` (a worker thread; its result becomes a
notification). Every write is atomic. No Textual here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from nnlab.i18n import t
from nnlab.run.events import EpochEnd


class RunFiles:
    def __init__(self, options: dict, view) -> None:
        self.options = options
        self.view = view
        self.written: set[str] = set()  # files this session wrote: replaced without asking

    @property
    def force(self) -> bool:
        return bool(self.options.get("force"))

    def may_write_save_file(self, resume_path: str | None, proceed: Callable[[], None]) -> bool:
        """`--save FILE` exists and this session did not write it: ask first (a yes calls
        ``proceed``, which starts the run). Resuming from that very file needs no question."""
        from nnlab.fs.paths import same_file

        save = self.options.get("save_path")
        if save and resume_path and same_file(save, resume_path):
            return True
        return self.view.may_write([save], self.written, proceed, self.force)

    def runs_dir(self) -> Path:
        from nnlab.run.rundir import runs_root

        return runs_root(self.options.get("runs_dir")).absolute()

    def create_run_dir(self, config):
        """A new run directory for ``config``, or None (after a warning) when none can be made."""
        from nnlab.run.rundir import RunDir, RunDirError

        try:
            run_dir = RunDir.create(self.runs_dir(), config, kind="nnlab")
        except (RunDirError, OSError) as error:
            self.view.notify(t("dash.save.no_dir", path=self.runs_dir(), why=error), severity="warning")
            return None
        try:
            from nnlab.fs.paths import clean_stray_temps_in

            clean_stray_temps_in(self.runs_dir())  # temp files of older sessions killed mid-save
        except OSError:
            pass
        return run_dir

    def autosave_path(self, run_id: int, run_dir=None) -> str | None:
        """The engine writes this checkpoint at each epoch end and when stopped (atomically)."""
        if self.options.get("autosave", True) is False:
            return None
        if self.options.get("save_path"):
            return str(self.options["save_path"])  # `nnlab train --save FILE`
        if run_dir is not None:
            return str(run_dir.checkpoint_path)
        return None  # no run directory (the warning said why): nothing is autosaved

    def save_copy(self, run) -> None:
        """A timestamped copy of the run's last autosaved checkpoint, written on a worker."""
        if run is None:
            self.view.notify(t("dash.no_run"), severity="warning")
            return
        source = Path(run.save_path) if run.save_path else None
        if source is None or not source.is_file():
            self.view.notify(t("dash.save.none_yet"), severity="warning", timeout=6)
            return
        target = source.with_name(f"{source.stem}-saved-{time.strftime('%H%M%S')}.pt")
        self.view.in_background(partial(copy, source, target))

    def copy_saved(self, path: str) -> None:
        """A copy of the checkpoint the engine just wrote on request (the true current state)."""
        source = Path(path)
        target = source.with_name(f"{source.stem}-saved-{time.strftime('%H%M%S')}.pt")
        self.view.in_background(partial(copy, source, target, "dash.save.done_now"))

    def export(self, record, confirmed: bool = False) -> None:
        """The run's events as JSONL and its epochs as CSV, written atomically. Files this
        session did not write are replaced only after a yes (or with --force)."""
        if record is None or not record.events:
            self.view.notify(t("dash.export.nothing"), severity="warning")
            return
        from nnlab.fs import atomic
        from nnlab.run.writers import CsvWriter

        base = self.runs_dir() / f"run-{record.run_dir or record.run_id}-metrics"
        jsonl = Path(self.options.get("metrics_path") or base.with_suffix(".jsonl"))  # --metrics / --csv
        csv = Path(self.options.get("csv_path") or base.with_suffix(".csv"))
        if not confirmed and not self.view.may_write(
            (jsonl, csv), self.written, lambda: self.export(record, confirmed=True), self.force
        ):
            return
        try:
            jsonl.parent.mkdir(parents=True, exist_ok=True)
            csv.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_text(jsonl, "".join(e.to_json() + "\n" for e in list(record.events)))
            writer = CsvWriter(csv)
            for event in list(record.events):
                if isinstance(event, EpochEnd):
                    writer(event)
        except OSError as error:
            self.view.notify(t("dash.export.failed", why=error), severity="error")
            return
        self.written.update((str(jsonl), str(csv)))
        self.view.notify(t("dash.export.done", jsonl=jsonl, csv=csv, events=len(record.events)), timeout=8)


def copy(source: Path, target: Path, done: str = "dash.save.done") -> tuple[str, str]:
    """On a worker: an atomic copy (temp + fsync + replace) of the engine's last checkpoint;
    returns the notification (text, severity)."""
    from nnlab.fs import atomic

    try:
        atomic.write_bytes(target, source.read_bytes())
        return t(done, path=target), "information"
    except OSError as error:
        return t("dash.save.failed", why=error), "error"
