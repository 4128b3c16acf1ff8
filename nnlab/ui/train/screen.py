"""The Train mode: set up, run, watch and steer a FashionMNIST training run (the dashboard).

Pages: Setup (form, model summary), Live (progress, loss and epoch charts, log), Insight
(test images with predictions, confusion matrix, per-class accuracy) and Runs (every finished
run; mark two to overlay them). The run itself lives on a thread worker (``TrainRun``); this
screen only applies the messages it posts and sends commands through the engine's Control.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Static, TabbedContent, TabPane

from nnlab.run.gc_pause import collections_paused
from nnlab.i18n import t
from nnlab.run.config import PRESETS, TrainConfig
from nnlab.ui.shared.base import LabScreen
from nnlab.ui.train.run_files import Notice
from nnlab.ui.train.controller import RunController
from nnlab.ui.train.worker import RunData, RunEnded, RunEvent, RunProgress
from nnlab.ui.train.class_accuracy import ClassAccuracy
from nnlab.ui.train.confusion_matrix import ConfusionMatrix
from nnlab.ui.train.epoch_chart import EpochChart
from nnlab.ui.shared.image_grid import ImageGrid
from nnlab.ui.train.log_pane import LogPane
from nnlab.ui.train.loss_chart import LossChart
from nnlab.ui.train.run_progress import RunProgressView
from nnlab.ui.train.runs_table import RunsTable
from nnlab.ui.train.setup_form import SetupForm

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")  # = nnlab.train.data.CLASSES (no torch here)
PAGES = ("setup", "live", "insight", "runs")


class Probed(Message):
    """What the machine offers: devices (label, value) and where the data would come from."""

    bubble = False  # handled by the Train screen only


    def __init__(self, devices: list[tuple[str, str]], data_text: str, data_ok: bool) -> None:
        super().__init__()
        self.devices, self.data_text, self.data_ok = devices, data_text, data_ok


class Summary(Message):

    bubble = False  # handled by the Train screen only

    def __init__(self, config: TrainConfig, text: str, parameters: int | None) -> None:
        super().__init__()
        self.config, self.text, self.parameters = config, text, parameters


class TrainScreen(LabScreen):
    MODE = "train"
    HELP_CONCEPT = "help.concept.train"

    BINDINGS = [
        Binding("s", "start", "dash.key.start"),
        Binding("p", "pause", "dash.key.pause"),
        Binding("x", "stop", "dash.key.stop"),
        Binding("n", "step", "dash.key.step"),
        Binding("left_square_bracket", "page(-1)", "dash.key.prev_page", key_display="["),
        Binding("right_square_bracket", "page(1)", "dash.key.next_page", key_display="]"),
        Binding("w", "save", "dash.key.save", show=False),
        Binding("o", "resume_from", "dash.key.resume_from", show=False),
        Binding("e", "export", "dash.key.export", show=False),
        Binding("c", "clear", "dash.key.clear", show=False),
        Binding("m", "smooth", "dash.key.smooth", show=False),
        Binding("l", "log_scale", "dash.key.log_scale", show=False),
        Binding("a", "anatomy", "dash.key.anatomy", show=False),
    ]

    DEFAULT_CSS = """
    TrainScreen TabbedContent { height: 1fr; }
    TrainScreen TabPane { padding: 0; }
    TrainScreen #setup-page { height: 1fr; }
    TrainScreen #summary { width: 1fr; height: 1fr; padding: 0 1; border-left: solid $primary-darken-2; }
    TrainScreen #summary-text { width: 1fr; }
    TrainScreen #charts { height: 1fr; min-height: 8; }
    TrainScreen #log { height: 5; }
    TrainScreen.tall #charts { height: 2fr; max-height: 30; }
    TrainScreen.tall #log { height: 1fr; min-height: 8; }
    TrainScreen #insight-top { height: auto; }
    TrainScreen.narrow #insight-top { layout: vertical; }
    TrainScreen.narrow #class-acc { width: 80; max-width: 100%; }
    TrainScreen #runs-table { height: auto; max-height: 45%; min-height: 3; }
    TrainScreen #runs-charts { height: 1fr; min-height: 8; }
    TrainScreen #runs-hint { color: $text-muted; height: 1; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.runs = RunController(self)

    # layout ------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with TabbedContent(initial="setup", id="pages"):
            with TabPane(t("dash.page.setup"), id="setup"):
                with Horizontal(id="setup-page"):
                    yield SetupForm(self.app.options.get("config"), id="form")
                    with VerticalScroll(id="summary"):
                        yield Static(t("dash.summary.building"), id="summary-text")
            with TabPane(t("dash.page.live"), id="live"):
                yield RunProgressView(id="progress")
                with Horizontal(id="charts"):
                    yield LossChart(id="loss-chart")
                    yield EpochChart(id="epoch-chart")
                yield LogPane(id="log")
            with TabPane(t("dash.page.insight"), id="insight"):
                with VerticalScroll():
                    with Horizontal(id="insight-top"):
                        yield ConfusionMatrix(CLASS_NAMES, id="confusion")
                        yield ClassAccuracy(CLASS_NAMES, id="class-acc")
                    yield ImageGrid(CLASS_NAMES, id="images")
            with TabPane(t("dash.page.runs"), id="runs"):
                yield Static(t("dash.runs.hint"), id="runs-hint")
                yield RunsTable(id="runs-table")
                with Horizontal(id="runs-charts"):
                    yield LossChart(id="compare-loss")
                    yield EpochChart(id="compare-epochs")

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
        form = self.query_one(SetupForm)
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
        text = message.text
        if message.parameters is not None:
            text = t("dash.summary.head") + "\n\n" + text + "\n\n" + t("dash.summary.params", n=f"{message.parameters:,}")
        self.query_one("#summary-text", Static).update(text)

    # run messages -> the controller ----------------------------------------------------------
    def on_run_progress(self, message: RunProgress) -> None:
        self.runs.on_progress(message)

    def on_run_event(self, message: RunEvent) -> None:
        self.runs.on_event(message)

    def on_run_data(self, message: RunData) -> None:
        self.runs.on_data(message)

    def on_run_ended(self, message: RunEnded) -> None:
        self.runs.on_ended(message)

    def on_notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity, timeout=8)

    def on_runs_table_marked(self, message: RunsTable.Marked) -> None:
        self.runs.compare(message.run_ids)

    # keys --------------------------------------------------------------------------------
    def show_page(self, page: str) -> None:
        self.query_one("#pages", TabbedContent).active = page

    def action_page(self, delta: int) -> None:
        tabs = self.query_one("#pages", TabbedContent)
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

    def action_resume_from(self) -> None:
        self.runs.ask_resume()

    def action_export(self) -> None:
        self.runs.export()

    def action_clear(self) -> None:
        self.runs.clear()

    def action_smooth(self) -> None:
        on = self.query_one("#loss-chart", LossChart).toggle_smooth()
        compare = self.query_one("#compare-loss", LossChart)
        if compare.smooth != on:
            compare.toggle_smooth()  # the chart titles say "(smoothed)": no toast needed

    def action_log_scale(self) -> None:
        on = self.query_one("#loss-chart", LossChart).toggle_log()
        compare = self.query_one("#compare-loss", LossChart)
        if compare.log_scale != on:
            compare.toggle_log()

    def action_anatomy(self) -> None:
        try:
            from nnlab.ui.anatomy.screen import AnatomyScreen
        except ImportError:
            self.notify(t("dash.anatomy.missing"), severity="warning")
            return
        self.app.push_screen(AnatomyScreen(source=self.anatomy_source))

    def anatomy_source(self) -> dict:
        """What the Anatomy view inspects: config, consistent weights, initial weights, data, epoch."""
        return self.runs.anatomy_source()
