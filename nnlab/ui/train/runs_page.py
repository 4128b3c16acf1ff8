"""RunsPage: every run under the runs root in a table; up to six marked runs overlaid in two charts.

The runs are read with ``list_runs`` on a worker: when the page mounts, when a run of this
session ends, and on ``g``. A marked run's history comes from memory for this session's runs and
from its events.jsonl (``load_record``, on a worker) for the others; each keeps its colour while
marked. ``a`` opens the Anatomy view on the row's latest checkpoint (read on a worker: torch);
Delete and ``A`` delete or archive the row's run after a confirmation, refusing a live run
(``nnlab.run.manage``, as `nnlab runs --delete/--archive`).
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static, TabPane

from nnlab.i18n import t
from nnlab.ui.shared.confirm import ConfirmDialog
from nnlab.ui.train import updates as up
from nnlab.ui.train.epoch_chart import EpochChart
from nnlab.ui.train.loss_chart import LossChart
from nnlab.ui.train.runs_table import OVERLAY_COLORS, Row, RunsTable
from nnlab.ui.train.state import RunRecord


class OverlayLossChart(LossChart):
    """The loss chart of the overlay: each series drawn in the colour its run keeps while marked."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.colour_by_label: dict[str, str] = {}

    def draw(self, plt) -> None:
        drawn = self.series()
        for i, (label, xs, ys) in enumerate(drawn):
            plt.plot(
                xs,
                ys,
                marker="braille",
                color=self.colour_by_label.get(label, OVERLAY_COLORS[i % 6]),
                label=label if len(drawn) > 1 else None,
            )
        if self.log_scale:
            plt.yscale("log")
        if not drawn:
            plt.xlim(0, 1)
            plt.ylim(0, 1)


