"""Model anatomy: the quickstart's "layer by layer" and "model parameters" walk on real images.

``walk`` takes a model of the tutorial's kind (``NeuralNetwork``: a Flatten then an
``nn.Sequential``) or any chain of modules, a few test images, and returns every step as plain
values: the batch shapes as the DataLoader gives them, each layer's output (and, for an
activation, its input and how many values it set to zero), the softmax probabilities, and every
``named_parameters()`` entry with its statistics and how far it moved since initialisation.

Everything is computed under ``torch.no_grad()`` on a private CPU copy of the weights, so a
training thread that keeps updating its own model can never show through half-updated.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset

from nnlab.i18n import t
from nnlab.run.dataset import ANATOMY_MAX_IMAGES as MAX_IMAGES  # images picked for the layer walk
from nnlab.train.model import fresh_model  # noqa: F401 - part of this module's API

FIRST = 8  # first values reported per tensor
SOFTMAX = nn.Softmax(dim=1)  # the tutorial's `nn.Softmax(dim=1)(logits)`


class AnatomyError(ValueError):
    """The model or the images cannot be walked (e.g. forward is not a chain of its layers)."""


# data --------------------------------------------------------------------------------------
class ToTensorImages(Dataset):
    """uint8 [N, 28, 28] images as torchvision's ``ToTensor()`` gives them: float32 [1, 28, 28]
    in [0, 1], with the label as a Python int (the default collate makes it ``torch.int64``)."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor) -> None:
        self.images, self.labels = images, labels

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        return self.images[i].unsqueeze(0).to(torch.float32).div(255), int(self.labels[i])


@dataclass(frozen=True)
class BatchShapes:
    x_shape: tuple[int, ...]
    x_dtype: str  # "torch.float32"
    y_shape: tuple[int, ...]
    y_dtype: str  # "torch.int64"

    @classmethod
    def of(cls, x: torch.Tensor, y: torch.Tensor) -> BatchShapes:
        return cls(tuple(x.shape), str(x.dtype), tuple(y.shape), str(y.dtype))

    def lines(self) -> tuple[str, str]:
        """The two lines the quickstart prints for a batch, character for character."""
        return (
            f"Shape of X [N, C, H, W]: {torch.Size(self.x_shape)}",
            f"Shape of y: {torch.Size(self.y_shape)} {self.y_dtype}",
        )


@dataclass(frozen=True)
class DataStep:
    loader: BatchShapes  # the first batch of DataLoader(test set, batch_size)
    picked: BatchShapes  # the picked images, through the same dataset and a DataLoader
    batch_size: int
    indices: tuple[int, ...]  # positions in the test set
    labels: tuple[int, ...]
    images: np.ndarray  # uint8 [k, 28, 28], what the terminal draws
    x_min: float  # pixel range after ToTensor (0..1)
    x_max: float


def data_step(
    test_x: torch.Tensor, test_y: torch.Tensor, indices: Sequence[int], batch_size: int = 64
) -> tuple[DataStep, torch.Tensor, torch.Tensor]:
    """The data step, plus the picked batch (X float32 [k, 1, 28, 28], y int64 [k]) to walk."""
    indices = check_indices(indices, len(test_x))
    dataset = ToTensorImages(test_x, test_y)
    x64, y64 = next(iter(DataLoader(dataset, batch_size=batch_size)))
    x, y = next(iter(DataLoader(Subset(dataset, list(indices)), batch_size=len(indices))))
    step = DataStep(
        loader=BatchShapes.of(x64, y64),
        picked=BatchShapes.of(x, y),
        batch_size=batch_size,
        indices=tuple(indices),
        labels=tuple(int(v) for v in y),
        images=test_x[list(indices)].numpy().astype(np.uint8, copy=True),
        x_min=float(x.min()),
        x_max=float(x.max()),
    )
    return step, x, y


def check_indices(indices: Sequence[int], n: int) -> tuple[int, ...]:
    indices = tuple(int(i) for i in indices)
    if not 1 <= len(indices) <= MAX_IMAGES:
        raise AnatomyError(t("anat.err.count", max=MAX_IMAGES, k=len(indices)))
    bad = [i for i in indices if not 0 <= i < n]
    if bad:
        raise AnatomyError(t("anat.err.index", index=bad[0], last=n - 1))
    return indices


