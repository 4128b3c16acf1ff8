"""One neuron: inputs x, weights w, bias b and an activation f → terms w_i·x_i, z, a = f(z), f'(z)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from nnlab.core import activations
from nnlab.core.format import sig as fmt

MAX_INPUTS = 6
MIN_INPUTS = 1


@dataclass(frozen=True)
class Preset:
    key: str  # catalog key of its name: "neuron.preset.<key>"
    inputs: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    activation: str
    input_labels: tuple[str, ...] = ()  # catalog keys naming each input, e.g. "neuron.in.height"
    band: tuple[float, float] | None = None  # an open interval z = w·x + b is checked against (not a = f(z))


PRESETS: dict[str, Preset] = {
    # The tutorial's f(x) = 2x + 1, passed through a sigmoid.
    "one_input": Preset("one_input", (1.0,), (2.0,), 1.0, "sigmoid"),
    # The tutorial's body-weight check: 0.1·1 + 0.03·180 + 0.06·70 + 0 = 9.7, "normal" in (6, 13).
    "body_weight": Preset(
        "body_weight",
        (1.0, 180.0, 70.0),
        (0.1, 0.03, 0.06),
        0.0,
        "identity",
        input_labels=("neuron.in.sex", "neuron.in.height", "neuron.in.weight"),
        band=(6.0, 13.0),
    ),
}


@dataclass(frozen=True)
class NeuronResult:
    inputs: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    activation: str
    terms: tuple[float, ...]  # w_i·x_i
    z: float  # Σ w_i·x_i + b
    a: float  # f(z)
    da: float  # f'(z)

    def in_band(self, band: tuple[float, float]) -> bool:
        """The tutorial's check is on the weighted sum (9.7 in (6, 13)), whatever f then does:
        a sigmoid squashes every z above 6 to ≈ 1, which no band of (6, 13) could hold."""
        lo, hi = band
        return lo < self.z < hi

    @property
    def vanishing(self) -> bool:
        return abs(self.da) < activations.VANISHING

    @property
    def dead_relu(self) -> bool:
        return self.activation == "relu" and self.z < 0

    def sum_written_out(self) -> tuple[str, str]:
        """("w₁·x₁ + … + b" with the numbers, "term₁ + … + b" with the products)."""
        products = " + ".join(f"{fmt(w)}·{_paren(x)}" for w, x in zip(self.weights, self.inputs))
        terms = " + ".join(_paren(term) for term in self.terms)
        return f"{products} + {_paren(self.bias)}", f"{terms} + {_paren(self.bias)}"


def _paren(x: float) -> str:
    return f"({fmt(x)})" if x < 0 else fmt(x)


def evaluate(inputs: Sequence[float], weights: Sequence[float], bias: float, activation: str) -> NeuronResult:
    if len(inputs) != len(weights):
        raise ValueError(f"{len(inputs)} inputs but {len(weights)} weights")
    if not MIN_INPUTS <= len(inputs) <= MAX_INPUTS:
        raise ValueError(f"a neuron here has {MIN_INPUTS} to {MAX_INPUTS} inputs, not {len(inputs)}")
    act = activations.get(activation)
    terms = tuple(float(w) * float(x) for w, x in zip(weights, inputs))
    z = math.fsum((*terms, float(bias)))  # exactly rounded: 0.1 + 5.4 + 4.2 prints as 9.7
    return NeuronResult(
        inputs=tuple(map(float, inputs)),
        weights=tuple(map(float, weights)),
        bias=float(bias),
        activation=activation,
        terms=terms,
        z=z,
        a=act.f(z),
        da=act.df(z),
    )