class OverlayEpochChart(EpochChart):
    """Test accuracy per epoch of every marked run, in its colour."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.colour_by_label: dict[str, str] = {}

    def draw(self, plt) -> None:
        series = [(self.label, self.epochs, self.accuracy)] if self.epochs else []
        series += [s for s in self.overlays if s[1]]
        last = max([*(e for _, es, _ in series for e in es), 1])
        for i, (label, epochs, acc) in enumerate(series):
            plt.plot(
                epochs, acc, marker="hd", color=self.colour_by_label.get(label, OVERLAY_COLORS[i % 6]), label=label
            )
        plt.xlim(0.5, last + 0.5)
        if last <= 12:
            plt.xticks(list(range(1, last + 1)))
        if not series:
            plt.ylim(0, 100)


class ConfirmRemove(ConfirmDialog):
    """Delete (or archive) a run? No is focused and is Esc."""

    BINDINGS = [
        Binding("y", "answer(True)", "dash.runs.key.yes"),
        Binding("n", "answer(False)", "dash.runs.key.no"),
        Binding("escape", "answer(False)", "dash.runs.key.no", show=False),
    ]
    NO_LABEL, WIDTH, ID_PREFIX = "dash.runs.remove.no", 72, "remove"

    def __init__(self, what: str, run: str, where: str) -> None:
        self.YES_LABEL = f"dash.runs.{what}.yes"
        self.YES_VARIANT = "error" if what == "delete" else "warning"
        super().__init__(t(f"dash.runs.{what}.title", run=run), t(f"dash.runs.{what}.body", run=run, path=where))


class HistoryRead(Message):
    def __init__(self, runs: list, problems: list[str]) -> None:
        super().__init__()
        self.runs, self.problems = runs, problems


class RecordLoaded(Message):
    def __init__(self, key: str, record: RunRecord | None, error: str | None) -> None:
        super().__init__()
        self.key, self.record, self.error = key, record, error


class AnatomyRead(Message):
    def __init__(self, key: str, source: dict | None, error: str | None) -> None:
        super().__init__()
        self.key, self.source, self.error = key, source, error


class Removed(Message):
    def __init__(self, key: str, what: str, where: str, error: str | None) -> None:
        super().__init__()
        self.key, self.what, self.where, self.error = key, what, where, error


class RunsPage(TabPane):
    """Applies the session's Runs updates to its own children and reads the run history."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.root: Path | None = None  # None: the app's runs root (--runs-dir, $NNLAB_RUNS_DIR, ./runs)
        self.loaded: dict[str, RunRecord] = {}  # other sessions' runs read from their logs
        self._loading: set[str] = set()
        self.reads = 0  # history reads done (tests wait on it)

    def compose(self) -> ComposeResult:
        self.table = RunsTable(id="runs-table")
        self.loss_chart = OverlayLossChart(id="compare-loss")
        self.epoch_chart = OverlayEpochChart(id="compare-epochs")
        yield Static(t("dash.runs.hint"), id="runs-hint")
        yield self.table
        with Horizontal(id="runs-charts"):
            yield self.loss_chart
            yield self.epoch_chart

    def on_mount(self) -> None:
        self.reload()

    def on_show(self) -> None:
        if not self.table.has_focus:
            self.table.focus()  # space marks at once: no Tab to reach the table

    def runs_root(self) -> Path:
        from nnlab.run.rundir import runs_root

        return Path(self.root) if self.root is not None else runs_root(self.app.options.get("runs_dir"))

    # the history ---------------------------------------------------------------------------
    def reload(self) -> None:
        root = self.runs_root()

        def read() -> None:
            from nnlab.run.reader import list_runs

            problems: list[str] = []
            try:
                runs = list_runs(root, problems)
            except Exception as error:  # noqa: BLE001 - said, never raised
                runs, problems = [], [str(error)]
            self.post_message(HistoryRead(runs, problems))

        self.run_worker(read, thread=True, group="runs-history", exclusive=True, exit_on_error=False)

    def on_history_read(self, message: HistoryRead) -> None:
        self.reads += 1
        self.table.set_history(message.runs)
        for key in list(self.loaded):  # a run still being written is read again when drawn
            row = self.table.entries.get(key)
            if row is None or row.state == "running":
                self.loaded.pop(key, None)
        if self.table.marked:
            self.overlay(tuple(self.table.marked))

    def apply(self, update: up.Update) -> None:
        match update:
            case up.RunDone(record=record):
                self.table.add_record(record)
                self.reload()
            case up.Compare(records=records):
                self._draw(list(records))

    # the overlay ---------------------------------------------------------------------------
    def on_runs_table_marked(self, message: RunsTable.Marked) -> None:
        message.stop()  # the page draws the overlay itself (history runs are read here)
        self.overlay(message.run_ids)

    def record_of(self, key: str) -> RunRecord | None:
        row = self.table.entries.get(key)
        if row is not None and row.record is not None:
            return row.record  # this session's run: from memory
        return self.loaded.get(key)

    def overlay(self, keys: tuple[str, ...]) -> None:
        missing = [k for k in keys if self.record_of(k) is None and k not in self._loading]
        for key in missing:
            row = self.table.entries.get(key)
            if row is not None and row.path is not None:
                self._load(key, row.path, row.state)
        self._draw([r for r in (self.record_of(k) for k in keys) if r is not None])

    def _load(self, key: str, path, state: str) -> None:
        self._loading.add(key)

        def read() -> None:
            from nnlab.ui.train.state import load_record

            try:
                self.post_message(RecordLoaded(key, load_record(path, state), None))
            except Exception as error:  # noqa: BLE001 - said, never raised
                self.post_message(RecordLoaded(key, None, str(error) or type(error).__name__))

        self.run_worker(read, thread=True, group=f"runs-load-{key}", exit_on_error=False)

    def on_record_loaded(self, message: RecordLoaded) -> None:
        self._loading.discard(message.key)
        if message.record is None:
            self.notify(t("dash.runs.unreadable", run=message.key, why=message.error), severity="error")
            return
        self.loaded[message.key] = message.record
        if message.key in self.table.marked:
            self.overlay(tuple(self.table.marked))

    def _draw(self, records: list[RunRecord]) -> None:
        if not records:
            self.loss_chart.colour_by_label = self.epoch_chart.colour_by_label = {}
            self.loss_chart.clear()
            self.epoch_chart.clear()
            return
        colours = {r.label: self.table.colour_of(r.key) for r in records}
        self.loss_chart.colour_by_label = self.epoch_chart.colour_by_label = colours
        a, *rest = records
        self.loss_chart.set_series(a.label, a.loss_x, a.loss_y, [(r.label, r.loss_x, r.loss_y) for r in rest])
        self.epoch_chart.set_series(
            a.label, a.epochs, a.accuracy, a.test_loss, [(r.label, r.epochs, r.accuracy) for r in rest], reference=False
        )

    # actions on the row under the cursor -----------------------------------------------------
    def on_runs_table_asked(self, message: RunsTable.Asked) -> None:
        message.stop()
        if message.what == "reload":
            self.reload()
            self.notify(t("dash.runs.reloading"), timeout=2)
        elif message.what == "anatomy":
            self.anatomy(message.row)
        else:
            self.ask_remove(message.what, message.row)

    def _run_dir(self, row: Row):
        from nnlab.run.rundir import RunDir, RunDirError

        path = row.path or (self.runs_root() / row.record.run_dir if row.record and row.record.run_dir else None)
        if path is None:
            return None
        try:
            return RunDir.open(path)
        except RunDirError:
            return None

    def anatomy(self, row: Row) -> None:
        session = getattr(self.screen, "runs", None)
        record = getattr(session, "record", None)
        if (
            session is not None
            and session.active
            and record is not None
            and record.key == row.key
            and getattr(session.run, "snapshot_info", lambda: None)() is not None
        ):
            self._push_anatomy(session.anatomy_source)  # the run training here: its live weights
            return
        rd = self._run_dir(row)
        if rd is None:
            self.notify(t("dash.runs.no_dir", run=row.key), severity="warning")
            return
        path = rd.checkpoint_path
        self.notify(t("dash.runs.reading", run=row.key), timeout=2)

        def read() -> None:
            try:
                from nnlab.train.checkpoint import load  # torch: on this worker only

                payload = load(path)
                source = {
                    "config": payload["config_obj"],
                    "state_dict": payload["model"],
                    "initial_state_dict": None,
                    "data": None,
                    "epoch": int(payload.get("epoch") or 0),
                }
                self.post_message(AnatomyRead(row.key, source, None))
            except Exception as error:  # noqa: BLE001 - CheckpointError, OSError...: said
                self.post_message(AnatomyRead(row.key, None, str(error) or type(error).__name__))

        self.run_worker(read, thread=True, group="runs-anatomy", exclusive=True, exit_on_error=False)

    def on_anatomy_read(self, message: AnatomyRead) -> None:
        if message.source is None:
            self.notify(t("dash.runs.no_checkpoint", run=message.key, why=message.error), severity="error", timeout=10)
            return
        source = message.source
        self._push_anatomy(lambda: source)

    def _push_anatomy(self, source) -> None:
        try:
            from nnlab.ui.anatomy.screen import AnatomyScreen
        except ImportError:
            self.notify(t("dash.anatomy.missing"), severity="warning")
            return
        self.app.push_screen(AnatomyScreen(source=source))

    def ask_remove(self, what: str, row: Row) -> None:
        from nnlab.run.manage import RunIsLive, archive_target, refuse_live

        rd = self._run_dir(row)
        if rd is None:
            self.notify(t("dash.runs.no_dir", run=row.key), severity="warning")
            return
        try:
            refuse_live(rd)
        except RunIsLive as error:
            self.notify(str(error), severity="error", timeout=8)
            return
        root = self.runs_root()
        where = str(archive_target(rd, root) if what == "archive" else rd.path)

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(what, row.key, rd, root, where)

        self.app.push_screen(ConfirmRemove(what, rd.id, where), answered)

    def _remove(self, what: str, key: str, rd, root: Path, where: str) -> None:
        def work() -> None:
            from nnlab.run.manage import archive_run, delete_run

            try:
                archive_run(rd, root) if what == "archive" else delete_run(rd)
                self.post_message(Removed(key, what, where, None))
            except Exception as error:  # noqa: BLE001 - RunIsLive (it started again), OSError: said
                self.post_message(Removed(key, what, where, str(error) or type(error).__name__))

        self.run_worker(work, thread=True, group="runs-remove", exit_on_error=False)

    def on_removed(self, message: Removed) -> None:
        if message.error:
            self.notify(message.error, severity="error", timeout=10)
        else:
            self.loaded.pop(message.key, None)
            self.table.forget(message.key)
            self.notify(t(f"dash.runs.{message.what}.done", run=message.key, path=message.where), timeout=6)
        self.reload()

    def follow(self, smooth: bool, log_scale: bool) -> None:
        """The overlay's loss chart smooths and scales as the Live one does."""
        if self.loss_chart.smooth != smooth:
            self.loss_chart.toggle_smooth()  # the chart titles say "(smoothed)": no toast needed
        if self.loss_chart.log_scale != log_scale:
            self.loss_chart.toggle_log()