# layers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerStep:
    name: str  # the module's path in the model, e.g. "linear_relu_stack.0"
    kind: str  # flatten | linear | activation | other
    repr: str  # the layer as PyTorch prints it
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    output: np.ndarray  # float32 [k, features]: each image's output, flattened
    before: np.ndarray | None  # activation steps: the input, [k, features]
    zeroed: tuple[int, ...] | None  # activation steps: values set to 0 (non-zero before)
    negative_in: tuple[int, ...] | None  # activation steps: negative inputs
    is_logits: bool  # the last layer: its output is the logits


@dataclass(frozen=True)
class SoftmaxStep:
    repr: str  # "Softmax(dim=1)"
    probabilities: np.ndarray  # float32 [k, classes]
    row_sums: tuple[float, ...]  # each row's sum, in float64
    top: tuple[int, ...]  # argmax class per image
    top_p: tuple[float, ...]


def leaf_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The model's leaf modules in registration order (for NeuralNetwork: flatten, then the
    Sequential's layers). ``walk`` checks that chaining them reproduces ``model(x)``."""
    leaves: list[tuple[str, nn.Module]] = []

    def visit(prefix: str, module: nn.Module) -> None:
        children = list(module.named_children())
        if not children:
            leaves.append((prefix, module))
        for name, child in children:
            visit(f"{prefix}.{name}" if prefix else name, child)

    visit("", model)
    return leaves


def _kind(module: nn.Module) -> str:
    if isinstance(module, nn.Flatten):
        return "flatten"
    if isinstance(module, nn.Linear):
        return "linear"
    if type(module).__module__ == "torch.nn.modules.activation":
        return "activation"
    return "other"


def layer_steps(model: nn.Module, x: torch.Tensor) -> tuple[list[LayerStep], torch.Tensor]:
    """Each leaf layer applied in turn to ``x``; returns the steps and the final output."""
    leaves = leaf_layers(model)
    steps: list[LayerStep] = []
    k = x.shape[0]
    out = x
    for i, (name, module) in enumerate(leaves):
        before = out
        out = module(before.clone())  # an in-place layer (ReLU(inplace=True)) must not overwrite `before`
        kind = _kind(module)
        flat_in, flat_out = before.reshape(k, -1), out.reshape(k, -1)
        activation = kind == "activation" and flat_in.shape == flat_out.shape
        steps.append(
            LayerStep(
                name=name,
                kind=kind,
                repr=repr(module),
                input_shape=tuple(before.shape),
                output_shape=tuple(out.shape),
                output=flat_out.numpy().astype(np.float32, copy=True),
                before=flat_in.numpy().astype(np.float32, copy=True) if activation else None,
                zeroed=tuple(int(n) for n in ((flat_in != 0) & (flat_out == 0)).sum(dim=1)) if activation else None,
                negative_in=tuple(int(n) for n in (flat_in < 0).sum(dim=1)) if activation else None,
                is_logits=i == len(leaves) - 1,
            )
        )
    return steps, out


def softmax_step(logits: torch.Tensor) -> SoftmaxStep:
    probs = SOFTMAX(logits)
    top_p, top = probs.max(dim=1)
    return SoftmaxStep(
        repr=repr(SOFTMAX),
        probabilities=probs.numpy().astype(np.float32, copy=True),
        row_sums=tuple(float(s) for s in probs.double().sum(dim=1)),
        top=tuple(int(c) for c in top),
        top_p=tuple(float(p) for p in top_p),
    )


# parameters --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stats:
    mean: float
    std: float  # torch's default: unbiased (n − 1)
    min: float
    max: float

    @classmethod
    def of(cls, tensor: torch.Tensor) -> Stats:
        t = tensor.detach()
        return cls(float(t.mean()), float(t.std()) if t.numel() > 1 else 0.0, float(t.min()), float(t.max()))


