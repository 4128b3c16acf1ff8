"""A sweep member's checkpoint: the very file an independent run of its config would write.

``member_checkpoint(mlp, pos, config)`` turns slice ``pos`` of a ``BatchedMLP`` into a CPU module
and a ``torch.optim`` optimizer holding the member's state (SGD momentum buffer; Adam's moments and
step count), so ``checkpoint.save`` writes a normal nnlab checkpoint and ``nnlab train --resume``
(``Trainer._resume``) continues the member alone, bit-identical on the CPU to a run that never
was part of a sweep (tests/train/test_sweep_cli.py).
"""

from __future__ import annotations

import torch

from nnlab.run.config import TrainConfig
from nnlab.train.model import build_model, make_optimizer

CPU = torch.device("cpu")


def member_checkpoint(mlp, pos: int, config: TrainConfig) -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    """(module, optimizer) of stack position ``pos``, on the CPU, copies (the stack trains on)."""
    with torch.device("meta"):  # no initialisation: the global RNG is left alone
        module = build_model(config)
    module.load_state_dict(mlp.member_state(pos), assign=True)
    params = list(module.parameters())
    optimizer = make_optimizer(config, params, CPU)
    kind = config.optimizer
    span = mlp.kinds.get("momentum" if kind == "momentum" else kind)
    local = pos - span.start if span is not None else None
    with torch.no_grad():
        if kind == "momentum" and "buf" in mlp.state:
            for p, buf in zip(params, mlp.state["buf"]):
                optimizer.state[p]["momentum_buffer"] = buf[local].detach().to(CPU, copy=True)
        elif kind == "adam" and "m" in mlp.state:
            steps = float(mlp.step_t.item()) if mlp.device_scalars else float(mlp.steps)
            for p, m, v in zip(params, mlp.state["m"], mlp.state["v"]):
                # as torch.optim.Adam keeps it on the CPU: step a float32 0-dim tensor
                optimizer.state[p].update(
                    step=torch.tensor(steps, dtype=torch.float32),
                    exp_avg=m[local].detach().to(CPU, copy=True),
                    exp_avg_sq=v[local].detach().to(CPU, copy=True),
                )
    return module, optimizer
