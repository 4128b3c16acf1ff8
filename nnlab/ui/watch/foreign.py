"""ForeignScreen: the viewer of a run nnlab did not train — a script's ``nnlab.track`` run or a TensorBoard logdir.

``nnlab watch RUN|LOGDIR`` opens the "watch" mode with ``options["source"]`` "track" or
"tensorboard"; ``open_viewer`` (nnlab.ui.watch.screen) hands those to this screen. Pages: Scalars (the list
of metric groups with their latest values, and one chart per group: ``[``/``]`` or ``g`` choose
it, ``l`` log/linear, ``m`` EMA smoothing, ``t`` step / wall-clock x axis), Epochs (a table of the
epoch metrics), Confusion and Images — each page shown only once such records arrive; ``v``
cycles the pages. None of the tutorial's panels (reference accuracy, hints) exist here.

Reading: a thread (``read_loop``) polls the source every ``POLL_S`` (5 times a second): the whole
history in the first poll, then what was added. It parses into per-metric columns
(``ForeignReader``/``Batch``); the UI thread only extends lists (``MetricStore``) and asks the
chart to redraw (at most every ``GroupChart.min_interval``), so 1,000 logged steps a second cost
the UI thread little. Keys p, n, x, w steer a track run through its control socket (a worker,
``ControlClient``); a TensorBoard logdir, a finished run or a script without a socket is said in
one line. ``open_s``: seconds from the screen's mount to the first frame with the history drawn.
"""

from __future__ import annotations

import threading
import time

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from nnlab.i18n import t
from nnlab.ui.messages import Posted, message
from nnlab.ui.shared.base import LabScreen
from nnlab.ui.watch.foreign_chart import GroupChart, cut
from nnlab.ui.watch.foreign_source import Batch, ForeignReader, MetricStore

GROUPS = Binding.Group("foreign.key.groups", compact=True)  # [ and ]: one footer entry, "[] Group"

POLL_S = 0.2
PAGES = ("scalars", "epochs", "confusion", "images")
MAX_NAME_CELLS = 24  # a metric name in the group list: cut for display only
MAX_EPOCH_COLUMNS = 12


@message
class ForeignRead(Posted):
    """What the reading thread found in one poll (``first``: the whole history)."""

    batch: Batch
    first: bool


@message
class ForeignSteered(Posted):
    """A control request's answer (``error``: one line, None when done)."""

    op: str
    error: str | None


def number_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return f"{value:.4g}"


class GroupList(Static):
    """The groups, the chosen one marked, each with its metrics' latest values."""

    DEFAULT_CSS = "GroupList { width: 30; height: 1fr; padding: 0 1; border-right: solid $primary-darken-2; }"

    def show(self, store: MetricStore, chosen: str | None) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        groups = store.group_names()
        if not groups:
            text.append(t("foreign.groups.none"), "dim")
        for group in groups:
            mark = "▶ " if group == chosen else "  "
            text.append(mark + cut(group, MAX_NAME_CELLS) + "\n", "bold reverse" if group == chosen else "bold")
            for name in store.groups[group][:6]:
                short = name.split("/", 1)[1] if "/" in name else name
                value = store.series[name].latest()
                text.append(f"    {cut(short, 14):<14} {number_text(value)}\n", "" if group == chosen else "dim")
            if len(store.groups[group]) > 6:
                text.append("    " + t("foreign.chart.more", count=len(store.groups[group]) - 6) + "\n", "dim")
        self.update(text)


