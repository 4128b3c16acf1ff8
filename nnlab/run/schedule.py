"""Learning-rate schedules, torch-free: the lr of every batch of a run as a closed form.

``lr_at(config, epoch, batch, batches)`` is the lr of batch ``batch`` (0-based) of epoch
``epoch`` (1-based) when an epoch has ``batches`` batches. ``s = (epoch - 1) · batches + batch``
counts the optimizer steps before this one, ``S = epochs · batches`` all of them:

* ``none``    lr                                                   (the tutorial: constant)
* ``step``    lr · step_gamma ^ ⌊(epoch - 1) / step_every⌋           (per epoch, like StepLR)
* ``cosine``  lr · ½ (1 + cos(π s / S))                              (per batch, CosineAnnealingLR
                                                                     with T_max = S, eta_min = 0)
* ``warmup``  lr · min(1, (s + 1) / warmup_steps)                    (linear, then constant)

A ``warmup_steps > 0`` also ramps ``step`` and ``cosine`` up for their first ``warmup_steps``
batches: the factor ``min(1, (s + 1) / warmup_steps)`` multiplies theirs. The first batch of a
warm-up therefore trains at lr / warmup_steps, never at 0 (a step that does nothing).

A resumed run recomputes the lr from (epoch, batch): a schedule needs no state of its own.
"""

from __future__ import annotations

import math

from nnlab.run.config import TrainConfig


def warmup_factor(config: TrainConfig, step: int) -> float:
    """The linear warm-up factor of optimizer step ``step`` (0-based)."""
    if config.warmup_steps <= 0:
        return 1.0
    return min(1.0, (step + 1) / config.warmup_steps)


def lr_at(config: TrainConfig, epoch: int, batch: int, batches: int) -> float:
    """The lr of batch ``batch`` (0-based) of epoch ``epoch`` (1-based); see the module docstring."""
    base = config.lr
    if not config.scheduled:
        return base
    step = (epoch - 1) * batches + batch
    if config.schedule == "step":
        base = base * config.step_gamma ** ((epoch - 1) // config.step_every)
    elif config.schedule == "cosine":
        total = max(1, config.epochs * batches)
        base = base * 0.5 * (1.0 + math.cos(math.pi * min(step, total) / total))
    return base * warmup_factor(config, step)


def changes_per_batch(config: TrainConfig) -> bool:
    """True when the lr may differ between two batches of one epoch (cosine, warm-up); a step
    schedule changes it only at an epoch's first batch."""
    return config.schedule == "cosine" or config.warmup_steps > 0 or config.schedule == "warmup"


def describe(config: TrainConfig) -> str:
    """A short text of the schedule for progress lines and tables: "cosine", "step 0.1/2ep"."""
    if not config.scheduled:
        return "constant"
    parts = []
    if config.schedule == "step":
        parts.append(f"step ×{config.step_gamma:g}/{config.step_every}ep")
    elif config.schedule == "cosine":
        parts.append("cosine")
    if config.warmup_steps:
        parts.append(f"warmup {config.warmup_steps}")
    return " + ".join(parts)
