"""RunsTable: every run under the runs root (all sessions) and this session's ended runs, one row each.

Rows are keyed by the run directory's id (a run of this session without a directory: ``#N``);
a row holds the run's ``RunSummary`` (``list_runs``, read by the page on a worker) and, for this
session's runs, its ``RunRecord`` (in memory). Columns narrow first (mark, id, state, accuracy,
epochs, started, time) and the config summary last, so 80 columns show id, state and accuracy.
Rows are newest first, as `nnlab runs` lists them (the cursor follows its run across redraws).
Space or Enter marks the row under the cursor (at most ``MAX_MARKED``; one more unmarks the
oldest); each marked run keeps its colour slot while marked. ``r`` cycles the sort (started,
accuracy, state); ``g`` asks the page to read the runs again; ``a``, Delete and ``A`` ask for the
Anatomy view, deletion and archiving of the row's run (the page does the work).

A branch (``nnlab train --branch RUN@E``) shows ``↳`` before its id and its parent link first in
the config column; when a branch is marked its parents are drawn too (``parent_links``: the
ancestry, up to ``MAX_DEPTH`` runs back), their rows marked ``○``; ``b`` turns that off and on.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from nnlab.i18n import t
from nnlab.ui.shared.keys import translate_bindings
from nnlab.ui.shared.redraw_when_shown import RedrawWhenShown
from nnlab.ui.train.state import RunRecord

__all__ = ["MAX_MARKED", "OVERLAY_COLORS", "PARENT_COLOR", "Link", "Row", "RunRecord", "RunsTable"]

MAX_MARKED = 6
MAX_DEPTH = 4  # a branch of a branch of ...: the parents drawn for one marked run
PARENT_COLOR = "gray"  # a parent drawn beside its marked branch (not marked itself)
OVERLAY_COLORS = ("cyan", "orange", "magenta", "green", "yellow", "blue")  # the first four: SERIES_COLORS
SORTS = ("started", "accuracy", "state")
STATE_ORDER = ("running", "created", "completed", "stopped", "diverged", "failed", "lost", "detached")
RECORD_STATE = {
    "finished": "completed",
    "stopped": "stopped",
    "failed": "failed",
    "detached": "running",
    "running": "running",
}


@dataclass(frozen=True)
class Link:
    """A branch and its parent, with the branch point (the parent's epochs done, and batches of the next)."""

    parent: str
    child: str
    epoch: int | None
    batch: int = 0


@dataclass
class Row:
    key: str
    summary: object | None = None  # RunSummary
    record: RunRecord | None = None  # this session's run

    @property
    def state(self) -> str:
        if self.summary is not None:
            return self.summary.state
        return RECORD_STATE.get(self.record.status, self.record.status) if self.record else "lost"

    @property
    def accuracy(self) -> float | None:
        """Percent."""
        if self.summary is not None and self.summary.test_accuracy is not None:
            return 100 * self.summary.test_accuracy
        return self.record.final_accuracy if self.record is not None else None

    @property
    def started(self) -> str:
        return self.summary.started if self.summary is not None else ""

    @property
    def path(self):
        return self.summary.path if self.summary is not None else None

    @property
    def parent(self) -> str | None:
        return getattr(self.summary, "parent", None)


def _started(iso: str) -> str:
    import time

    from nnlab.run.rundir import parse_iso

    when = parse_iso(iso)
    return time.strftime("%m-%d %H:%M", time.localtime(when)) if when is not None else "—"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, sec = divmod(int(seconds), 60)
    return f"{minutes}m{sec:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def _branch_parts(summary) -> tuple[str, ...]:
    """The config column's head: a branch's parent link, then its name unless it only says the
    same ("branch of P @E", the default name ``nnlab.train.branch`` gives)."""
    parent = getattr(summary, "parent", None)
    if not parent:
        return (summary.name,)
    epoch = summary.branch_epoch
    link = t("lab.branch.of", parent=parent, epoch="?" if epoch is None else epoch)
    default = f"branch of {parent} @{epoch}"
    return (link,) if summary.name in ("", default) else (link, summary.name)


class RunsTable(RedrawWhenShown, DataTable):
    # The page's hint line lists these keys (the palette offers them too): the footer keeps its
    # 80 columns for the screen's own keys.
    BINDINGS = [
        Binding("space", "mark", "dash.key.mark", show=False),
        Binding("enter", "mark", "dash.key.mark", show=False),
        Binding("r", "sort", "dash.key.sort", show=False),
        Binding("b", "parents", "dash.key.parents", show=False),
        Binding("g", "reload", "dash.key.reload", show=False),
        Binding("a", "ask('anatomy')", "dash.key.anatomy_run", show=False),
        Binding("delete", "ask('delete')", "dash.key.delete_run", key_display="del", show=False),
        Binding("A", "ask('archive')", "dash.key.archive_run", key_display="A", show=False),
    ]

    class Marked(Message):
        def __init__(self, run_ids: tuple[str, ...]) -> None:
            super().__init__()
            self.run_ids = run_ids  # row keys, in marking order

    class Asked(Message):
        """The page is asked to act on a row: "anatomy", "delete", "archive" or "reload"."""

        def __init__(self, what: str, row: Row | None) -> None:
            super().__init__()
            self.what = what
            self.row = row

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        translate_bindings(self)
        self.records: dict[int, RunRecord] = {}  # this session's ended runs, by their number
        self.entries: dict[str, Row] = {}
        self.marked: list[str] = []
        self.colours: dict[str, int] = {}  # row key -> slot in OVERLAY_COLORS, while marked
        self.sort_by = "started"
        self.with_parents = True  # a marked branch brings its parents into the overlay

    def notify_style_update(self) -> None:
        """Focus and blur (the Runs page focuses the table each time it is shown) re-render only the
        styles: DataTable empties all its render caches on every style update, and re-rendering
        the rows was half of a switch to this page (issue 13 item 16). Its row, cell and line
        caches are keyed by the pseudo-class state, so they stay right across focus changes; they
        are emptied when anything else that styles the table changes (theme, colour mode, classes)."""
        key = (
            self.app.current_theme.name,
            self.app.ansi_color,
            *(tuple(node.classes) for node in self.ancestors_with_self),
        )
        if key == getattr(self, "_styled_for", None):
            super(DataTable, self).notify_style_update()  # the widget's own style caches
            self._styles_cache.clear()  # the border, padding and background of the widget
            self._get_styles_to_render_cell.cache_clear()  # reads component styles, not keyed by focus
            self.refresh()
            return
        self._styled_for = key
        super().notify_style_update()

    def _on_resize(self, event) -> None:
        """The Runs page shown again resizes the table to the size it had: DataTable would still
        invalidate every rendered row (its ``_on_resize`` bumps the key of all its caches); only a
        new size does here."""
        if event.size == getattr(self, "_sized_for", None):
            event.prevent_default()  # Textual calls each class's _on_resize: this stops DataTable's
        self._sized_for = event.size

    def on_mount(self) -> None:
        for key in ("mark", "id", "state", "accuracy", "epochs", "started", "time", "config"):
            self.add_column(t(f"dash.runs.col.{key}"), key=key)

    # contents ----------------------------------------------------------------------------
    def add_record(self, record: RunRecord) -> None:
        """A run of this session ended (its history stays in memory)."""
        self.records[record.run_id] = record
        row = self.entries.setdefault(record.key, Row(record.key))
        row.record = record
        self.redraw()

    def set_history(self, summaries) -> None:
        """The runs read from the runs root (``list_runs``); rows of this session stay."""
        seen = set()
        for summary in summaries:
            seen.add(summary.id)
            row = self.entries.setdefault(summary.id, Row(summary.id))
            row.summary = summary
        for key, row in list(self.entries.items()):
            if key not in seen and row.summary is not None:
                if row.record is None:  # gone from the disk (deleted or archived elsewhere)
                    self.forget(key, redraw=False)
                else:
                    row.summary = None
        self.redraw()

    def forget(self, key: str, redraw: bool = True) -> None:
        row = self.entries.pop(key, None)
        if row is not None and row.record is not None:
            self.records.pop(row.record.run_id, None)
        if key in self.marked:
            self.marked.remove(key)
            self.colours.pop(key, None)
            self.post_message(self.Marked(tuple(self.marked)))
        if redraw:
            self.redraw()

    def ordered(self) -> list[Row]:
        from nnlab.run.rundir import parse_iso

        rows = list(self.entries.values())
        by_start = sorted(  # newest first, as `nnlab runs` lists them: the run in progress on top
            rows,
            key=lambda r: (
                parse_iso(r.started) or float("inf"),
                r.record.run_id if r.record is not None else 0,
                r.key,
            ),
            reverse=True,
        )
        if self.sort_by == "accuracy":
            return sorted(by_start, key=lambda r: -(r.accuracy if r.accuracy is not None else -1.0))
        if self.sort_by == "state":
            return sorted(by_start, key=lambda r: STATE_ORDER.index(r.state) if r.state in STATE_ORDER else 99)
        return by_start

    def parent_links(self, keys) -> list[Link]:
        """Each marked branch's ancestry, nearest parent first, each link once (a parent not in
        the table ends its chain: its own parent is unknown until it is read)."""
        links: list[Link] = []
        for key in keys:
            child = key
            for _ in range(MAX_DEPTH):
                row = self.entries.get(child)
                parent = row.parent if row is not None else None
                if not parent or parent == key or any(link.child == child for link in links):
                    break
                links.append(Link(parent, child, row.summary.branch_epoch, row.summary.branch_batch))
                child = parent
        return links

    def context(self) -> list[str]:
        """The parents drawn beside the marked runs without being marked themselves."""
        if not self.with_parents:
            return []
        out: list[str] = []
        for link in self.parent_links(self.marked):
            if link.parent not in self.marked and link.parent not in out:
                out.append(link.parent)
        return out

    def _mark(self, key: str, context=()) -> Text:
        slot = self.colours.get(key)
        if slot is not None:
            return Text("●", style=f"bold {OVERLAY_COLORS[slot]}")
        return Text("○", style=PARENT_COLOR) if key in context else Text("")

    def _cells(self, row: Row, context=()) -> tuple:
        mark = self._mark(row.key, context)
        s, rec = row.summary, row.record
        label = ("↳" + row.key) if row.parent else row.key
        acc = f"{row.accuracy:.1f}%" if row.accuracy is not None else "–"
        if s is not None:
            total = f"/{s.epochs_total}" if s.epochs_total else ""
            epochs, seconds = f"{s.epochs_done}{total}", s.duration_s
            config = " · ".join(p for p in (*_branch_parts(s), s.summary) if p)
        else:
            c = rec.config
            epochs, seconds = f"{len(rec.epochs)}/{c.get('epochs')}", rec.seconds
            from nnlab.run.reader import config_summary

            config = config_summary(c)
        return (
            mark,
            label,
            t(f"dash.runs.state.{row.state}"),
            acc,
            epochs,
            _started(row.started),
            _duration(seconds),
            config,
        )

    def redraw(self) -> None:
        """Rebuild the rows; the cursor stays on its run, except on the first row, where it stays
        on the first row: a new run (newest first) shows at the top, selected, instead of
        pushing the table one row down under a cursor that followed the old first run."""
        current = self.cursor_key() if self.cursor_row > 0 else None
        self.clear()
        context = self.context()
        for row in self.ordered():
            self.add_row(*self._cells(row, context), key=row.key)
        if current is not None and current in self.entries:
            self.move_cursor(row=self.get_row_index(current))

    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:  # noqa: BLE001 - no valid cursor
            return None
        return row_key.value if row_key is not None else None

    def cursor_row_data(self) -> Row | None:
        key = self.cursor_key()
        return self.entries.get(key) if key is not None else None

    # keys --------------------------------------------------------------------------------
    def action_mark(self) -> None:
        key = self.cursor_key()
        if key is None:
            return
        self.toggle_mark(key)

    def toggle_mark(self, key: str) -> None:
        if key in self.marked:
            self.marked.remove(key)
            self.colours.pop(key, None)
        else:
            if len(self.marked) >= MAX_MARKED:
                self.colours.pop(self.marked.pop(0), None)
            used = set(self.colours.values())
            self.colours[key] = next(i for i in range(MAX_MARKED) if i not in used)
            self.marked.append(key)
        self._update_marks()
        self.post_message(self.Marked(tuple(self.marked)))

    def _update_marks(self) -> None:
        context = self.context()
        for k in self.entries:
            self.update_cell(k, "mark", self._mark(k, context))

    def action_parents(self) -> None:
        """``b``: draw the parents of marked branches, or only the marked runs."""
        self.with_parents = not self.with_parents
        self._update_marks()
        self.notify(t("lab.parents.on" if self.with_parents else "lab.parents.off"), timeout=3)
        self.post_message(self.Marked(tuple(self.marked)))

    def colour_of(self, key: str) -> str:
        return OVERLAY_COLORS[self.colours.get(key, 0)]

    def action_sort(self) -> None:
        self.sort_by = SORTS[(SORTS.index(self.sort_by) + 1) % len(SORTS)]
        self.redraw()
        self.notify(t("dash.runs.sorted", by=t(f"dash.runs.sort.{self.sort_by}")), timeout=2)

    def action_reload(self) -> None:
        self.post_message(self.Asked("reload", None))

    def action_ask(self, what: str) -> None:
        row = self.cursor_row_data()
        if row is None:
            self.notify(t("dash.runs.none_here"), severity="warning")
            return
        self.post_message(self.Asked(what, row))

    def clear_records(self) -> None:
        self.records.clear()
        self.entries = {k: r for k, r in self.entries.items() if r.summary is not None}
        for r in self.entries.values():
            r.record = None
        self.marked.clear()
        self.colours.clear()
        self.redraw()
        self.post_message(self.Marked(()))
