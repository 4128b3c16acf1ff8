"""AnatomySession: what the Anatomy view walks through, and the walk itself — no widgets, no Textual.

It holds the images picked (first/count or an explicit random pick), the model source and its
last snapshot, the request generation (a newer request makes older results stale) and the step
shown. ``walk`` is what the screen's thread worker runs: it loads what is missing, copies the
weights into a private model and walks it, returning a ``Walked`` or a ``WalkFailed``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnlab.i18n import t
from nnlab.run.dataset import ANATOMY_MAX_IMAGES as MAX_IMAGES


@dataclass(frozen=True)
class Walked:
    anatomy: Any  # nnlab.train.anatomy's walk-through
    data: Any  # FashionData
    weights: dict  # parameter name → shape, for the Linear lines
    info: str  # one line: which model (untrained, epoch N, checkpoint)


@dataclass(frozen=True)
class WalkFailed:
    why: str


@dataclass(frozen=True)
class Request:
    """One walk to compute (the arguments of ``walk``), tagged with its generation."""

    generation: int
    snapshot: dict | None
    data: Any
    picked: tuple[int, ...] | None
    first: int
    count: int
    options: dict


class AnatomySession:
    """``source()`` (None: an untrained model, or the checkpoint in the options) returns
    {"config", "state_dict", "initial_state_dict", "data", "epoch"}."""

    def __init__(self, source: Callable[[], dict] | None = None) -> None:
        self.source = source
        self.anatomy = None  # the last walk-through shown
        self.data = None  # FashionData, once loaded
        self.weights: dict = {}
        self.info = ""
        self.step = 0
        self.count = 3  # the tutorial's batch of 3 images
        self.first = 0
        self.picked: list[int] | None = None  # explicit (random) picks, else first..first+count
        self.generation = 0
        self.shown_generation = -1
        self._key = None
        self._snapshot: dict | None = None
        self._rng = random.Random(0)

    # the model source ---------------------------------------------------------------------------
    @staticmethod
    def key_of(snapshot: dict) -> tuple:
        return (snapshot.get("epoch"), snapshot.get("state_dict") is None, snapshot.get("config"))

    def refresh_source(self) -> None:
        if self.source is not None:
            self._snapshot = self.source()
            self._key = self.key_of(self._snapshot)

    def poll(self) -> bool:
        """During a run: True when an epoch has ended (or the run or its config changed)."""
        snapshot = self.source()
        key = self.key_of(snapshot)
        if key == self._key:
            return False
        self._key, self._snapshot = key, snapshot
        return True

    # requests and results ---------------------------------------------------------------------
    def request(self, options: dict) -> Request:
        self.generation += 1
        picked = tuple(self.picked) if self.picked is not None else None
        return Request(self.generation, self._snapshot, self.data, picked, self.first, self.count, dict(options))

    def accept(self, generation: int, outcome: Walked | WalkFailed) -> bool:
        """A result arrived: False when a newer request was made since (it is dropped)."""
        if generation != self.generation:
            return False
        self.shown_generation = generation
        match outcome:
            case Walked(anatomy=anatomy, data=data, weights=weights, info=info):
                self.anatomy, self.data, self.weights, self.info = anatomy, data, weights, info
        return True

    # the images -----------------------------------------------------------------------------
    def indices(self) -> list[int]:
        if self.picked is not None:
            return list(self.picked)
        n = self.data.test_size if self.data is not None else self.first + self.count
        return [(self.first + i) % n for i in range(self.count)]

    def change_count(self, delta: int) -> None:
        count = max(1, min(MAX_IMAGES, len(self.indices()) + delta))
        if self.picked is not None:
            self.first = self.picked[0]
        self.picked, self.count = None, count

    def turn_page(self, delta: int) -> None:
        if self.picked is not None:
            self.first, self.picked = self.picked[0], None
        n = self.data.test_size if self.data is not None else None
        self.first = self.first + delta * self.count
        if n:
            self.first %= n
        self.first = max(0, self.first)

    def pick_random(self) -> bool:
        if self.data is None:
            return False
        self.picked = sorted(self._rng.sample(range(self.data.test_size), self.count))
        return True

    # the steps ------------------------------------------------------------------------------
    def steps(self) -> list[str]:
        layers = len(self.anatomy.layers) if self.anatomy is not None else 0
        return ["data", *(f"layer:{i}" for i in range(layers)), "softmax", "params"]

    def go(self, step: int) -> str:
        """Move to ``step`` (clamped); returns its key."""
        steps = self.steps()
        self.step = max(0, min(step, len(steps) - 1))
        return steps[self.step]

    def step_name(self, key: str) -> str:
        if key.startswith("layer:"):
            layer = self.anatomy.layers[int(key[6:])]
            name = layer.repr.split("(", 1)[0]
            return t("anat.step.logits") if layer.is_logits else name
        return t("anat.step." + key)


def walk(request: Request) -> Walked | WalkFailed:
    """On a worker thread: every failure is returned, none raised (none kills the app)."""
    try:
        from nnlab.train import anatomy
        from nnlab.train import data as data_module
        from nnlab.train.model import initial_state

        options = request.options
        config, state, initial, info = resolve(request.snapshot, options)
        data = (
            (request.snapshot or {}).get("data")
            or request.data
            or data_module.load(options.get("data_dir"), allow_sample=True, allow_download=False)
        )
        n = data.test_size
        picked = request.picked
        indices = list(picked) if picked is not None else [(request.first + i) % n for i in range(request.count)]
        model = anatomy.model_from_state(config, state)
        if initial is None and state is not None:
            initial = initial_state(config)  # the engine starts every run from config.seed
        result = anatomy.walk(
            model,
            data.test_x,
            data.test_y,
            indices,
            batch_size=config.batch_size,
            initial_state=initial,
            copy_model=False,
        )
        weights = {k: tuple(v.shape) for k, v in model.state_dict().items()}
        return Walked(result, data, weights, info)
    except Exception as error:  # noqa: BLE001 - shown on the screen
        return WalkFailed(str(error) or type(error).__name__)


def resolve(snapshot: dict | None, options: dict):
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
