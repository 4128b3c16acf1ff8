"""AnatomyScreen: step a few test images through the model, layer by layer, then its parameters.

The walk and what it walks (images picked, model source, generations, the step) are
``AnatomySession``'s (no widgets); this screen shows them and runs the walk on a thread worker.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from nnlab.i18n import t
from nnlab.run.dataset import class_names
from nnlab.ui.anatomy.anatomy_step import AnatomyStep, data_view, layer_view, softmax_view
from nnlab.ui.anatomy.param_table import ParamTable, detail
from nnlab.ui.anatomy.session import AnatomySession, Request, Walked, WalkFailed, walk
from nnlab.ui.messages import AnatomyDone
from nnlab.ui.shared.base import LabScreen

COUNT_GROUP = Binding.Group("anat.key.count_group", compact=True)  # + and -: one footer entry, "+- Images"

POLL_S = 1.0  # how often a live source is asked whether an epoch has ended


class AnatomyScreen(LabScreen):
    """Pushed from the Train mode. ``source()`` (None: an untrained model, or the checkpoint in
    ``app.options``) returns {"config", "state_dict", "initial_state_dict", "data", "epoch"}."""

    MODE = "train"
    HELP_CONCEPT = "anat.help.concept"
    BINDINGS = [
        Binding("n", "step(1)", "anat.key.next"),
        Binding("right", "step(1)", "anat.key.next", show=False),
        Binding("p", "step(-1)", "anat.key.prev"),
        Binding("left", "step(-1)", "anat.key.prev", show=False),
        Binding("w", "params", "anat.key.params"),
        Binding("d", "data", "anat.key.data", show=False),
        Binding("plus,equals_sign", "count(1)", "anat.key.more", key_display="+", group=COUNT_GROUP),
        Binding("minus", "count(-1)", "anat.key.fewer", key_display="-", group=COUNT_GROUP),
        Binding("right_square_bracket", "page(1)", "anat.key.next_images", key_display="]", show=False),
        Binding("left_square_bracket", "page(-1)", "anat.key.prev_images", key_display="[", show=False),
        Binding("r", "random", "anat.key.random", show=False),
        Binding("u", "refresh", "anat.key.refresh", show=False),
        Binding("escape,backspace", "back", "anat.key.back", key_display="esc"),
    ]
    DEFAULT_CSS = """
    AnatomyScreen #anat-header { height: 1; padding: 0 1; background: $boost; }
    AnatomyScreen #anat-scroll { height: 1fr; }
    AnatomyScreen #anat-params { height: 1fr; padding: 0 1; }
    AnatomyScreen #anat-param-detail { height: auto; margin-top: 1; }
    """

    def __init__(self, source: Callable[[], dict] | None = None) -> None:
        super().__init__()
        self.session = AnatomySession(source)

    def compose_body(self) -> ComposeResult:
        yield Static(t("anat.title"), id="anat-header")
        with VerticalScroll(id="anat-scroll"):
            yield AnatomyStep(t("anat.loading"), id="anat-step")
        with Vertical(id="anat-params"):
            yield ParamTable(id="anat-param-table")
            yield Static("", id="anat-param-detail")

    def on_mount(self) -> None:
        options = getattr(self.app, "options", {}) or {}
        if options.get("open") == "anatomy":
            self.session.count = int(options.get("images") or self.session.count)
            self.session.first = int(options.get("first") or 0)
        self.query_one("#anat-params").display = False
        if self.session.source is not None:
            self.session.refresh_source()
            self.set_interval(POLL_S, self._poll)
        self.recompute()
        self.query_one("#anat-scroll").focus()

    # the model and the images ---------------------------------------------------------------
    def _poll(self) -> None:
        """During a run: recompute when an epoch has ended (or the run or its config changed)."""
        try:
            changed = self.session.poll()
        except Exception as error:  # noqa: BLE001 - the dashboard's state is not ours to crash on
            self.post_message(AnatomyDone(self.session.generation, WalkFailed(str(error) or type(error).__name__)))
            return
        if changed:
            self.recompute()

    def recompute(self) -> None:
        self._compute(self.session.request(getattr(self.app, "options", {}) or {}))

    @work(thread=True, exclusive=True, group="anatomy", exit_on_error=False)
    def _compute(self, request: Request) -> None:
        """Load what is missing, copy the weights into a private model, walk it (all off the UI)."""
        self.post_message(AnatomyDone(request.generation, walk(request)))

    def on_anatomy_done(self, message: AnatomyDone) -> None:
        if not self.session.accept(message.generation, message.outcome):
            return  # an older request finished after a newer one was made
        match message.outcome:
            case Walked():
                self.query_one(ParamTable).show(self.session.anatomy.parameters.entries, self.size.width)
                self.render_step()
            case WalkFailed(why=why):
                self.query_one("#anat-header", Static).update(t("anat.title"))
                self.query_one(AnatomyStep).update(Text(t("anat.failed", why=why), style="bold red"))

    # stepping -------------------------------------------------------------------------------
    def render_step(self) -> None:
        anatomy, data = self.session.anatomy, self.session.data
        if anatomy is None:
            return
        key = self.session.go(self.session.step)
        d = anatomy.data
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append(
            t(
                "anat.header.step",
                i=self.session.step + 1,
                n=len(self.session.steps()),
                name=self.session.step_name(key),
            ),
            style="bold",
        )
        header.append(" │ " + t("anat.header.images", indices=" #".join(map(str, d.indices))))
        header.append(" │ " + self.session.info)
        self.query_one("#anat-header", Static).update(header)
        params = key == "params"
        self.query_one("#anat-scroll").display = not params
        self.query_one("#anat-params").display = params
        if params:
            self._update_detail()
            self.query_one(ParamTable).focus()
            return
        step = self.query_one(AnatomyStep)
        match key.split(":"):
            case ["data"]:
                source = t("anat.data.sample") if data.is_sample else data.source
                step.update(data_view(anatomy, class_names(), t("anat.data.source", source=source, n=data.test_size)))
            case ["softmax"]:
                step.update(softmax_view(anatomy, class_names()))
            case ["layer", index]:
                step.update(layer_view(anatomy, int(index), class_names(), self.session.weights))
        scroll = self.query_one("#anat-scroll")
        scroll.scroll_home(animate=False)
        scroll.focus()

    def _update_detail(self) -> None:
        table = self.query_one(ParamTable)
        p = self.session.anatomy.parameters
        self.query_one("#anat-param-detail", Static).update(detail(table.selected(), p.total, p.trainable))

    def on_resize(self) -> None:
        if self.session.anatomy is not None:
            self.query_one(ParamTable).show(self.session.anatomy.parameters.entries, self.size.width)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.session.anatomy is not None:
            self._update_detail()

    def action_step(self, delta: int) -> None:
        self.session.go(self.session.step + delta)
        self.render_step()

    def action_params(self) -> None:
        self.session.go(len(self.session.steps()) - 1)
        self.render_step()

    def action_data(self) -> None:
        self.session.go(0)
        self.render_step()

    def action_count(self, delta: int) -> None:
        self.session.change_count(delta)
        self.recompute()

    def action_page(self, delta: int) -> None:
        self.session.turn_page(delta)
        self.recompute()

    def action_random(self) -> None:
        if self.session.pick_random():
            self.recompute()

    def action_refresh(self) -> None:
        self.session.refresh_source()
        self.recompute()

    def action_back(self) -> None:
        self.dismiss()
