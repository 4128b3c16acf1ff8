"""Losses of the neuron explorer: L1 and MSE of a 1-input linear neuron with their gradients and a
gradient-descent step; a stable softmax and cross-entropy (with its gradient p − onehot)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LOSSES = ("mse", "l1")


def residuals(w: float, b: float, xs: Sequence[float], ys: Sequence[float]) -> np.ndarray:
    """r_i = w·x_i + b − y_i."""
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size == 0:
        raise ValueError("xs and ys must be two non-empty lists of the same length")
    return w * x + b - y


def l1(w: float, b: float, xs, ys) -> float:
    """The tutorial's loss: Σ|w·x_i + b − y_i| (a sum, not a mean)."""
    return math.fsum(np.abs(residuals(w, b, xs, ys)))


def mse(w: float, b: float, xs, ys) -> float:
    """(1/n)·Σ(w·x_i + b − y_i)²."""
    r = residuals(w, b, xs, ys)
    return math.fsum(r * r) / r.size


def l1_grad(w: float, b: float, xs, ys) -> tuple[float, float]:
    """∂L1/∂w = Σ sign(r_i)·x_i, ∂L1/∂b = Σ sign(r_i); sign(0) = 0 as torch's abs backward."""
    r = residuals(w, b, xs, ys)
    s = np.sign(r)
    return math.fsum(s * np.asarray(xs, dtype=np.float64)), math.fsum(s)


def mse_grad(w: float, b: float, xs, ys) -> tuple[float, float]:
    """∂MSE/∂w = (2/n)·Σ r_i·x_i, ∂MSE/∂b = (2/n)·Σ r_i."""
    r = residuals(w, b, xs, ys)
    n = r.size
    return 2.0 * math.fsum(r * np.asarray(xs, dtype=np.float64)) / n, 2.0 * math.fsum(r) / n


LOSS_FUNCTIONS = {"mse": (mse, mse_grad), "l1": (l1, l1_grad)}


@dataclass(frozen=True)
class Step:
    w: float
    b: float
    grad_w: float  # the gradient at the point *before* the step
    grad_b: float
    loss_before: float
    loss_after: float


def gd_step(w: float, b: float, xs, ys, lr: float, loss: str = "mse") -> Step:
    """One gradient-descent step on ``loss``: w ← w − η·∂L/∂w, b ← b − η·∂L/∂b."""
    value, grad = LOSS_FUNCTIONS[loss]
    gw, gb = grad(w, b, xs, ys)
    w2, b2 = w - lr * gw, b - lr * gb
    return Step(w2, b2, gw, gb, value(w, b, xs, ys), value(w2, b2, xs, ys))


def log_softmax(logits: Sequence[float]) -> np.ndarray:
    """z_i − logsumexp(z): subtracting max(z) first keeps every exponent ≤ 0 (stable for 1000)."""
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or z.size == 0:
        raise ValueError("logits must be a non-empty list")
    shifted = z - z.max()
    return shifted - math.log(math.fsum(np.exp(shifted)))


def softmax(logits: Sequence[float]) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max())  # the largest term is e⁰ = 1, the sum is in [1, n]
    return e / e.sum()


def cross_entropy(logits: Sequence[float], target: int) -> float:
    """−log p_target, computed as logsumexp(z) − z_target so it stays finite when p_target
    underflows to 0 (logits (1000, 0) with target 1 give 1000, not inf)."""
    if not 0 <= target < len(logits):
        raise IndexError(f"target class {target} is not one of 0..{len(logits) - 1}")
    return float(-log_softmax(logits)[target])


def cross_entropy_grad(logits: Sequence[float], target: int) -> np.ndarray:
    """∂CE/∂z_i = p_i − [i = target]."""
    g = softmax(logits)
    g[target] -= 1.0
    return g
