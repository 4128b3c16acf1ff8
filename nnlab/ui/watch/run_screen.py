"""RunWatchScreen: the dashboard's Live, Insight and Runs pages attached to a run directory nnlab trained.

``nnlab watch RUN`` opens it on ``app.options["watch"]`` (a run directory); so does the app itself
after ``d`` (the run went to the background); ``open_viewer`` (nnlab.ui.watch.screen) chooses it
for a run nnlab trained. The whole history is replayed at once, then the log
is followed: a reading thread polls the directory (``Follower``, every ``POLL_S``) and posts only
what it found. The events go through the dashboard's own ``TrainSession`` (a ``RemoteRun`` stands
for the worker), so the pages show exactly what the dashboard shows. Keys p, n, x, w become control
requests (``ControlClient``, on a worker); their effects appear from the log (Paused, Resumed,
Saved) like every other viewer's. A run that cannot be steered (finished, lost, another uid, no
socket) is said in one line. Bad lines are reported once and skipped; a deleted directory is said.
"""

from __future__ import annotations

import json
import os
import threading

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import TabbedContent

from nnlab.i18n import t
from nnlab.run.config import PRESETS, TrainConfig
from nnlab.run.events import BatchProgress
from nnlab.ui.messages import Notice, Steered, WatchRead
from nnlab.ui.train.insight_page import InsightPage
from nnlab.ui.train.live_page import LivePage
from nnlab.ui.train.runs_page import RunsPage
from nnlab.ui.train.runs_table import RunsTable
from nnlab.ui.train.screen import CHART_KEYS, PAGE_KEYS, ChartActions, TrainScreen
from nnlab.ui.train.session import TrainSession
from nnlab.ui.train.updates import Update
from nnlab.ui.watch import base as _watch
from nnlab.ui.watch.base import BENCH_OUT, PAGES, POLL_S, WatchScreen
from nnlab.ui.watch.follower import Follower
from nnlab.ui.watch.remote_run import RemoteRun


