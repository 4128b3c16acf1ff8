"""RunsPage: every run under the runs root in a table; up to six marked runs overlaid in two charts.

The runs are read with ``list_runs`` on a worker: when the page mounts, when a run of this
session ends, and on ``g``. A marked run's history comes from memory for this session's runs and
from its events.jsonl (``load_record``, on a worker) for the others; each keeps its colour while
marked. ``a`` opens the Anatomy view on the row's latest checkpoint (read on a worker: torch);
Delete and ``A`` delete or archive the row's run after a confirmation, refusing a live run
(``nnlab.run.manage``, as `nnlab runs --delete/--archive`).

A marked branch brings its parents (``RunsTable.parent_links``) into the overlay, in grey and
labelled as parents, whole: before the branch point they are the branch's own history, after it
what the run would have done without the change. A vertical line in the branch's colour marks the
branch point on both charts. A parent that is not under the runs root (archived, deleted) is said
once; ``b`` draws the marked runs alone.
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
from nnlab.ui.train.overlay_charts import OverlayEpochChart, OverlayLossChart
from nnlab.ui.train.runs_table import PARENT_COLOR, Link, Row, RunsTable
from nnlab.ui.train.state import RunRecord


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
    def __init__(self, key: str, record: RunRecord | None, error: str | None, batches: int = 0) -> None:
        super().__init__()
        self.key, self.record, self.error, self.batches = key, record, error, batches


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
        self.batches: dict[str, int] = {}  # batches per epoch of a loaded run (a mid-epoch branch point)
        self._missing: set[str] = set()  # parents not found (said once)
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

    def focus_on_show(self):
        """The widget PageSwitcher focuses when this page is shown: the table, so space marks at
        once (no Tab to reach it)."""
        return self.table

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
        links = self.table.parent_links(keys) if self.table.with_parents else []
        context: list[str] = []  # parents drawn for their branches without being marked
        for link in links:
            if link.parent not in keys and link.parent not in context:
                context.append(link.parent)
        for key in (*keys, *context):
            if self.record_of(key) is not None or key in self._loading:
                continue
            row = self.table.entries.get(key)
            path = row.path if row is not None else self._parent_dir(key)
            if path is not None:
                self._load(key, path, row.state if row is not None else "")
            elif key in context and key not in self._missing:
                self._missing.add(key)
                self.notify(t("lab.parent.missing", run=key, root=self.runs_root()), severity="warning", timeout=8)
        marked = [r for r in (self.record_of(k) for k in keys) if r is not None]
        parents = [(k, r) for k, r in ((k, self.record_of(k)) for k in context) if r is not None]
        self._draw(marked, parents, links)

    def _parent_dir(self, key: str) -> Path | None:
        """A parent that is not a row (another runs root is not searched): its directory here, if any."""
        path = self.runs_root() / key
        return path if "/" not in key and (path / "run.json").is_file() else None

    def _load(self, key: str, path, state: str) -> None:
        self._loading.add(key)

        def read() -> None:
            try:
                record, batches = read_record(path, state)
                self.post_message(RecordLoaded(key, record, None, batches))
            except Exception as error:  # noqa: BLE001 - said, never raised
                self.post_message(RecordLoaded(key, None, str(error) or type(error).__name__))

        self.run_worker(read, thread=True, group=f"runs-load-{key}", exit_on_error=False)

    def on_record_loaded(self, message: RecordLoaded) -> None:
        self._loading.discard(message.key)
        if message.record is None:
            self.notify(t("dash.runs.unreadable", run=message.key, why=message.error), severity="error")
            return
        self.loaded[message.key] = message.record
        self.batches[message.key] = message.batches
        if message.key in self.table.marked or message.key in self.table.context():
            self.overlay(tuple(self.table.marked))

    def branch_point(self, link: Link) -> float | None:
        """Where a branch starts, in epochs (the loss chart's x): E, or E + B/batches mid-epoch."""
        if link.epoch is None:
            return None
        batches = self.batches.get(link.child) or self.batches.get(link.parent) or 0
        if not batches:
            record = self.record_of(link.child)
            batches = next((e.batches for e in (record.events if record else ()) if getattr(e, "batches", 0)), 0)
        return link.epoch + (link.batch / batches if link.batch and batches else 0.0)

    def _draw(self, records: list[RunRecord], parents=(), links=()) -> None:
        """The marked runs in their colours; ``parents`` (key, record) of marked branches in grey,
        labelled as parents; each of ``links`` a vertical line at its branch point."""
        if not records:
            self.loss_chart.colour_by_label = self.epoch_chart.colour_by_label = {}
            self.loss_chart.marks = self.epoch_chart.marks = []
            self.loss_chart.clear()
            self.epoch_chart.clear()
            return
        colours = {r.label: self.table.colour_of(r.key) for r in records}
        context = [(t("lab.parent.label", run=r.label), r) for _, r in parents]
        colours.update({label: PARENT_COLOR for label, _ in context})
        self.loss_chart.colour_by_label = self.epoch_chart.colour_by_label = colours
        marked = {r.key for r in records}
        marks = []
        for link in links:
            x = self.branch_point(link)
            if x is not None:
                colour = self.table.colour_of(link.child) if link.child in marked else PARENT_COLOR
                marks.append((x, colour))
        self.loss_chart.marks, self.epoch_chart.marks = marks, [(float(m[0]), m[1]) for m in marks]
        a, *rest = records
        others = [(r.label, r) for r in rest] + context
        self.loss_chart.set_series(a.label, a.loss_x, a.loss_y, [(label, r.loss_x, r.loss_y) for label, r in others])
        self.epoch_chart.set_series(
            a.label,
            a.epochs,
            a.accuracy,
            a.test_loss,
            [(label, r.epochs, r.accuracy) for label, r in others],
            reference=False,
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


def read_record(path, status: str = "") -> tuple[RunRecord, int]:
    """A run directory's record from its events.jsonl (the whole log: call it on a worker) and its
    batches per epoch (0 when it trained none), which places a mid-epoch branch point."""
    from nnlab.run.events import BatchProgress
    from nnlab.run.reader import EventLog
    from nnlab.run.rundir import RunDir
    from nnlab.ui.train.state import record_from_events

    rd = RunDir.open(path)
    events = EventLog(rd.events_path, decode=True).read_new()
    batches = next((e.batches for e in events if isinstance(e, BatchProgress) and e.batches), 0)
    return record_from_events(rd.id, rd.config, events, status), batches
