"""What a batched group needs before it trains: its memory estimate, the check that it fits, its forward."""

from __future__ import annotations

import torch

from nnlab.i18n import t
from nnlab.run.config import TrainConfig
from nnlab.run.errors import ConfigError
from nnlab.train.device import resolve_device
from nnlab.train.memory import available_bytes
from nnlab.train.model import INPUTS, OUTPUTS, estimate_bytes


def group_bytes(configs: list[TrainConfig], train_size: int, test_size: int) -> int:
    """Estimated bytes of one batched group: each member's weights, gradients, optimizer state and
    batch activations (``model.estimate_bytes`` without data), plus the dataset and one evaluation
    chunk once (members are evaluated one after the other)."""
    first = configs[0]
    widest = max([INPUTS, *first.hidden, OUTPUTS])
    eval_chunk = 4 * 2 * max(first.batch_size, (1 << 24) // widest) * widest
    dataset = 4 * (train_size + test_size) * (INPUTS + 2)
    per_member = sum(estimate_bytes(c, 0, 0) - eval_chunk for c in configs)
    return dataset + eval_chunk + per_member


def check_group_fits(configs: list[TrainConfig], train_size: int, test_size: int, device=None) -> int:
    """The estimate, or ConfigError naming the member count, the estimate and what is free."""
    device = resolve_device(configs[0].device) if device is None else device
    need = group_bytes(configs, train_size or 60_000, test_size or 10_000)
    have = available_bytes(device)
    if have is not None and need > have:
        raise ConfigError(
            t(
                "sweep.too_big",
                members=len(configs),
                need=f"{need / 2**30:.2f}",
                have=f"{have / 2**30:.2f}",
                device=getattr(device, "type", str(device)),
            )
        )
    return need


def choose_impl(device: torch.device) -> str:
    """The forward measured faster (and bit-identical) on the CPU, and used for CUDA graphs too
    until a GPU measurement says otherwise: ``nnlab bench sweep --impl both`` compares them."""
    return "bmm"
