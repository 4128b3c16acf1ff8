"""The Sweep page: a sweep directory (``app.options["sweep"]``) with its members side by side.

A reading thread (``SweepReader``) reads sweep.json and every member's events.jsonl: the whole
history first, then every ``POLL_S`` while the sweep's state is "running" (one last read after it
ends). Top: the members' training losses overlaid, and their test accuracy per epoch (all members,
or only the marked ones; a member keeps its colour). Below: the results table (member, setting,
accuracy, test loss, time, epochs, state), sorted by ``s`` (cycles the columns; ``r`` reverses),
the best (sweep.json's ``best``) highlighted and marked *, the tutorial's setting marked T.
``e`` writes results.csv and results.md next to sweep.json (``nnlab.run.sweep_export``).

p/n/x: every member's run directory serves a control socket while the sweep trains (pause,
resume and step act on its whole group, stop on that member): the keys send to each targeted
member (``ControlClient``: the marked members, else every running one) and, when none answers, say
in one line that the sweep is not steerable from here.

A sweep the dashboard's Setup page just started (``app.options["sweep_launch"]``, a
``nnlab.ui.train.sweep_launch.Launched``) has no sweep.json for the seconds its process takes to load
torch and the data: the summary says it is starting, and if the process ends before writing one
the page says so with the last line of its output.log.
"""

from __future__ import annotations

import threading
from pathlib import Path

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from nnlab.i18n import has, t
from nnlab.ui.messages import Posted, message
from nnlab.ui.shared.base import LabScreen
from nnlab.ui.sweep.charts import SweepAccuracyChart, SweepLossChart
from nnlab.ui.sweep.model import SORTS, SweepModel, SweepPoll, SweepReader

POLL_S = 0.5
MAX_WIDTH = 40  # a setting longer than this is cut (the whole label is in the exports)
COLUMNS = ("mark", "member", "setting", "accuracy", "test_loss", "seconds", "epochs", "state")


@message
class SweepRead(Posted):
    poll: SweepPoll
    first: bool = False


@message
class SweepSteered(Posted):
    op: str
    sent: int
    error: str | None


def _fmt(value, spec: str, unit: str = "") -> str:
    if value is None:
        return "—" + (" " if unit.endswith(" ") else "")
    return f"{value:.3g}{unit}" if abs(value) >= 1000 else f"{value:{spec}}{unit}"  # a diverged loss stays short


