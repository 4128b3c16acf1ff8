"""RunInspection: the TrainSession's look-ups for Anatomy and Insight's confusion-matrix cells.

A mixin of ``TrainSession`` (``nnlab.ui.train.session``): what the Anatomy view inspects (config,
weights, initial weights, data) and the test images behind a confusion-matrix cell, predicted on a
worker. Widget-free; torch only inside the jobs and deferred imports.
"""

from __future__ import annotations

from nnlab.i18n import t
from nnlab.run.config import PRESETS


class RunInspection:
    """Anatomy's source and the Insight page's cell images; mixed into ``TrainSession``."""

    # anatomy -----------------------------------------------------------------------------------
    def anatomy_source(self) -> dict:
        """What the Anatomy view inspects: config, consistent weights, initial weights, data, epoch."""
        run = self.run
        config = run.config if run else (self.view.form_config(show=False) or PRESETS["tutorial"])
        info = run.snapshot_info() if run else None
        return {
            "config": config,
            "state_dict": info.state_dict if info else None,
            "initial_state_dict": self.initial_weights(run),
            "data": self.data if self.data is not None else (run.data if run else None),
            "epoch": info.epoch if info else 0,
        }

    def initial_weights(self, run) -> dict | None:
        """The run's weights before its first step: rebuilt exactly as the engine builds them
        (the seed, on the CPU, the global RNG forked). None for resumed runs and before a run."""
        if run is None or run.resume_path:
            return None
        if getattr(run, "_initial", None) is None:
            from nnlab.train.model import initial_state

            run._initial = initial_state(run.config)
        return run._initial

    # confusion-matrix cells (Insight) ------------------------------------------------------------
    def pair_images(self, true: int, predicted: int) -> None:
        """Enter on a cell: the test images of class ``true`` predicted as ``predicted``, by the
        weights of the run's latest snapshot (every test image predicted once per snapshot, on a worker)."""
        run = self.run
        info = run.snapshot_info() if run is not None else None
        data = self.data if self.data is not None else getattr(run, "data", None)
        if info is None or data is None:
            self.view.notify(t("dash.pair.no_weights"), severity="warning")
            return
        key = (run.run_id, info.version)
        if self.predictions is not None and self.predictions[0] == key:
            self._show_pair(true, predicted, info.epoch, data, self.predictions[1])
            return
        self._wanted_pair = (true, predicted, info.epoch, data)
        config, state = run.config, info.state_dict

        def job() -> list[int]:
            from nnlab.train.predictions import predict_test_set  # torch: on the worker thread

            return predict_test_set(config, state, data.test_x)

        self.view.notify(t("dash.pair.working"), timeout=2)
        self.view.predict(key, job)

    def on_predicted(self, key, predictions, error: str | None) -> None:
        wanted, self._wanted_pair = self._wanted_pair, None
        if predictions is None:
            self.view.notify(t("dash.pair.failed", why=error), severity="error")
            return
        self.predictions = (key, list(predictions))
        if wanted is not None:
            true, predicted, epoch, data = wanted
            self._show_pair(true, predicted, epoch, data, self.predictions[1])

    def _show_pair(self, true: int, predicted: int, epoch: int, data, predictions) -> None:
        labels = data.test_y.tolist() if hasattr(data.test_y, "tolist") else list(data.test_y)
        indices = [i for i, (y, p) in enumerate(zip(labels, predictions)) if y == true and p == predicted]
        self.view.show_pair(true, predicted, epoch, indices, data, predictions)