@dataclass(frozen=True)
class ParamEntry:
    name: str  # as named_parameters() gives it
    shape: tuple[int, ...]
    numel: int
    first: tuple[float, ...]  # the first values, flattened in memory order
    stats: Stats
    requires_grad: bool
    moved_l2: float | None  # ‖p − p₀‖₂ since initialisation (None without an initial state)
    moved_relative: float | None  # ‖p − p₀‖₂ / ‖p₀‖₂


@dataclass(frozen=True)
class Parameters:
    entries: tuple[ParamEntry, ...]
    total: int
    trainable: int


def parameters(model: nn.Module, initial_state: Mapping[str, torch.Tensor] | None = None) -> Parameters:
    entries = []
    for name, param in model.named_parameters():
        p = param.detach()
        moved = rel = None
        if initial_state is not None and name in initial_state:
            p0 = initial_state[name].detach().to("cpu", p.dtype)
            if p0.shape == p.shape:
                moved = float(torch.linalg.vector_norm(p - p0))
                base = float(torch.linalg.vector_norm(p0))
                rel = moved / base if base > 0 else None
        entries.append(
            ParamEntry(
                name=name,
                shape=tuple(p.shape),
                numel=p.numel(),
                first=tuple(float(v) for v in p.reshape(-1)[:FIRST]),
                stats=Stats.of(p),
                requires_grad=param.requires_grad,
                moved_l2=moved,
                moved_relative=rel,
            )
        )
    return Parameters(
        entries=tuple(entries),
        total=sum(e.numel for e in entries),
        trainable=sum(p.numel() for p in model.parameters() if p.requires_grad),
    )


# the whole walk ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Anatomy:
    model_repr: str
    data: DataStep
    layers: tuple[LayerStep, ...]
    softmax: SoftmaxStep
    parameters: Parameters
    max_forward_diff: float  # |chained layers − model(x)|, checked to be ~0


def _max_diff(a: torch.Tensor, b: torch.Tensor) -> float | None:
    """max |a − b| where both are finite; None when they differ beyond float32 rounding or in
    where they are not finite (a diverged model gives NaN both ways, which is still a chain)."""
    fa, fb = torch.isfinite(a), torch.isfinite(b)
    if not torch.equal(fa, fb) or not torch.equal(a[~fa].isnan(), b[~fb].isnan()):
        return None
    if not fa.any():
        return 0.0
    diff = float((a[fa] - b[fb]).abs().max())
    return diff if diff <= 1e-5 * max(1.0, float(a[fa].abs().max())) else None


def private_copy(model: nn.Module) -> nn.Module:
    """A CPU copy of ``model`` in eval mode, detached from the caller's tensors."""
    with torch.no_grad():
        clone = copy.deepcopy(model).to("cpu")
    return clone.eval()


def snapshot_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """A CPU copy of ``model``'s state_dict. Call it between optimizer steps (in the training
    thread) to hand the UI a consistent snapshot."""
    with torch.no_grad():
        return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


def walk(
    model: nn.Module,
    test_x: torch.Tensor,
    test_y: torch.Tensor,
    indices: Sequence[int],
    batch_size: int = 64,
    initial_state: Mapping[str, torch.Tensor] | None = None,
    copy_model: bool = True,
) -> Anatomy:
    """The whole walk-through for ``indices`` of the test set (uint8 images, int64 labels).

    ``copy_model=False`` only when ``model`` is already private (e.g. built by
    ``model_from_state``); otherwise the weights are copied first."""
    model = private_copy(model) if copy_model else model.eval()
    with torch.no_grad():
        data, x, _ = data_step(test_x, test_y, indices, batch_size)
        layers, logits = layer_steps(model, x)
        direct = model(x)
        if direct.shape != logits.shape:
            raise AnatomyError(t("anat.err.chain"))
        diff = _max_diff(direct, logits)
        if diff is None:
            raise AnatomyError(t("anat.err.chain"))
        return Anatomy(
            model_repr=repr(model),
            data=data,
            layers=tuple(layers),
            softmax=softmax_step(logits),
            parameters=parameters(model, initial_state),
            max_forward_diff=diff,
        )