class SweepScreen(LabScreen):
    MODE = "sweep"
    HELP_CONCEPT = "help.concept.sweep"

    BINDINGS = [
        Binding("s", "sort", "sweepui.key.sort"),
        Binding("r", "reverse", "sweepui.key.reverse", show=False),
        Binding("space", "mark", "sweepui.key.mark"),
        Binding("e", "export", "sweepui.key.export"),
        Binding("p", "steer('pause')", "sweepui.key.pause"),
        Binding("n", "steer('step')", "sweepui.key.step", show=False),  # in help and the palette: the footer is full
        Binding("x", "steer('stop')", "sweepui.key.stop"),
    ]

    DEFAULT_CSS = """
    SweepScreen #sweep-charts { height: 1fr; min-height: 8; }
    SweepScreen #sweep-loss { width: 3fr; }
    SweepScreen #sweep-acc { width: 2fr; }
    SweepScreen #sweep-summary { height: 1; padding: 0 1; background: $panel; }
    SweepScreen #sweep-table { height: 1fr; min-height: 5; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.model = SweepModel()
        self.path: Path | None = None
        self.sort_index = 0
        self.reverse = False
        self.marked: set[str] = set()
        self.loaded = False  # the whole history has been shown
        self.polls = 0
        self._stop_reading = threading.Event()
        self._paused = False

    # layout ------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        self.loss_chart = SweepLossChart(id="sweep-loss")
        self.acc_chart = SweepAccuracyChart(id="sweep-acc")
        with Horizontal(id="sweep-charts"):
            yield self.loss_chart
            yield self.acc_chart
        self.summary = Static("", id="sweep-summary")
        yield self.summary
        self.table = DataTable(id="sweep-table", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield self.table

    def on_mount(self) -> None:
        self._set_columns({})
        self.attach(self.app.options.get("sweep"))

    def _set_columns(self, widths: dict) -> None:
        """Columns with explicit widths: a DataTable's auto widths, grown on idle after a ``clear``,
        stayed at the label's width in the drawn rows (a setting showed as "lr=0.00")."""
        self._widths = widths
        self.table.clear(columns=True)
        for key in COLUMNS:
            label = t(f"sweepui.col.{key}")
            label = " " + label if key == "state" else label  # after a right-aligned column
            self.table.add_column(label, key=key, width=max(widths.get(key, 0), cell_len(label), 1) + 1)

    def on_screen_resume(self) -> None:
        wanted = self.app.options.get("sweep")
        if wanted and Path(wanted).expanduser().absolute() != self.path:  # the Setup page started another sweep
            self.model = SweepModel()
            self.marked.clear()
            self._paused = False
            self.attach(wanted)

    def on_unmount(self) -> None:
        self._stop_reading.set()

    def launch(self):
        """The background process of this sweep when this app started it (else None)."""
        launched = self.app.options.get("sweep_launch")
        return launched if launched is not None and self.path is not None and launched.path == self.path else None

    # reading -----------------------------------------------------------------------------
    def attach(self, path) -> None:
        self._stop_reading.set()
        self._stop_reading = threading.Event()
        if not path:
            self.notify(t("sweepui.no_path"), severity="error", timeout=10)
            return
        self.path = Path(path).expanduser().absolute()
        self.read_loop(SweepReader(self.path), self._stop_reading, self.launch())
        self.refresh_view()

    @work(thread=True, group="sweep-read", exit_on_error=False)
    def read_loop(self, reader: SweepReader, stop: threading.Event, launched=None) -> None:
        """The reading thread: never touches a widget; posts what each poll found. ``launched``:
        the sweep's process while it has written no sweep.json yet (no "no sweep here" then)."""
        first = True
        while not stop.is_set():
            try:
                poll = reader.poll()
            except Exception as error:  # noqa: BLE001 - a reader that fails says so and retries
                self.post_message(SweepRead(SweepPoll(None, {}, [t("sweepui.read_failed", why=error)]), False))
                stop.wait(2.0)
                continue
            if launched is not None and not reader.record:
                code = launched.exit_code()
                if code is None:  # still starting: its sweep.json is on its way
                    stop.wait(POLL_S)
                    continue
                if not (reader.path / "sweep.json").exists():
                    why = launched.last_line() or "?"
                    problem = t("sweepui.launch_died", code=code, why=why, log=launched.log)
                    self.post_message(SweepRead(SweepPoll(None, {}, [problem], gone=True), first))
                    return
            if first or poll.record is not None or poll.events or poll.problems:
                self.post_message(SweepRead(poll, first))
            first = False
            if poll.gone:
                return
            if reader.record.get("state") not in ("running", None) and poll.record is None and not poll.events:
                return  # the sweep ended and its last read found nothing new
            stop.wait(POLL_S)

    def on_sweep_read(self, msg: SweepRead) -> None:
        self.polls += 1
        for line in msg.poll.problems[:5]:
            self.notify(line, severity="warning" if not msg.poll.gone else "error", timeout=10)
        if msg.poll.record is not None:
            self.model.set_record(msg.poll.record)
        self.model.feed(msg.poll.events)
        if msg.poll.record is not None or msg.poll.events or msg.first:
            self.refresh_view()
        if msg.first:
            self.loaded = True

    # view --------------------------------------------------------------------------------
    @property
    def sort(self) -> str:
        return SORTS[self.sort_index]

    def shown(self) -> list:
        """The members drawn on the charts: the marked ones, else all (in sweep order)."""
        ms = sorted(self.model.members.values(), key=lambda m: m.index)
        return [m for m in ms if m.member in self.marked] or ms

    def refresh_view(self) -> None:
        shown = self.shown()
        self.loss_chart.set_members([(m.member, m.color, m.loss_x, m.loss_y) for m in shown])
        self.acc_chart.set_members(
            [(m.member, m.color, m.epochs, m.accuracy) for m in shown],
            reference=any(m.record.get("tutorial") for m in shown),
        )
        self._fill_table()
        self._say_summary()

    def _say_summary(self) -> None:
        order = " ↑" if self.reverse else ""
        launched = self.launch() if not self.model.record else None
        if launched is not None and launched.exit_code() is None:
            starting = t("sweepui.starting", pid=launched.pid)
            self.summary.update(Text(f"{self.path.name}: {starting}", no_wrap=True, overflow="ellipsis"))
            return
        text = t(
            "sweepui.summary",
            id=self.model.id or (self.path.name if self.path else "?"),
            state=self.model.state or "…",
            members=len(self.model.members),
            sort=t(f"sweepui.sort.{self.sort}"),
            order=order,
        )
        if self.marked:
            text += t("sweepui.summary.marked", count=len(self.marked))
        self.summary.update(Text(f"{text}   {t('sweepui.legend')}", no_wrap=True, overflow="ellipsis"))

    def rows(self) -> list:
        """The members in table order."""
        return self.model.ordered(self.sort, self.reverse)

    def _fill_table(self) -> None:
        table = self.table
        keep = None
        if table.row_count and table.cursor_row is not None and 0 <= table.cursor_row < table.row_count:
            keep = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        rows = []
        for m in self.rows():
            best, tutorial = bool(m.record.get("best")), bool(m.record.get("tutorial"))
            style = "bold green" if best else ""
            mark = ("*" if best else " ") + ("T" if tutorial else " ") + ("●" if m.member in self.marked else " ")
            state = t("sweepui.diverged") if m.is_diverged() else m.state()
            acc = m.final_accuracy()
            cells = [
                Text(mark, style=style),
                Text(m.member, style=f"bold {m.color}"),
                Text(m.label, style=style),
                Text(_fmt(None if acc is None else 100 * acc, ".1f", "% "), style=style, justify="right"),
                Text(_fmt(m.final_test_loss(), ".4f", " "), style=style, justify="right"),
                Text(_fmt(m.time(), ".1f", "s "), justify="right"),
                Text(f"{m.epochs_done()} ", justify="right"),
                Text(" " + state, style="red" if m.is_diverged() else ""),
            ]
            rows.append((m.member, cells))
        widths = {
            key: min(MAX_WIDTH, max([0, *(c.cell_len for _, cs in rows for c in cs[i : i + 1])]))
            for i, key in enumerate(COLUMNS)
        }
        if widths != self._widths:
            self._set_columns(widths)
        else:
            table.clear()
        for member, cells in rows:
            table.add_row(*cells, key=member)
        if keep is not None:
            try:
                table.move_cursor(row=table.get_row_index(keep), animate=False)
            except Exception:  # noqa: BLE001 - the row went away
                pass

    def selected(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        row = min(max(table.cursor_row, 0), table.row_count - 1)
        return table.coordinate_to_cell_key((row, 0)).row_key.value

    # actions -----------------------------------------------------------------------------
    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.refresh_view()

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self.refresh_view()

    def action_mark(self) -> None:
        member = self.selected()
        if member is None:
            return
        self.marked ^= {member}
        self.refresh_view()

    def action_export(self) -> None:
        from nnlab.run.sweep_export import write_exports

        if self.path is None or not self.model.record:
            self.notify(t("sweepui.nothing_to_export"), severity="warning")
            return
        try:
            csv_path, md_path = write_exports(self.path, self.model.live_record())
        except OSError as error:
            self.notify(t("sweepui.export_failed", why=error.strerror or error), severity="error", timeout=10)
            return
        self.notify(t("sweepui.exported", csv=csv_path, md=md_path), timeout=8)

    def action_steer(self, op: str) -> None:
        if op == "pause":
            op = "resume" if self._paused else "pause"
        sweep_id = self.model.id or "?"
        if self.model.state != "running":
            state = self.model.state or "…"
            key = f"watch.state.{state}"
            self.notify(t("sweepui.not_running", id=sweep_id, state=t(key) if has(key) else state), severity="warning")
            return
        targets = (
            [m for m in self.model.members.values() if m.member in self.marked]
            if self.marked
            else [m for m in self.model.members.values() if m.state() == "running"]
        )
        runs = [str(m.run) for m in targets if m.run]
        self.steer(op, runs)

    @work(thread=True, group="sweep-steer", exclusive=True, exit_on_error=False)
    def steer(self, op: str, runs: list[str]) -> None:
        from nnlab.run.control_client import ControlClient, ControlError

        sent = 0
        for run in runs:
            path = self.path.parent / run if self.path else Path(run)
            try:
                client = ControlClient(path if path.is_dir() else run, timeout=1.0)
            except Exception:  # noqa: BLE001 - no such run, no socket: not steerable
                continue
            try:
                reply = client.request(op)
                sent += bool(reply.get("ok"))
            except (ControlError, OSError):
                pass
            finally:
                try:
                    client.close()
                except Exception:  # noqa: BLE001
                    pass
        self.post_message(SweepSteered(op, sent, None if sent else t("sweepui.not_steerable", id=self.model.id)))

    def on_sweep_steered(self, msg: SweepSteered) -> None:
        if msg.error:
            self.notify(msg.error, severity="warning", timeout=10)
            return
        if msg.op in ("pause", "resume"):
            self._paused = msg.op == "pause"
        self.notify(t("sweepui.steered", op=msg.op, count=msg.sent))
