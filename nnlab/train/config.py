"""TrainConfig: every hyperparameter of a run in one dataclass, with presets and validation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

OPTIMIZERS = ("sgd", "momentum", "adam")
ACTIVATIONS = ("relu", "sigmoid", "tanh", "gelu", "leaky_relu")


class ConfigError(ValueError):
    """A value out of range; the message names the field and the allowed range."""


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 5                          # full passes over the training set
    batch_size: int = 64                     # samples per SGD step
    lr: float = 1e-3                         # learning rate
    optimizer: str = "sgd"                   # sgd | momentum (0.9) | adam
    seed: int = 0                            # torch.manual_seed for init and shuffling
    device: str = "auto"                     # auto | cpu | cuda | cuda:N
    hidden: tuple[int, ...] = (512, 512)     # hidden layer widths, 784 → ... → 10
    activation: str = "relu"                 # between the linear layers
    preset: str = "tutorial"                 # the preset this config started from

    def to_dict(self) -> dict:
        data = asdict(self)
        data["hidden"] = list(self.hidden)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "hidden" in values:
            values["hidden"] = tuple(int(h) for h in values["hidden"])
        return cls(**values)

    def with_(self, **changes) -> "TrainConfig":
        return replace(self, **changes)


PRESETS: dict[str, TrainConfig] = {
    # The PyTorch quickstart exactly: 784-512-512-10, ReLU, CrossEntropy, SGD lr 1e-3, batch 64.
    "tutorial": TrainConfig(),
    # Filled in by the engine issue with measured settings (≥ 88% test accuracy in ≤ 10 epochs).
    "fast": TrainConfig(epochs=10, batch_size=128, lr=1e-3, optimizer="adam", preset="fast"),
}
