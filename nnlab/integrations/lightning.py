"""A Lightning ``Trainer`` writing an nnlab run, paused and stopped from a viewer at batch boundaries.

    from nnlab.integrations.lightning import NnlabLogger
    logger = NnlabLogger(name="mnist", runs_dir="runs")
    trainer = Trainer(logger=logger, callbacks=[logger.steering()])

``NnlabLogger`` (a Lightning ``Logger``) writes every ``self.log`` metric as ``scalars`` at the
trainer's global step, the hyperparameters into run.json's config, and ends the run completed,
stopped or failed. ``logger.steering()`` (a ``Callback``): ``on_train_batch_start`` waits while
the run is paused (a single step lets one batch through), a stop sets ``trainer.should_stop``, a
save request writes ``checkpoint.ckpt`` in the run directory (``trainer.save_checkpoint``);
``on_train_epoch_end`` records ``epoch_metrics`` from ``trainer.callback_metrics``. Rank 0
only writes; under DDP the other ranks' loggers do nothing (use nnlab.integrations.distributed
for every rank's throughput).
"""

from __future__ import annotations

import os
from typing import Any

from nnlab.i18n import t
from nnlab.integrations.tensorboard import ExtraMissing

try:
    from lightning.pytorch.callbacks import Callback
    from lightning.pytorch.loggers.logger import Logger
    from lightning.pytorch.utilities import rank_zero_only
except ImportError:  # the older package name
    try:
        from pytorch_lightning.callbacks import Callback
        from pytorch_lightning.loggers.logger import Logger
        from pytorch_lightning.utilities import rank_zero_only
    except ImportError:
        raise ExtraMissing(
            t("track.extra_missing", what="nnlab.integrations.lightning", package="lightning", extra="lightning")
        ) from None

import nnlab.track


class NnlabLogger(Logger):
    """Lightning's logger interface over one nnlab.track run (made at the first use, on rank 0)."""

    def __init__(
        self, name: str = "", runs_dir: str | os.PathLike | None = None, config: dict | None = None, quiet: bool = False
    ):
        super().__init__()
        self._name, self._runs_dir, self._config, self._quiet = name, runs_dir, dict(config or {}), quiet
        self._run: nnlab.track.Run | None = None

    @property
    def name(self) -> str:
        return self._name or "lightning"

    @property
    def version(self) -> str:
        return self._run.id if self._run is not None else ""

    @property
    @rank_zero_only
    def experiment(self) -> nnlab.track.Run:
        """The nnlab.track run (made on first use)."""
        if self._run is None:
            self._run = nnlab.track.init(
                name=self.name, config=self._config, runs_dir=self._runs_dir, quiet=self._quiet
            )
        return self._run

    @property
    def run(self) -> nnlab.track.Run | None:
        return self._run

    @rank_zero_only
    def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:
        params = vars(params) if hasattr(params, "__dict__") and not isinstance(params, dict) else dict(params or {})
        self._config.update(params)
        run = self.experiment
        if run is not None:  # the run already exists: its config is kept in run.json too
            from nnlab.track.records import plain

            try:
                run.rd = run.rd.update_config({**run.rd.config, **plain(params)})
            except Exception:  # noqa: BLE001 - hyperparameters are a convenience, never a crash
                pass

    @rank_zero_only
    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        values = {k: v for k, v in metrics.items() if k != "epoch"}
        if values:
            self.experiment.log(values, step=None if step is None else int(step) + 1)

    @rank_zero_only
    def finalize(self, status: str) -> None:
        if self._run is not None and not self._run.finished:
            self._run.finish(error="Lightning: fit failed" if status == "failed" else None)

    def steering(self) -> NnlabSteering:
        return NnlabSteering(self)


class NnlabSteering(Callback):
    """Pause, single step, stop and save-now from a viewer, at Lightning's batch boundaries."""

    def __init__(self, logger: NnlabLogger):
        self.logger = logger

    def _run(self, trainer) -> nnlab.track.Run | None:
        if not trainer.is_global_zero:
            return None
        return self.logger.experiment

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        run = self._run(trainer)
        if run is None:
            return
        if run.on_save is None:
            run.on_save = lambda: self._save(trainer)
        run.wait_if_paused()
        if run.save_requested():
            run.saved(self._save(trainer))
        if run.should_stop():
            trainer.should_stop = True

    @staticmethod
    def _save(trainer) -> str:
        run = trainer.loggers and next((lg.run for lg in trainer.loggers if isinstance(lg, NnlabLogger)), None)
        path = os.path.join(str(run.path) if run else ".", "checkpoint.ckpt")
        trainer.save_checkpoint(path)
        return path

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        run = self._run(trainer)
        if run is None or run.finished:
            return
        metrics = {k: v for k, v in trainer.callback_metrics.items() if getattr(v, "numel", lambda: 1)() == 1}
        run.epoch(trainer.current_epoch + 1, **metrics)

    def on_exception(self, trainer, pl_module, exception: BaseException) -> None:
        run = self.logger.run
        if run is not None and not run.finished:
            run._fail_with(exception)

    def on_fit_end(self, trainer, pl_module) -> None:
        run = self.logger.run
        if run is not None and not run.finished and trainer.is_global_zero:
            run.finish()


__all__ = ["NnlabLogger", "NnlabSteering"]