# models from a config, a snapshot or a checkpoint ------------------------------------------
def model_from_state(config, state_dict: Mapping[str, torch.Tensor] | None) -> nn.Module:
    """A private CPU model of ``config`` holding a copy of ``state_dict`` (None: untrained)."""
    model = fresh_model(config)
    if state_dict is not None:
        with torch.no_grad():
            try:
                model.load_state_dict({k: v.detach().to("cpu", copy=True) for k, v in state_dict.items()})
            except RuntimeError as error:  # missing/unexpected keys or shapes: say which
                raise AnatomyError(t("anat.err.state", why=str(error).strip().splitlines()[-1].strip())) from None
    return model.eval()


# JSON --------------------------------------------------------------------------------------
def _num(x: float) -> float | None:
    """A JSON number; NaN and ±inf (a diverged model) become null so the output stays JSON."""
    x = float(x)
    return x if np.isfinite(x) else None


def _nums(values) -> list[float | None]:
    return [_num(v) for v in np.asarray(values, dtype=np.float64).reshape(-1)]


def _row_summary(row: np.ndarray) -> dict:
    return {
        "first": _nums(row[:FIRST]),
        "min": _num(row.min()),
        "max": _num(row.max()),
        "mean": _num(row.astype(np.float64).mean()),
    }


def to_json(anatomy: Anatomy, classes: Sequence[str]) -> dict:
    """The walk-through as plain JSON values (what `nnlab anatomy --json` prints)."""
    d, sm, params = anatomy.data, anatomy.softmax, anatomy.parameters

    def batch(b: BatchShapes) -> dict:
        return {
            "X_shape": list(b.x_shape),
            "X_dtype": b.x_dtype,
            "y_shape": list(b.y_shape),
            "y_dtype": b.y_dtype,
            "printed": list(b.lines()),
        }

    layers = []
    for step in anatomy.layers:
        entry = {
            "name": step.name,
            "kind": step.kind,
            "repr": step.repr,
            "input_shape": list(step.input_shape),
            "output_shape": list(step.output_shape),
            "is_logits": step.is_logits,
            "per_image": [_row_summary(r) for r in step.output],
        }
        if step.zeroed is not None:
            entry["zeroed"] = list(step.zeroed)
            entry["negative_in"] = list(step.negative_in)
            entry["values_per_image"] = int(step.output.shape[1])
            for summary, before in zip(entry["per_image"], step.before):
                summary["before"] = _row_summary(before)
        if step.is_logits:
            entry["logits"] = [_nums(r) for r in step.output]
        layers.append(entry)
    return {
        "model": anatomy.model_repr,
        "data": {
            "loader_batch": batch(d.loader),
            "batch_size": d.batch_size,
            "picked": {
                **batch(d.picked),
                "indices": list(d.indices),
                "labels": list(d.labels),
                "classes": [classes[c] for c in d.labels],
                "x_min": d.x_min,
                "x_max": d.x_max,
            },
        },
        "layers": layers,
        "softmax": {
            "repr": sm.repr,
            "probabilities": [_nums(r) for r in sm.probabilities],
            "row_sums": _nums(sm.row_sums),
            "top": [
                {"class_index": c, "class": classes[c], "p": _num(p), "label": y, "correct": c == y}
                for c, p, y in zip(sm.top, sm.top_p, d.labels)
            ],
        },
        "parameters": {
            "entries": [
                {
                    "name": e.name,
                    "shape": list(e.shape),
                    "numel": e.numel,
                    "first": _nums(e.first),
                    "mean": _num(e.stats.mean),
                    "std": _num(e.stats.std),
                    "min": _num(e.stats.min),
                    "max": _num(e.stats.max),
                    "requires_grad": e.requires_grad,
                    "moved_l2": None if e.moved_l2 is None else _num(e.moved_l2),
                    "moved_relative": None if e.moved_relative is None else _num(e.moved_relative),
                }
                for e in params.entries
            ],
            "total": params.total,
            "trainable": params.trainable,
        },
        "max_forward_diff": anatomy.max_forward_diff,
    }
