"""The Train mode: set up, run, watch and steer a FashionMNIST training run (the dashboard).

Pages: Setup (form, model summary), Live (progress, loss and epoch charts, log), Insight
(test images with predictions, confusion matrix, per-class accuracy) and Runs (every finished
run; mark two to overlay them), each a widget applying the updates about its own children. The
run logic is ``TrainSession`` (no widgets); this screen lays out the pages, routes the worker's
messages and the keys to the session, and serves the session's ``TrainView`` requests.
"""

from __future__ import annotations

from functools import partial

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding

from nnlab.i18n import t
from nnlab.run.config import PRESETS, TrainConfig
from nnlab.run.gc_pause import collections_paused
from nnlab.ui.messages import (
    CheckpointRead,
    Notice,
    Predicted,
    Probed,
    RunData,
    RunDetached,
    RunEnded,
    RunEvent,
    RunProgress,
    Summary,
)
from nnlab.ui.shared.base import LabScreen
from nnlab.ui.shared.keys import PAGE_GROUP
from nnlab.ui.train.confusion_matrix import ConfusionMatrix
from nnlab.ui.train.insight_page import InsightPage
from nnlab.ui.train.live_page import LivePage
from nnlab.ui.train.page_bar import PageBar, PageSwitcher
from nnlab.ui.train.runs_page import RunsPage
from nnlab.ui.train.runs_table import RunsTable
from nnlab.ui.train.session import TrainSession
from nnlab.ui.train.setup_form import SetupForm
from nnlab.ui.train.setup_page import SetupPage
from nnlab.ui.train.updates import Update
from nnlab.ui.train.worker import TrainRun

PAGES = ("setup", "live", "insight", "runs")
# Keys the dashboard and the viewer (nnlab.ui.watch) share, declared once.
PAGE_KEYS = [  # one footer entry, "[] Page"; the help overlay names each
    Binding("left_square_bracket", "page(-1)", "dash.key.prev_page", key_display="[", group=PAGE_GROUP),
    Binding("right_square_bracket", "page(1)", "dash.key.next_page", key_display="]", group=PAGE_GROUP),
]
CHART_KEYS = [
    Binding("m", "smooth", "dash.key.smooth", show=False),
    Binding("l", "log_scale", "dash.key.log_scale", show=False),
]


class ChartActions:
    """What CHART_KEYS do, on a screen with ``live_page`` and ``runs_page`` (the dashboard, the viewer):
    the Runs page's overlay follows the Live chart's smoothing and scale."""

    def action_smooth(self) -> None:
        live = self.live_page.loss_chart
        live.toggle_smooth()
        self.runs_page.follow(live.smooth, live.log_scale)

    def action_log_scale(self) -> None:
        live = self.live_page.loss_chart
        live.toggle_log()
        self.runs_page.follow(live.smooth, live.log_scale)