class RunWatchScreen(ChartActions, WatchScreen):
    BINDINGS = [
        Binding("p", "pause", "dash.key.pause"),
        Binding("n", "step", "dash.key.step"),
        Binding("x", "stop", "dash.key.stop"),
        Binding("w", "save", "watch.key.save"),
        *PAGE_KEYS,
        Binding("e", "export", "dash.key.export", show=False),
        *CHART_KEYS,
    ]

    DEFAULT_CSS = TrainScreen.DEFAULT_CSS.replace("TrainScreen", "RunWatchScreen")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.runs = TrainSession(self, self.app.options, lambda *a, **k: None)
        self.path: str | None = None
        self.follower: Follower | None = None
        self.remote: RemoteRun | None = None
        self.replaying = False
        self.first_full_frame_at: float | None = None  # time.time() of the first frame with the history
        self.mounted_at: float | None = None  # time.time() when the screen mounted
        self._stop_reading = threading.Event()
        self._client = None
        self._said_state: str | None = None

    # layout ------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        self.live_page = LivePage(t("dash.page.live"), id="live")
        self.insight_page = InsightPage(t("dash.page.insight"), id="insight")
        self.runs_page = RunsPage(t("dash.page.runs"), id="runs")
        self.runs_page.root = self.history_root(self.app.options.get("watch"))
        self.pages = (self.live_page, self.insight_page, self.runs_page)
        with TabbedContent(initial="live", id="pages"):
            yield from self.pages

    def history_root(self, path: str | None):
        """Where the Runs page lists runs: --runs-dir, else the watched run's own folder."""
        from pathlib import Path

        from nnlab.run.rundir import runs_root

        if self.app.options.get("runs_dir") or not path:
            return runs_root(self.app.options.get("runs_dir"))
        return Path(path).expanduser().absolute().parent

    def on_resize(self) -> None:
        self.set_class(self.size.width < 118, "narrow")
        self.set_class(self.size.height >= 40, "tall")

    def on_mount(self) -> None:
        import time

        self.mounted_at = time.time()
        for chart in (self.live_page.loss_chart, self.live_page.epoch_chart):
            chart.min_interval = max(chart.min_interval, _watch.CHART_S)
        self.attach(self.app.options.get("watch"))

    def on_screen_resume(self) -> None:
        wanted = self.app.options.get("watch")
        if wanted and wanted != self.path:  # the app detached another run: follow that one
            self.attach(wanted)

    def on_unmount(self) -> None:
        self._stop_reading.set()

    # attaching ---------------------------------------------------------------------------
    def attach(self, path: str | None) -> None:
        from nnlab.run.rundir import RunDir, RunDirError

        self._stop_reading.set()
        self._stop_reading = threading.Event()
        self._close_client()
        self.path = path
        if not path:
            self.notify(t("watch.no_run"), severity="error", timeout=10)
            return
        try:
            rd = RunDir.open(path)
        except RunDirError as error:
            self.notify(str(error), severity="error", timeout=12)
            self.runs.log(str(error))
            return
        try:
            config = TrainConfig.from_dict(rd.config)
        except Exception:  # noqa: BLE001 - a config this nnlab cannot read: the tutorial's shape
            config = PRESETS["tutorial"]
        self.remote = RemoteRun(self.runs.next_id, config, rd, self.steer)
        self.follower = Follower(rd)
        self.runs.attach(self.remote, rd.id)
        self.runs.log(t("watch.attached", run=rd.id, path=rd.path))
        root = self.history_root(str(rd.path))
        if root != self.runs_page.root:
            self.runs_page.root = root
            if self.runs_page.is_mounted:
                self.runs_page.reload()
        self.replaying = True
        self.read_loop(self.follower, self._stop_reading)

    @work(thread=True, group="watch-read", exit_on_error=False)
    def read_loop(self, follower: Follower, stop: threading.Event) -> None:
        """The reading thread: the history first, then whatever the log gains (never touches a widget)."""
        first = True
        while not stop.is_set():
            try:
                poll = follower.poll()
            except Exception as error:  # noqa: BLE001 - a reader that fails says so and retries
                self.post_message(Notice(t("watch.read_failed", why=error), "error"))
                stop.wait(2.0)
                continue
            if first or not poll.empty:
                self.post_message(WatchRead(poll.events, poll.problems, poll.state, poll.gone, first))
            first = False
            if poll.gone:
                return
            stop.wait(POLL_S)

    def on_watch_read(self, message: WatchRead) -> None:
        if self.remote is None:
            return
        # One log write a read: a 50-epoch history was ~100 writes, each a layout of the screen
        # and a burst of scroll messages (~half of the replay's time before the first frame).
        # After the history, the log is written at most every LogPane.min_interval (2 s), every
        # line as the streamed loss lines are: a write a read was a third of the viewer's CPU on
        # the bench's live run (an epoch every 0.7 s); the progress bars show each read at once.
        with self.live_page.log_pane.held(at_once=message.first):
            self._feed(message.events)
            for line in message.problems[:5]:
                self.notify(line, title=t("watch.problem.title"), severity="warning", timeout=10)
                self.runs.log(line)
            if len(message.problems) > 5:
                self.runs.log(t("watch.problem.more", count=len(message.problems) - 5))
        if message.state is not None:
            self.remote.state = message.state
            self._state_changed(message.state)
        if message.gone:
            self.remote.state = "deleted"
            self.runs.show(status="failed")
            self.notify(t("watch.gone", path=self.path), severity="error", timeout=30)
            self.runs.log(t("watch.gone", path=self.path))
        if message.first:
            self.replaying = False
            self.call_after_refresh(self._full_frame)

    def _full_frame(self, waited: int = 0) -> None:
        import time

        # A full frame shows the history on the charts too: each draws on its own throttle, so
        # wait (at most 2 s) until the shown charts' drawings are of the data read.
        shown = [chart for chart in self.live_page.query("KeptPlot") if chart.display and chart.size.area]
        stale = [chart for chart in shown if not chart.is_current]
        if stale and waited < 200 and self.live_page.display:
            if not waited:
                for chart in stale:
                    chart.changed(now=True)  # once: past its throttle, without new versions each wait
            self.set_timer(0.01, lambda: self._full_frame(waited + 1))
            return
        self.first_full_frame_at = time.time()
        out = os.environ.get(BENCH_OUT)
        if out:  # `nnlab bench watch`: when the first full frame was drawn, seen from inside
            try:
                with open(out, "a", encoding="utf-8") as handle:
                    handle.write(
                        json.dumps(
                            {
                                "run": self.path,
                                "mounted_at": self.mounted_at,
                                "first_full_frame_at": self.first_full_frame_at,
                            }
                        )
                        + "\n"
                    )
            except OSError:
                pass

    def _feed(self, events: list) -> None:
        """Events in log order to the session, the BatchProgress runs between others merged."""
        session, run = self.runs, self.remote
        batch: list[BatchProgress] = []
        for event in events:
            run.seen(event)
            if isinstance(event, BatchProgress):
                batch.append(event)
                continue
            if batch:
                session.on_progress(run.run_id, tuple(batch), None)
                batch = []
            session.on_event(run.run_id, event)
            if getattr(event, "KIND", "") in ("finished", "failed"):
                session.on_ended(run.run_id, None)
        if batch:
            session.on_progress(run.run_id, tuple(batch), None)

    def _state_changed(self, state: str) -> None:
        if state == self._said_state:
            return
        self._said_state = state
        if state == "lost":
            self.runs.show(status="failed")
            self.notify(t("watch.lost"), severity="warning", timeout=12)
            self.runs.log(t("watch.lost"))
        elif state != "running" and self.runs.record is not None and self.runs.record.run_id not in self.runs.records:
            self.runs.on_ended(self.remote.run_id, None)

    # steering ----------------------------------------------------------------------------
    def steer(self, op: str) -> None:
        self._request(op)

    @work(thread=True, group="watch-steer", exit_on_error=False)
    def _request(self, op: str) -> None:
        from nnlab.run.control_client import ControlClient, ControlError

        for attempt in (1, 2):  # a connection the run closed is made again once
            try:
                if self._client is None:
                    self._client = ControlClient(self.remote.run_dir, timeout=2.0)
                reply = self._client.request(op)
                error = None if reply.get("ok") else str(reply.get("error") or reply.get("code") or "refused")
                self.post_message(Steered(op, error))
                return
            except ControlError as why:
                self._close_client()
                if attempt == 2:
                    self.post_message(Steered(op, str(why)))
            except Exception as why:  # noqa: BLE001 - one line, never a crash
                self._close_client()
                self.post_message(Steered(op, f"{type(why).__name__}: {why}"))
                return

    def _close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def on_steered(self, message: Steered) -> None:
        if message.error:
            self.notify(t("watch.steer_failed", op=message.op, why=message.error), severity="error", timeout=8)

    def _steerable(self) -> bool:
        run = self.remote
        if run is None:
            self.notify(t("watch.no_run"), severity="warning")
            return False
        if not run.active:
            state = run.state if run.state != "running" else "completed"
            self.notify(
                t("watch.not_steerable", run=run.run_dir.id, state=t(f"watch.state.{state}")),
                severity="warning",
                timeout=6,
            )
            return False
        return True

    # TrainView: what the session asks of the screen ----------------------------------------
    def show(self, update: Update) -> None:
        for page in self.pages:
            page.apply(update)

    def show_page(self, page: str) -> None:
        if page in PAGES:
            self.query_one("#pages", TabbedContent).active = page

    def form_config(self, show: bool = True) -> TrainConfig | None:
        return self.remote.config if self.remote is not None else None

    def set_form_config(self, config: TrainConfig) -> None:
        pass

    def may_write(self, paths, written: set[str], proceed, force: bool) -> bool:
        from nnlab.ui.shared.overwrite import may_write

        return may_write(self.app, paths, written, proceed, force=force)

    def in_background(self, job) -> None:
        self.run_worker(lambda: self.post_message(Notice(*job())), thread=True, group="save", exit_on_error=False)

    def on_notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity, timeout=8)

    def ask_resume(self, directory, suggestion, answer) -> None:
        pass

    def read_checkpoint(self, path, done) -> None:
        done(None, t("watch.no_resume"))

    def start_run(self, run) -> None:
        pass

    def watch_run(self, run_dir: str) -> None:
        self.attach(run_dir)

    def set_active_run(self, run) -> None:
        pass  # the run lives in another process: quitting the viewer leaves it alone

    def release_run(self, run) -> None:
        pass

    def alert(self, title: str, body: str) -> None:
        if not self.replaying:  # a finished run replayed is no news
            TrainScreen.alert(self, title, body)

    def write_terminal(self, text: str) -> None:
        TrainScreen.write_terminal(self, text)

    def predict(self, key, job) -> None:
        pass

    def show_pair(self, *args) -> None:
        pass

    def on_runs_table_marked(self, message: RunsTable.Marked) -> None:
        self.runs.compare(message.run_ids)

    # keys --------------------------------------------------------------------------------
    def action_page(self, delta: int) -> None:
        tabs = self.query_one("#pages", TabbedContent)
        i = PAGES.index(tabs.active) if tabs.active in PAGES else 0
        tabs.active = PAGES[(i + delta) % len(PAGES)]

    def action_pause(self) -> None:
        if self._steerable():
            self.runs.toggle_pause()

    def action_step(self) -> None:
        if self._steerable():
            self.runs.step()

    def action_stop(self) -> None:
        if self._steerable():
            self.runs.stop()

    def action_save(self) -> None:
        if self._steerable():
            self.runs.save_checkpoint()

    def action_export(self) -> None:
        self.runs.export()
