"""The PyTorch quickstart's ``NeuralNetwork``: Flatten → 784→512 → ReLU → 512→512 → ReLU → 512→10.

Hidden widths and the activation are configurable; the attribute names stay the tutorial's
(``flatten``, ``linear_relu_stack``) so ``print(model)`` and ``state_dict`` keys read the same.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from nnlab.i18n import t
from nnlab.run.config import ConfigError, TrainConfig

INPUTS = 28 * 28  # one FashionMNIST image, flattened
OUTPUTS = 10  # one logit per class
ACTIVATION_MODULES = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "leaky_relu": nn.LeakyReLU,
}


class NeuralNetwork(nn.Module):
    def __init__(self, hidden: Sequence[int] = (512, 512), activation: str = "relu"):
        super().__init__()
        self.flatten = nn.Flatten()
        widths = [INPUTS, *hidden, OUTPUTS]
        layers: list[nn.Module] = []
        for i, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
            layers.append(nn.Linear(fan_in, fan_out))
            if i < len(widths) - 2:  # no activation after the last layer: CrossEntropyLoss wants logits
                layers.append(ACTIVATION_MODULES[activation]())
        self.linear_relu_stack = nn.Sequential(*layers)

    def forward(self, x):
        x = self.flatten(x)  # [B, 28, 28] or [B, 784] → [B, 784]
        logits = self.linear_relu_stack(x)  # [B, 10]
        return logits


def build_model(config: TrainConfig) -> NeuralNetwork:
    return NeuralNetwork(config.hidden, config.activation)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def parameters_for(hidden: Sequence[int]) -> int:
    """Parameter count without building the model (weights + biases of each Linear)."""
    widths = [INPUTS, *hidden, OUTPUTS]
    return sum(a * b + b for a, b in zip(widths, widths[1:]))


def estimate_bytes(config: TrainConfig, train_size: int, test_size: int) -> int:
    """A rough upper estimate of the memory a run needs on its device (float32 everywhere).

    Weights + gradients + optimizer state (0, 1 or 2 copies), the dataset as floats, and the
    activations of one training batch (kept for backward) and of one evaluation chunk."""
    params = parameters_for(config.hidden)
    state_copies = {"sgd": 0, "momentum": 1, "adam": 2}.get(config.optimizer, 2)
    widest = max([INPUTS, *config.hidden, OUTPUTS])
    activations = 3 * config.batch_size * (INPUTS + 2 * sum(config.hidden) + OUTPUTS)
    eval_chunk = 2 * max(config.batch_size, (1 << 24) // widest) * widest
    dataset = (train_size + test_size) * (INPUTS + 2)
    return 4 * (params * (2 + state_copies) + activations + eval_chunk + dataset)


def fresh_model(config: TrainConfig) -> nn.Module:
    """The untrained model of ``config``: the weights every run of it starts from, seeded and built
    on the CPU (the same weights on every device), without touching the process's global RNG,
    which a UI or another run may be using."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        return build_model(config)


def initial_state(config: TrainConfig) -> dict[str, torch.Tensor]:
    """The weights a run of ``config`` started from, rebuilt from its seed (CPU tensors)."""
    return {k: v.detach().clone() for k, v in fresh_model(config).state_dict().items()}


def make_optimizer(config: TrainConfig, params, device: torch.device):
    """The run's optimizer. On CUDA, Adam is built to be captured in the step's CUDA graph
    (``capturable=True``): fused (one kernel for all parameters) where this torch has it, else
    foreach (about 17 launches a step). Either computes Adam's update as the CPU does, within
    float rounding (tests/train/test_cuda.py compares them). torch's warning that a capturable
    optimizer is stepping outside a capture is switched off for this instance: the warm-up
    before capture and the eager last partial batch of each epoch do exactly that, by design.

    A scheduled run (``config.scheduled``) on CUDA gets its lr as a 0-dim float32 device tensor
    that the captured step reads (``Stepper.set_lr`` fills it): SGD then runs fused, the one
    torch SGD whose kernel takes a tensor lr without a host read (foreach turns it into a Python
    number, which a capture cannot do). On the CPU, and without a schedule, lr stays a float:
    the numbers of every existing run are unchanged."""
    tensor_lr = device.type == "cuda" and config.scheduled
    lr = torch.tensor(config.lr, dtype=torch.float32, device=device) if tensor_lr else config.lr
    if config.optimizer in ("sgd", "momentum"):
        momentum = 0.9 if config.optimizer == "momentum" else 0
        if tensor_lr:
            return torch.optim.SGD(params, lr=lr, momentum=momentum, fused=True)
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    if config.optimizer == "adam":
        if device.type != "cuda":
            return torch.optim.Adam(params, lr=lr)
        params = list(params)
        try:
            optimizer = torch.optim.Adam(params, lr=lr, fused=True, capturable=True)
        except (RuntimeError, TypeError, ValueError):  # a torch or device without fused Adam
            optimizer = torch.optim.Adam(params, lr=lr, foreach=True, capturable=True)
        optimizer._warned_capturable_if_run_uncaptured = True  # torch's own warn-once flag
        return optimizer
    raise ConfigError(t("train.config.bad", name="optimizer", value=config.optimizer, allowed="sgd|momentum|adam"))