class TrainScreen(ChartActions, LabScreen):
    MODE = "train"
    HELP_CONCEPT = "help.concept.train"

    BINDINGS = [
        Binding("s", "start", "dash.key.start"),
        Binding("p", "pause", "dash.key.pause"),
        Binding("x", "stop", "dash.key.stop"),
        Binding("n", "step", "dash.key.step"),
        *PAGE_KEYS,
        Binding("w", "save", "dash.key.save", show=False),
        Binding("d", "detach", "dash.key.detach", show=False),
        Binding("o", "resume_from", "dash.key.resume_from", show=False),
        Binding("e", "export", "dash.key.export", show=False),
        Binding("c", "clear", "dash.key.clear", show=False),
        *CHART_KEYS,
        Binding("a", "anatomy", "dash.key.anatomy", show=False),
    ]

    DEFAULT_CSS = """
    TrainScreen #pages { height: 1fr; }
    TrainScreen TabPane { padding: 0; height: 1fr; }
    TrainScreen #setup-page { height: 1fr; }
    TrainScreen #summary { width: 1fr; height: 1fr; padding: 0 1; border-left: solid $primary-darken-2; }
    TrainScreen #summary-text { width: 1fr; }
    TrainScreen #charts { height: 1fr; min-height: 8; }
    TrainScreen #log { height: 5; }
    TrainScreen.tall #charts { height: 2fr; max-height: 30; }
    TrainScreen.tall #log { height: 1fr; min-height: 8; }
    TrainScreen #insight-top { height: auto; }
    TrainScreen #class-acc { margin-left: 3; }
    TrainScreen.narrow #insight-top { layout: vertical; }
    TrainScreen.narrow #class-acc { width: 80; max-width: 100%; margin-left: 0; }
    TrainScreen #runs-table { height: auto; max-height: 45%; min-height: 3; }
    TrainScreen #runs-charts { height: 1fr; min-height: 8; }
    TrainScreen #runs-hint { color: $text-muted; height: 1; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.runs = TrainSession(self, self.app.options, partial(TrainRun, target=self, detach_argv=self.detach_argv))

    # layout ------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        self.setup_page = SetupPage(t("dash.page.setup"), self.app.options.get("config"), id="setup")
        self.live_page = LivePage(t("dash.page.live"), id="live")
        self.insight_page = InsightPage(t("dash.page.insight"), id="insight")
        self.runs_page = RunsPage(t("dash.page.runs"), id="runs")
        self.pages = (self.setup_page, self.live_page, self.insight_page, self.runs_page)
        # not TabbedContent: its tabs cost a page switch a fifth of its time (issue 13 item 16, page_bar.py)
        switcher = PageSwitcher(initial="setup", id="pages")
        yield PageBar([(page.id, str(page._title)) for page in self.pages], switcher, id="page-bar")
        with switcher:
            yield from self.pages

    def on_resize(self) -> None:
        self.set_class(self.size.width < 118, "narrow")
        self.set_class(self.size.height >= 40, "tall")

    def on_mount(self) -> None:
        self.call_after_refresh(self.probe)  # torch is imported there: after the first frame
        self.runs.log(t("dash.log.ready"))
        if self.app.options.get("resume_path"):
            self.runs.log(t("dash.log.resume_hint", path=self.app.options["resume_path"]))

    # background probes (torch is imported here, never on the first frame) -----------------
    @work(thread=True, exclusive=True, group="probe", exit_on_error=False)
    def probe(self) -> None:
        try:
            with collections_paused():  # no full collections stalling the UI mid-import
                from nnlab.train.device import available_devices
            devices = available_devices()
        except Exception:  # noqa: BLE001 - torch unusable: the CPU entry still lets the form work
            devices = [("CPU", "cpu")]
        text, ok = self.runs.describe_data_source()
        self.post_message(Probed(devices, text, ok))

    def on_probed(self, message: Probed) -> None:
        form = self.setup_page.form
        form.set_devices(message.devices)
        form.set_data_source(message.data_text, message.data_ok)
        self.build_summary(form.config(show=False) or PRESETS["tutorial"])

    def on_setup_form_changed(self, message: SetupForm.Changed) -> None:
        self.build_summary(message.config)

    @work(thread=True, exclusive=True, group="summary", exit_on_error=False)
    def build_summary(self, config: TrainConfig) -> None:
        try:
            with collections_paused():  # torch may be imported here first
                from nnlab.train.model import build_model, count_parameters

            model = build_model(config)
            self.post_message(Summary(config, str(model), count_parameters(model)))
        except Exception as error:  # noqa: BLE001 - shown in the summary pane
            self.post_message(Summary(config, t("dash.summary.failed", why=error), None))

    def on_summary(self, message: Summary) -> None:
        self.setup_page.show_summary(message.text, message.parameters)

    # the worker's messages -> the session ------------------------------------------------------
    def on_run_progress(self, message: RunProgress) -> None:
        self.runs.on_progress(message.run_id, message.batches, message.gpu, message.paused_s)

    def on_run_event(self, message: RunEvent) -> None:
        self.runs.on_event(message.run_id, message.event, message.paused_s)

    def on_run_data(self, message: RunData) -> None:
        self.runs.on_data(message.run_id, message.data)

    def on_run_ended(self, message: RunEnded) -> None:
        self.runs.on_ended(message.run_id, message.error)
        if self.app.exit_after_handoff and self.app.active_run is None:
            self.app.exit(0)  # quit with "background", and the run ended here first: nothing to hand over

    def on_run_detached(self, message: RunDetached) -> None:
        self.runs.on_detached(message.run_id, message.run_dir, message.pid)

    def on_notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity, timeout=8)
        run = self.app.active_run
        if self.app.exit_after_handoff and run is not None and not run.detaching:
            self.app.exit_after_handoff = False  # the hand-off failed (said above): the app stays

    def on_runs_table_marked(self, message: RunsTable.Marked) -> None:
        self.runs.compare(message.run_ids)

    def on_confusion_matrix_picked(self, message: ConfusionMatrix.Picked) -> None:
        self.runs.pair_images(message.true, message.predicted)

    def on_predicted(self, message: Predicted) -> None:
        self.runs.on_predicted(message.key, message.predictions, message.error)

    # TrainView: what the session asks of the screen ----------------------------------------------
    def show(self, update: Update) -> None:
        for page in self.pages[1:]:  # the Setup page shows no run
            page.apply(update)

    def show_page(self, page: str) -> None:
        self.query_one("#pages", PageSwitcher).active = page

    def form_config(self, show: bool = True) -> TrainConfig | None:
        return self.setup_page.form.config(show=show)

    def set_form_config(self, config: TrainConfig) -> None:
        self.setup_page.form.set_config(config)

    def may_write(self, paths, written: set[str], proceed, force: bool) -> bool:
        from nnlab.ui.shared.overwrite import may_write

        return may_write(self.app, paths, written, proceed, force=force)

    def in_background(self, job) -> None:
        self.run_worker(lambda: self.post_message(Notice(*job())), thread=True, group="save", exit_on_error=False)

    def ask_resume(self, directory: str, suggestion: str | None, answer) -> None:
        from nnlab.ui.train.resume_prompt import ResumePrompt

        self.app.push_screen(ResumePrompt(directory, suggestion), answer)

    def read_checkpoint(self, path: str, done) -> None:
        """Read a checkpoint on a worker (torch; a large file must not freeze the UI)."""

        def read() -> None:
            try:
                from pathlib import Path

                from nnlab.train.checkpoint import load

                payload = load(Path(path).expanduser())
                extra = payload.get("extra") or {}
                info = {
                    "path": str(Path(path).expanduser()),
                    "config": payload["config_obj"],
                    "epoch": int(payload["epoch"]),
                    "batch": int(extra.get("batch", 0) or 0),
                }
                self.post_message(CheckpointRead(path, info, None, done))
            except Exception as error:  # noqa: BLE001 - CheckpointError, OSError...: said, never raised
                self.post_message(CheckpointRead(path, None, str(error) or type(error).__name__, done))

        self.run_worker(read, thread=True, group="checkpoint", exit_on_error=False)

    def on_checkpoint_read(self, message: CheckpointRead) -> None:
        message.done(message.info, message.error)

    def alert(self, title: str, body: str) -> None:
        """The bell and a desktop notification, when on (``--notify``, the default) and the person
        is not looking: the terminal lost focus (focus reports) or another screen is in front."""
        if not self.app.options.get("notify", True):
            return
        if self.app.app_focus and self.app.screen is self:
            return
        from nnlab.ui.train.alerts import alert_sequence

        self.write_terminal(alert_sequence(title, body))

    def write_terminal(self, text: str) -> None:
        driver = self.app._driver  # as App.bell writes: Textual has no public raw-output call
        if driver is not None and not self.app.is_headless:
            driver.write(text)
            driver.flush()

    def predict(self, key, job) -> None:
        def work() -> None:
            try:
                self.post_message(Predicted(0, key, job()))
            except Exception as error:  # noqa: BLE001 - said in a notification
                self.post_message(Predicted(0, key, None, f"{type(error).__name__}: {error}"))

        self.run_worker(work, thread=True, group="predict", exclusive=True, exit_on_error=False)

    def show_pair(self, true: int, predicted: int, epoch: int, indices, data, predictions) -> None:
        from nnlab.ui.train.pair_images import PairImages

        names = self.insight_page.confusion.class_names
        self.app.push_screen(PairImages(names, true, predicted, epoch, indices, data.test_x, data.test_y, predictions))

    def start_run(self, run: TrainRun) -> None:
        run.start(self)

    def detach_argv(self, run: TrainRun) -> list[str]:
        """The background child that continues ``run``: the headless path, resuming the run's
        exact checkpoint in the same run directory (``nnlab.run.handoff`` adds the hand-off)."""
        from nnlab.run.handoff import resume_argv

        return resume_argv(
            str(run.save_path), str(run.run_dir.path), run.progress_every, self.app.options.get("data_dir")
        )

    def watch_run(self, run_dir: str) -> None:
        """After a detach: this app becomes a viewer of the run's directory (the watch mode), or
        quits if the person quit with "keep training in background"."""
        if self.app.exit_after_handoff:
            self.app.exit(0, message=t("dash.quit.handed", path=run_dir))
            return
        self.app.options["watch"] = run_dir
        self.app.switch_mode("watch")  # a viewer already open follows the new path when shown

    def form_sweep(self):
        return self.setup_page.form.sweep_plan()

    def watch_sweep(self, path: str) -> None:
        """After `s` started the Setup page's sweep: this app shows its Sweep page (the sweep mode)."""
        self.app.options["sweep"] = path
        self.app.switch_mode("sweep")  # a Sweep page already open follows the new path when shown

    def set_active_run(self, run: TrainRun) -> None:
        self.app.active_run = run

    def release_run(self, run: TrainRun) -> None:
        if self.app.active_run is run:
            self.app.active_run = None

    # keys --------------------------------------------------------------------------------
    def action_page(self, delta: int) -> None:
        tabs = self.query_one("#pages", PageSwitcher)
        i = PAGES.index(tabs.active) if tabs.active in PAGES else 0
        tabs.active = PAGES[(i + delta) % len(PAGES)]

    def action_start(self) -> None:
        self.runs.start()

    def action_pause(self) -> None:
        self.runs.toggle_pause()

    def action_stop(self) -> None:
        self.runs.stop()

    def action_step(self) -> None:
        self.runs.step()

    def action_save(self) -> None:
        self.runs.save_checkpoint()

    def action_detach(self) -> None:
        self.runs.detach()

    def action_resume_from(self) -> None:
        self.runs.ask_resume()

    def action_export(self) -> None:
        self.runs.export()

    def action_clear(self) -> None:
        self.runs.clear()

    def action_anatomy(self) -> None:
        try:
            from nnlab.ui.anatomy.screen import AnatomyScreen
        except ImportError:
            self.notify(t("dash.anatomy.missing"), severity="warning")
            return
        self.app.push_screen(AnatomyScreen(source=self.runs.anatomy_source))
