"""Every activation and its derivative against torch.nn.functional and torch autograd (float64)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from nnlab.core import activations as A

torch = pytest.importorskip("torch")
F = torch.nn.functional

# The range the issue names, plus the kinks (0) and torch's softplus threshold (20) exactly.
Z = np.unique(np.concatenate([np.linspace(-50.0, 50.0, 2001), [0.0, 20.0, -1e-9, 1e-9, 19.999, 20.001]]))

TORCH = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,  # negative_slope 0.01
    "elu": F.elu,  # alpha 1
    "gelu": lambda z: F.gelu(z, approximate="none"),
    "silu": F.silu,
    "softplus": F.softplus,  # beta 1, threshold 20
    "step": lambda z: torch.heaviside(z, torch.ones_like(z)),
    "identity": lambda z: z,
}


def test_the_table_has_the_ten_activations_of_the_issue():
    assert set(A.NAMES) == set(TORCH)
    assert A.TUTORIAL_THREE == ("sigmoid", "tanh", "relu")
    for act in A.ACTIVATIONS.values():
        assert act.formula and act.derivative and act.output_range


@pytest.mark.parametrize("name", A.NAMES)
def test_values_equal_torch_functional(name):
    ours = A.get(name).f(Z)
    theirs = TORCH[name](torch.tensor(Z, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", [n for n in A.NAMES if n != "step"])
def test_derivatives_equal_torch_autograd(name):
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    TORCH[name](z).sum().backward()
    np.testing.assert_allclose(A.get(name).df(Z), z.grad.numpy(), rtol=0, atol=1e-12)


def test_step_derivative_is_zero_and_step_of_zero_is_one():
    # torch has no derivative for heaviside (autograd refuses); the step's slope is 0 wherever it exists.
    assert A.step(0.0) == 1.0 and A.step(-1e-300) == 0.0
    assert np.all(A.d_step(Z) == 0.0)


def test_kink_conventions_match_torch():
    assert A.d_relu(0.0) == 0.0
    assert A.d_leaky_relu(0.0) == 0.01
    assert A.d_elu(0.0) == 1.0


@pytest.mark.parametrize("name", A.NAMES)
@pytest.mark.parametrize("z", [-1000.0, 1000.0, -1e12, 1e12])
def test_large_z_is_finite_without_warnings(name, z):
    act = A.get(name)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        value, slope = act.f(z), act.df(z)
    assert np.isfinite(value) and np.isfinite(slope)
    if abs(z) == 1000.0:  # torch agrees there too (autograd included)
        t = torch.tensor([z], dtype=torch.float64, requires_grad=True)
        out = TORCH[name](t)
        assert abs(value - out.item()) <= 1e-12 * max(1.0, abs(z))
        if name != "step":
            out.sum().backward()
            assert abs(slope - t.grad.item()) <= 1e-12


def test_scalar_in_scalar_out_array_in_array_out():
    assert isinstance(A.sigmoid(0.0), float) and A.sigmoid(0.0) == 0.5
    out = A.gelu(np.array([-1.0, 0.0, 1.0]))
    assert isinstance(out, np.ndarray) and out.shape == (3,)


def test_sigmoid_is_accurate_in_the_tails():
    # The naive 1/(1+e^-z) returns exactly 0 below z ≈ -745; the stable form keeps e^z.
    assert A.sigmoid(-700.0) == pytest.approx(np.exp(-700.0), rel=1e-12)
    assert A.sigmoid(-1000.0) == 0.0 and A.sigmoid(1000.0) == 1.0


def test_stated_ranges_bound_the_values():
    z = np.linspace(-60, 60, 24001)
    assert A.gelu(z).min() == pytest.approx(-0.16997, abs=1e-5)  # the "[−0.17, ∞)" in its range
    assert A.silu(z).min() == pytest.approx(-0.27846, abs=1e-5)  # the "[−0.28, ∞)"
    assert A.elu(z).min() >= -1 and A.elu(-5.0) > -1 and A.tanh(z).max() <= 1


def test_unknown_name_says_which_exist():
    with pytest.raises(KeyError, match="sigmoid"):
        A.get("swish")
