"""Ten activation functions with their derivatives, formulas and ranges (numpy float64, stable).

Each function takes a scalar or an array and returns float64. None overflows or warns for any
finite z (|z| = 1000 included): exponentials are only ever taken of non-positive numbers.
Conventions follow torch: ReLU'(0) = 0, leaky ReLU'(0) = 0.01, ELU'(0) = 1, GELU is the exact
erf form, softplus has torch's default threshold (it returns z itself for z > 20, where
ln(1 + eᶻ) differs from z by less than 2.1e-9), and step(0) = 1 (``torch.heaviside(z, 1)``)
with derivative 0 everywhere (torch defines none).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
LEAKY_SLOPE = 0.01  # torch.nn.functional.leaky_relu's default negative_slope
ELU_ALPHA = 1.0  # torch's default alpha
SOFTPLUS_THRESHOLD = 20.0  # torch's default: softplus(z) = z above it
_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_erfc = np.frompyfunc(math.erfc, 1, 1)  # numpy has no erf; math.erfc is correctly rounded-ish and never warns


def _z(z) -> Array:
    return np.asarray(z, dtype=np.float64)


def _out(values: Array, like) -> Array | float:
    values = np.asarray(values, dtype=np.float64)
    return float(values) if np.ndim(like) == 0 else values


# --- the functions, each next to its derivative --------------------------------------------


def sigmoid(z):
    z = _z(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return _out(np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), z)


def d_sigmoid(z):
    s = _z(sigmoid(z))
    return _out(s * (1.0 - s), z)


def tanh(z):
    z = _z(z)
    return _out(np.tanh(z), z)


def d_tanh(z):
    th = np.tanh(_z(z))
    return _out(1.0 - th * th, z)


def relu(z):
    z = _z(z)
    return _out(np.maximum(z, 0.0), z)


def d_relu(z):
    z = _z(z)
    return _out((z > 0).astype(np.float64), z)  # 0 at z = 0, as torch


def leaky_relu(z):
    z = _z(z)
    return _out(np.where(z > 0, z, LEAKY_SLOPE * z), z)


def d_leaky_relu(z):
    z = _z(z)
    return _out(np.where(z > 0, 1.0, LEAKY_SLOPE), z)


def elu(z):
    z = _z(z)
    return _out(np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0))), z)


def d_elu(z):
    z = _z(z)
    return _out(np.where(z > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0))), z)


def _phi_cdf(z: Array) -> Array:
    """Φ(z) = ½·erfc(−z/√2): accurate in both tails, unlike ½(1 + erf)."""
    return 0.5 * np.asarray(_erfc(-z * _SQRT1_2), dtype=np.float64)


def gelu(z):
    z = _z(z)
    return _out(z * _phi_cdf(z), z)


def d_gelu(z):
    z = _z(z)
    zc = np.clip(z, -40.0, 40.0)  # φ(±40) ≈ 1e-348 is already 0 in float64; clipping keeps z² finite
    pdf = np.exp(-0.5 * zc * zc) * _INV_SQRT_2PI  # φ(z)
    return _out(_phi_cdf(z) + z * pdf, z)


def silu(z):
    z = _z(z)
    return _out(z * _z(sigmoid(z)), z)


def d_silu(z):
    z = _z(z)
    s = _z(sigmoid(z))
    return _out(s * (1.0 + z * (1.0 - s)), z)


def softplus(z):
    z = _z(z)
    exact = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))  # ln(1 + eᶻ) without overflow
    return _out(np.where(z > SOFTPLUS_THRESHOLD, z, exact), z)


def d_softplus(z):
    z = _z(z)
    return _out(np.where(z > SOFTPLUS_THRESHOLD, 1.0, _z(sigmoid(z))), z)


def step(z):
    z = _z(z)
    return _out((z >= 0).astype(np.float64), z)  # step(0) = 1, as torch.heaviside(z, 1)


def d_step(z):
    z = _z(z)
    return _out(np.zeros_like(z), z)


def identity(z):
    z = _z(z)
    return _out(z.copy(), z)


def d_identity(z):
    z = _z(z)
    return _out(np.ones_like(z), z)


# --- the table the UI and tests read -------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    name: str  # the key used everywhere (CLI, catalog "neuron.act.<name>")
    label: str  # short symbol used in formulas
    f: Callable
    df: Callable
    formula: str  # f(z) written out; identical in every language
    derivative: str  # f'(z) written out
    output_range: str


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", "σ", sigmoid, d_sigmoid, "σ(z) = 1 / (1 + e^(−z))", "σ'(z) = σ(z)·(1 − σ(z))", "(0, 1)"),
        Activation(
            "tanh",
            "tanh",
            tanh,
            d_tanh,
            "tanh(z) = (eᶻ − e^(−z)) / (eᶻ + e^(−z))",
            "tanh'(z) = 1 − tanh²(z)",
            "(−1, 1)",
        ),
        Activation("relu", "ReLU", relu, d_relu, "ReLU(z) = max(0, z)", "ReLU'(z) = 1 if z > 0, else 0", "[0, ∞)"),
        Activation(
            "leaky_relu",
            "LReLU",
            leaky_relu,
            d_leaky_relu,
            "LReLU(z) = z if z > 0, else 0.01·z",
            "LReLU'(z) = 1 if z > 0, else 0.01",
            "(−∞, ∞)",
        ),
        Activation(
            "elu",
            "ELU",
            elu,
            d_elu,
            "ELU(z) = z if z > 0, else eᶻ − 1",
            "ELU'(z) = 1 if z > 0, else eᶻ",
            "(−1, ∞)",
        ),
        Activation(
            "gelu",
            "GELU",
            gelu,
            d_gelu,
            "GELU(z) = z·Φ(z) = z·½(1 + erf(z/√2))",
            "GELU'(z) = Φ(z) + z·φ(z)",
            "[−0.17, ∞)",
        ),
        Activation(
            "silu", "SiLU", silu, d_silu, "SiLU(z) = z·σ(z)", "SiLU'(z) = σ(z)·(1 + z·(1 − σ(z)))", "[−0.28, ∞)"
        ),
        Activation(
            "softplus",
            "softplus",
            softplus,
            d_softplus,
            "softplus(z) = ln(1 + eᶻ); z if z > 20",
            "softplus'(z) = σ(z); 1 if z > 20",
            "(0, ∞)",
        ),
        Activation("step", "step", step, d_step, "step(z) = 1 if z ≥ 0, else 0", "step'(z) = 0 (z ≠ 0)", "{0, 1}"),
        Activation("identity", "id", identity, d_identity, "id(z) = z", "id'(z) = 1", "(−∞, ∞)"),
    )
}

NAMES: tuple[str, ...] = tuple(ACTIVATIONS)
TUTORIAL_THREE: tuple[str, ...] = ("sigmoid", "tanh", "relu")
VANISHING = 0.01  # |f'(z)| below this: "the gradient vanishes here"


def get(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise KeyError(f"unknown activation {name!r}; choose one of {', '.join(NAMES)}") from None
