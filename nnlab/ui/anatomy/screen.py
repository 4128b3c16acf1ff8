"""AnatomyScreen: step a few test images through the model, layer by layer, then its parameters."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from nnlab.i18n import t
from nnlab.ui.shared.base import LabScreen
from nnlab.ui.anatomy.anatomy_step import AnatomyStep, data_view, layer_view, softmax_view
from nnlab.ui.anatomy.param_table import ParamTable, detail

POLL_S = 1.0        # how often a live source is asked whether an epoch has ended
MAX_IMAGES = 8      # nnlab.train.anatomy.MAX_IMAGES (that module imports torch)


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
        Binding("plus,equals_sign", "count(1)", "anat.key.more", key_display="+"),
        Binding("minus", "count(-1)", "anat.key.fewer", key_display="-"),
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

    class Computed(Message):
        def __init__(self, generation: int, anatomy, data, weights: dict, info: str) -> None:
            super().__init__()
            self.generation, self.anatomy, self.data, self.weights, self.info = generation, anatomy, data, weights, info

    class Failed(Message):
        def __init__(self, generation: int, why: str) -> None:
            super().__init__()
            self.generation, self.why = generation, why

    def __init__(self, source: Callable[[], dict] | None = None) -> None:
        super().__init__()
        self.source = source
        self.anatomy = None           # the last walk-through shown
        self.data = None              # FashionData, once loaded
        self.weights: dict = {}       # parameter name → shape, for the Linear lines
        self.info = ""
        self.step = 0
        self.count = 3                # the tutorial's batch of 3 images
        self.first = 0
        self.picked: list[int] | None = None   # explicit (random) picks, else first..first+count
        self.generation = 0
        self.shown_generation = -1
        self._key = None
        self._snapshot: dict | None = None
        self._rng = random.Random(0)

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
            self.count = int(options.get("images") or self.count)
            self.first = int(options.get("first") or 0)
        self.query_one("#anat-params").display = False
        if self.source is not None:
            self._snapshot = self.source()
            self._key = self._key_of(self._snapshot)
            self.set_interval(POLL_S, self._poll)
        self.recompute()
        self.query_one("#anat-scroll").focus()

    # the model and the images ---------------------------------------------------------------
    @staticmethod
    def _key_of(snapshot: dict) -> tuple:
        return (snapshot.get("epoch"), snapshot.get("state_dict") is None, snapshot.get("config"))

    def _poll(self) -> None:
        """During a run: recompute when an epoch has ended (or the run or its config changed)."""
        try:
            snapshot = self.source()
        except Exception as error:  # noqa: BLE001 - the dashboard's state is not ours to crash on
            self.post_message(self.Failed(self.generation, str(error) or type(error).__name__))
            return
        key = self._key_of(snapshot)
        if key != self._key:
            self._key, self._snapshot = key, snapshot
            self.recompute()

    def indices(self, n_test: int | None = None) -> list[int]:
        if self.picked is not None:
            return list(self.picked)
        n = n_test or (self.data.test_size if self.data is not None else self.first + self.count)
        return [(self.first + i) % n for i in range(self.count)]

    def recompute(self) -> None:
        self.generation += 1
        options = dict(getattr(self.app, "options", {}) or {})
        self._compute(self.generation, self._snapshot, self.data, self.picked, self.first, self.count, options)

    @work(thread=True, exclusive=True, group="anatomy", exit_on_error=False)
    def _compute(self, generation, snapshot, data, picked, first, count, options) -> None:
        """Load what is missing, copy the weights into a private model, walk it (all off the UI)."""
        try:
            from nnlab.train import anatomy
            from nnlab.train import data as data_module

            config, state, initial, info = self._resolve(snapshot, options)
            data = (snapshot or {}).get("data") or data or data_module.load(
                options.get("data_dir"), allow_sample=True, allow_download=False)
            n = data.test_size
            indices = list(picked) if picked is not None else [(first + i) % n for i in range(count)]
            model = anatomy.model_from_state(config, state)
            if initial is None and state is not None:
                initial = anatomy.initial_state(config)  # the engine starts every run from config.seed
            result = anatomy.walk(model, data.test_x, data.test_y, indices, batch_size=config.batch_size,
                                  initial_state=initial, copy_model=False)
            weights = {k: tuple(v.shape) for k, v in model.state_dict().items()}
            self.post_message(self.Computed(generation, result, data, weights, info))
        except Exception as error:  # noqa: BLE001 - every failure is shown on the screen, none kills the app
            why = str(error) or type(error).__name__
            self.post_message(self.Failed(generation, why))

    @staticmethod
    def _resolve(snapshot: dict | None, options: dict):
        """(config, state_dict or None, initial state or None, one-line description)."""
        if snapshot is not None:
            config, state = snapshot["config"], snapshot.get("state_dict")
            epoch = int(snapshot.get("epoch") or 0)
            info = t("anat.model.untrained", seed=config.seed) if state is None else t("anat.model.epoch", epoch=epoch)
            return config, state, snapshot.get("initial_state_dict"), info
        if options.get("checkpoint"):
            from nnlab.train import checkpoint

            saved = checkpoint.load(options["checkpoint"])
            info = t("anat.model.checkpoint", name=Path(options["checkpoint"]).name, epoch=saved["epoch"])
            return saved["config_obj"], saved["model"], None, info
        from nnlab.run.config import PRESETS

        config = PRESETS["tutorial"].with_(seed=int(options.get("seed") or 0))
        return config, None, None, t("anat.model.untrained", seed=config.seed)

    def on_anatomy_screen_computed(self, message: Computed) -> None:
        if message.generation != self.generation:
            return  # an older request finished after a newer one was made
        self.anatomy, self.data, self.weights, self.info = message.anatomy, message.data, message.weights, message.info
        self.shown_generation = message.generation
        self.query_one(ParamTable).show(self.anatomy.parameters.entries, self.size.width)
        self.render_step()

    def on_anatomy_screen_failed(self, message: Failed) -> None:
        if message.generation != self.generation:
            return
        self.shown_generation = message.generation
        self.query_one("#anat-header", Static).update(t("anat.title"))
        self.query_one(AnatomyStep).update(Text(t("anat.failed", why=message.why), style="bold red"))

    # stepping -------------------------------------------------------------------------------
    def steps(self) -> list[str]:
        layers = len(self.anatomy.layers) if self.anatomy is not None else 0
        return ["data", *(f"layer:{i}" for i in range(layers)), "softmax", "params"]

    def step_name(self, key: str) -> str:
        if key.startswith("layer:"):
            layer = self.anatomy.layers[int(key[6:])]
            name = layer.repr.split("(", 1)[0]
            return t("anat.step.logits") if layer.is_logits else name
        return t("anat.step." + key)

    def render_step(self) -> None:
        if self.anatomy is None:
            return
        steps = self.steps()
        self.step = max(0, min(self.step, len(steps) - 1))
        key = steps[self.step]
        from nnlab.train.data import CLASSES  # already imported by the worker: no torch cost here

        d = self.anatomy.data
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append(t("anat.header.step", i=self.step + 1, n=len(steps), name=self.step_name(key)), style="bold")
        header.append(" │ " + t("anat.header.images", indices=" #".join(map(str, d.indices))))
        header.append(" │ " + self.info)
        self.query_one("#anat-header", Static).update(header)
        params = key == "params"
        self.query_one("#anat-scroll").display = not params
        self.query_one("#anat-params").display = params
        if params:
            self._update_detail()
            self.query_one(ParamTable).focus()
            return
        step = self.query_one(AnatomyStep)
        if key == "data":
            source = t("anat.data.sample") if self.data.is_sample else self.data.source
            step.update(data_view(self.anatomy, CLASSES, t("anat.data.source", source=source, n=self.data.test_size)))
        elif key == "softmax":
            step.update(softmax_view(self.anatomy, CLASSES))
        else:
            step.update(layer_view(self.anatomy, int(key[6:]), CLASSES, self.weights))
        scroll = self.query_one("#anat-scroll")
        scroll.scroll_home(animate=False)
        scroll.focus()

    def _update_detail(self) -> None:
        table = self.query_one(ParamTable)
        p = self.anatomy.parameters
        self.query_one("#anat-param-detail", Static).update(detail(table.selected(), p.total, p.trainable))

    def on_resize(self) -> None:
        if self.anatomy is not None:
            self.query_one(ParamTable).show(self.anatomy.parameters.entries, self.size.width)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.anatomy is not None:
            self._update_detail()

    def action_step(self, delta: int) -> None:
        self.step = max(0, min(self.step + delta, len(self.steps()) - 1))
        self.render_step()

    def action_params(self) -> None:
        self.step = len(self.steps()) - 1
        self.render_step()

    def action_data(self) -> None:
        self.step = 0
        self.render_step()

    def action_count(self, delta: int) -> None:
        count = max(1, min(MAX_IMAGES, len(self.indices()) + delta))
        if self.picked is not None:
            self.first = self.picked[0]
        self.picked, self.count = None, count
        self.recompute()

    def action_page(self, delta: int) -> None:
        if self.picked is not None:
            self.first, self.picked = self.picked[0], None
        n = self.data.test_size if self.data is not None else None
        self.first = self.first + delta * self.count
        if n:
            self.first %= n
        self.first = max(0, self.first)
        self.recompute()

    def action_random(self) -> None:
        if self.data is None:
            return
        self.picked = sorted(self._rng.sample(range(self.data.test_size), self.count))
        self.recompute()

    def action_refresh(self) -> None:
        if self.source is not None:
            self._snapshot = self.source()
            self._key = self._key_of(self._snapshot)
        self.recompute()

    def action_back(self) -> None:
        self.dismiss()