class ImagesView(VerticalScroll):
    """The newest images of each key, drawn with half blocks (grey; at most 32x32 pixels each)."""

    DEFAULT_CSS = (
        "ImagesView { height: 1fr; } ImagesView Horizontal { height: auto; } "
        "ImagesView .tile { width: auto; height: auto; margin-right: 1; }"
    )

    def show(self, images: dict) -> None:
        import numpy as np

        from nnlab.ui.shared.image_grid import HalfBlockImage

        self.remove_children()
        widgets = []
        for key in sorted(images):
            step, arr, captions = images[key][-1]
            widgets.append(Static(t("foreign.images.key", name=cut(key, 60), step=step), classes="images-key"))
            tiles = []
            for i, image in enumerate(arr[:8]):
                grey = image.mean(axis=2) if image.shape[2] >= 3 else image[:, :, 0]
                sy, sx = max(1, -(-grey.shape[0] // 32)), max(1, -(-grey.shape[1] // 32))
                grey = np.asarray(grey[::sy, ::sx], dtype=np.uint8)
                tile = HalfBlockImage(grey)
                tile.styles.width = grey.shape[1]
                tile.styles.height = (grey.shape[0] + 1) // 2
                caption = cut(str(captions[i]), grey.shape[1]) if captions and i < len(captions) else ""
                tiles.append(Vertical(tile, Static(caption), classes="tile"))
            widgets.append(Horizontal(*tiles))
        self.mount_all(widgets)


class ForeignScreen(LabScreen):
    MODE = "watch"
    HELP_CONCEPT = "help.concept.foreign"

    BINDINGS = [
        Binding("p", "pause", "dash.key.pause"),
        Binding("n", "step", "dash.key.step"),
        Binding("x", "stop", "dash.key.stop"),
        Binding("w", "save", "watch.key.save", show=False),
        Binding("left_square_bracket", "group(-1)", "foreign.key.prev_group", key_display="[", group=GROUPS),
        Binding("right_square_bracket", "group(1)", "foreign.key.next_group", key_display="]", group=GROUPS),
        Binding("g", "group(1)", "foreign.key.next_group", show=False),
        # l and m: in the help overlay and the palette (the footer is full at 80 columns)
        Binding("l", "chart('log')", "dash.key.log_scale", show=False),
        Binding("m", "chart('smooth')", "foreign.key.smooth", show=False),
        Binding("t", "chart('x')", "foreign.key.x_axis", show=False),
        Binding("v", "page", "foreign.key.page"),
    ]

    DEFAULT_CSS = """
    ForeignScreen #foreign-status { height: 1; padding: 0 1; background: $boost; }
    ForeignScreen #scalars-body { height: 1fr; }
    ForeignScreen GroupChart { width: 1fr; height: 1fr; }
    ForeignScreen #pages { height: 1fr; }
    ForeignScreen #pages > ContentSwitcher { height: 1fr; }
    ForeignScreen TabPane { padding: 0; height: 1fr; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.store = MetricStore()
        self.reader: ForeignReader | None = None
        self.path: str | None = None
        self.source = ""
        self.group: str | None = None
        self.state: str | None = None
        self.paused = False
        self.waiting: str | None = None
        self.gone = False
        self.problems: list[str] = []
        self.mounted_at: float | None = None
        self.open_s: float | None = None  # mount → first frame with the history drawn
        self.first_full_frame_at: float | None = None  # time.time() of that frame
        self.polls = 0
        self.latency: list[float] = []  # now - newest record's t, per live poll (bench)
        self._stop_reading = threading.Event()
        self._client = None
        self._epoch_columns: list[str] = []
        self._confusion_labels: tuple | None = None

    # layout ------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static("", id="foreign-status")
        with TabbedContent(initial="scalars", id="pages"):
            with TabPane(t("foreign.page.scalars"), id="scalars"):
                with Horizontal(id="scalars-body"):
                    yield GroupList(id="groups")
                    yield GroupChart(id="chart")
            with TabPane(t("foreign.page.epochs"), id="epochs"):
                yield DataTable(id="epoch-table", zebra_stripes=True)
            with TabPane(t("foreign.page.confusion"), id="confusion"):
                yield VerticalScroll(id="confusion-box")
            with TabPane(t("foreign.page.images"), id="images"):
                yield ImagesView(id="images-view")

    def on_mount(self) -> None:
        self.mounted_at = time.perf_counter()
        tabs = self.query_one("#pages", TabbedContent)
        for page in PAGES[1:]:
            tabs.hide_tab(page)
        self.chart = self.query_one("#chart", GroupChart)
        self.group_list = self.query_one("#groups", GroupList)
        self.group_list.show(self.store, None)
        self.attach(self.app.options.get("watch"), self.app.options.get("source"))

    def on_screen_resume(self) -> None:
        wanted = self.app.options.get("watch")
        if wanted and wanted != self.path:
            self.notify(t("foreign.other_run", path=wanted), severity="warning", timeout=10)

    def on_unmount(self) -> None:
        self._stop_reading.set()
        self._close_client()

    # attaching ---------------------------------------------------------------------------
    def attach(self, path: str | None, source: str | None) -> None:
        self.path, self.source = path, source or "track"
        if not path:
            self._status(t("watch.no_run"))
            self.notify(t("watch.no_run"), severity="error", timeout=10)
            return
        try:
            self.reader = ForeignReader(path, self.source)
        except Exception as error:  # noqa: BLE001 - RunDirError, ExtraMissing: one line
            self._status(str(error))
            self.notify(str(error), severity="error", timeout=12)
            return
        self._status()
        self.read_loop(self.reader, self._stop_reading)

    @work(thread=True, group="foreign-read", exit_on_error=False)
    def read_loop(self, reader: ForeignReader, stop: threading.Event) -> None:
        """The reading thread: the history first, then what the source gains (never touches a widget)."""
        first = True
        while not stop.is_set():
            try:
                batch = reader.poll()
            except Exception as error:  # noqa: BLE001 - a reader that fails says so and retries
                self.post_message(ForeignRead(Batch(problems=[t("watch.read_failed", why=error)]), False))
                stop.wait(2.0)
                continue
            if first or not batch.empty:
                self.post_message(ForeignRead(batch, first))
            first = False
            if batch.gone:
                return
            stop.wait(POLL_S)

    def on_foreign_read(self, message: ForeignRead) -> None:
        batch = message.batch
        self.polls += 1
        changed = self.store.add(batch)
        if batch.series and not message.first:
            newest = max((c[1][-1] for c in batch.series.values() if c[1] and c[1][-1] is not None), default=None)
            if newest is not None:
                self.latency.append(time.time() - newest)
        if self.group is None and self.store.groups:
            self.group = self.store.group_names()[0]
            self._show_group()
        elif self.group in changed:
            self.chart.changed(now=message.first)
        if changed or message.first:
            self.group_list.show(self.store, self.group)
        if batch.epochs:
            self._show_epochs()
        if batch.confusion is not None:
            self._show_confusion(batch.confusion)
        if batch.images:
            self.query_one("#pages", TabbedContent).show_tab("images")
            self.query_one("#images-view", ImagesView).show(self.store.images)
        for record in batch.engine:
            kind = record.get("event")
            if kind == "paused":
                self.paused = True
            elif kind in ("resumed", "finished", "failed"):
                self.paused = False
            if kind == "failed" and not message.first:
                self.notify(str(record.get("message") or "")[:200], title=t("foreign.failed"), severity="error")
        for line in batch.problems[:5]:
            self.problems.append(line)
            self.notify(line, title=t("watch.problem.title"), severity="warning", timeout=10)
        if len(batch.problems) > 5:
            self.problems.extend(batch.problems[5:])
            self.notify(t("watch.problem.more", count=len(batch.problems) - 5), severity="warning")
        if batch.state is not None:
            self.state = batch.state
        self.waiting = batch.waiting if not self.store.points else None
        if batch.gone and not self.gone:
            self.gone = True
            self.state = "deleted"
            self.notify(t("watch.gone", path=self.path), severity="error", timeout=30)
        self._status()
        if message.first:
            self.chart.changed(now=True)
            self.call_after_refresh(self._full_frame)

    def _full_frame(self, waited: int = 0) -> None:
        # A full frame has the history's chart drawn: a chart shown again draws its last drawing
        # first and the new one a frame later (KeptPlot), so wait for the drawing of the data
        # read (seen: the figure taken with the chart still blank), for at most 2 s.
        if not self.chart.is_current and waited < 200 and self.chart.display:
            self.set_timer(0.01, lambda: self._full_frame(waited + 1))
            return
        self.first_full_frame_at = time.time()
        if self.mounted_at is not None:
            self.open_s = time.perf_counter() - self.mounted_at
        import os

        marker = os.environ.get("NNLAB_FOREIGN_FRAME_FILE")
        if marker:  # `nnlab bench foreign`: process start → first full frame, in a pty
            from pathlib import Path

            Path(marker).write_text(
                f"{self.first_full_frame_at!r} {self.open_s!r} {self.store.points}\n", encoding="utf-8"
            )
            self.app.exit(0)

    def _status(self, line: str | None = None) -> None:
        if line is None:
            name = self.reader.name if self.reader is not None else (self.path or "")
            kind = t("foreign.source.tensorboard") if self.source == "tensorboard" else t("foreign.source.track")
            parts = [t("foreign.status", name=cut(name, 30), source=kind)]
            if self.state:
                parts.append(t(f"watch.state.{self.state}") if self.state != "running" else t("foreign.running"))
            if self.paused:
                parts.append(t("foreign.paused"))
            if self.waiting:
                parts.append(self.waiting)
            elif self.store.points:
                parts.append(t("foreign.points", points=self.store.points, step=self.store.last_step))
            if self.problems:
                parts.append(t("foreign.problems", count=len(self.problems)))
            line = " · ".join(parts)
        self.query_one("#foreign-status", Static).update(Text(line, no_wrap=True, overflow="ellipsis"))

    # pages -------------------------------------------------------------------------------
    def _show_group(self) -> None:
        names = self.store.groups.get(self.group or "", [])
        self.chart.show_group(self.group or "", [self.store.series[n] for n in names], self.store.t0)
        self.group_list.show(self.store, self.group)

    def _show_epochs(self) -> None:
        table = self.query_one("#epoch-table", DataTable)
        self.query_one("#pages", TabbedContent).show_tab("epochs")
        names: list[str] = []
        for _epoch, _step, values in self.store.epochs:
            for name in values:
                if name not in names:
                    names.append(name)
        names = names[:MAX_EPOCH_COLUMNS]
        if names != self._epoch_columns:
            self._epoch_columns = names
            table.clear(columns=True)
            table.add_columns(t("foreign.epoch"), *[cut(n, 20) for n in names])
            start = 0
        else:
            start = table.row_count
        for epoch, _step, values in self.store.epochs[start:]:
            table.add_row(str(epoch), *[number_text(values.get(n)) for n in names])

    def _show_confusion(self, record: dict) -> None:
        from nnlab.ui.train.confusion_matrix import ConfusionMatrix

        labels = tuple(cut(str(x), 11) for x in record.get("labels") or ())
        matrix = record.get("matrix") or []
        box = self.query_one("#confusion-box", VerticalScroll)
        if labels != self._confusion_labels:
            self._confusion_labels = labels
            box.remove_children()
            widget = ConfusionMatrix(labels, id="confusion-matrix")
            widget.styles.height = len(labels) + 3
            box.mount(widget)
            self.call_after_refresh(widget.set_matrix, matrix, record.get("epoch") or 0)
        else:
            self.query_one("#confusion-matrix", ConfusionMatrix).set_matrix(matrix, record.get("epoch") or 0)
        self.query_one("#pages", TabbedContent).show_tab("confusion")

    # keys --------------------------------------------------------------------------------
    def action_group(self, delta: int) -> None:
        groups = self.store.group_names()
        if not groups:
            return
        i = groups.index(self.group) if self.group in groups else -delta
        self.group = groups[(i + delta) % len(groups)]
        self._show_group()

    def action_chart(self, what: str) -> None:
        self.chart.toggle(what)

    def action_page(self) -> None:
        tabs = self.query_one("#pages", TabbedContent)
        shown = [p for p in PAGES if p == "scalars" or tabs.get_tab(p).display]
        i = shown.index(tabs.active) if tabs.active in shown else 0
        tabs.active = shown[(i + 1) % len(shown)]

    # steering ----------------------------------------------------------------------------
    def _steerable(self) -> bool:
        if self.source == "tensorboard":
            self.notify(t("foreign.not_steerable.tensorboard"), severity="warning", timeout=6)
            return False
        if self.reader is None or self.reader.rd is None:
            self.notify(t("watch.no_run"), severity="warning")
            return False
        if self.state not in (None, "running"):
            self.notify(
                t("watch.not_steerable", run=self.reader.rd.id, state=t(f"watch.state.{self.state}")),
                severity="warning",
                timeout=6,
            )
            return False
        return True

    def action_pause(self) -> None:
        if self._steerable():
            self._request("resume" if self.paused else "pause")

    def action_step(self) -> None:
        if self._steerable():
            self._request("step")

    def action_stop(self) -> None:
        if self._steerable():
            self._request("stop")

    def action_save(self) -> None:
        if self._steerable():
            self._request("save")

    @work(thread=True, group="foreign-steer", exit_on_error=False)
    def _request(self, op: str) -> None:
        from nnlab.run.control_client import ControlClient, ControlError

        for attempt in (1, 2):  # a connection the run closed is made again once
            try:
                if self._client is None:
                    self._client = ControlClient(self.reader.rd, timeout=2.0)
                reply = self._client.request(op)
                error = None if reply.get("ok") else str(reply.get("error") or reply.get("code") or "refused")
                self.post_message(ForeignSteered(op, error))
                return
            except ControlError as why:
                self._close_client()
                if attempt == 2:
                    self.post_message(ForeignSteered(op, str(why).split("\n")[0]))
            except Exception as why:  # noqa: BLE001 - one line, never a crash
                self._close_client()
                self.post_message(ForeignSteered(op, f"{type(why).__name__}: {why}".split("\n")[0]))
                return

    def _close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def on_foreign_steered(self, message: ForeignSteered) -> None:
        if message.error:
            self.notify(t("watch.steer_failed", op=message.op, why=message.error), severity="error", timeout=8)
        elif message.op in ("pause", "resume"):
            self.paused = message.op == "pause"
            self._status()
