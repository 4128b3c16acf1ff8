"""L1/MSE and their gradients against torch autograd; softmax and cross-entropy against torch."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.core import losses as L

torch = pytest.importorskip("torch")

XS = [0.0, 1.0, 2.0, 3.0, 4.0]
YS = [1.2, 2.8, 5.1, 7.2, 8.7]


def _torch_loss(kind, w, b):
    tw = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    r = tw * torch.tensor(XS, dtype=torch.float64) + tb - torch.tensor(YS, dtype=torch.float64)
    loss = r.abs().sum() if kind == "l1" else (r * r).mean()
    loss.backward()
    return loss.item(), tw.grad.item(), tb.grad.item()


@pytest.mark.parametrize("w,b", [(0.5, 0.0), (2.0, 1.0), (-1.3, 4.4), (2.0, 0.8)])
def test_losses_and_gradients_equal_torch(w, b):
    for kind, (value, grad) in L.LOSS_FUNCTIONS.items():
        t_loss, t_gw, t_gb = _torch_loss(kind, w, b)
        assert value(w, b, XS, YS) == pytest.approx(t_loss, abs=1e-12)
        gw, gb = grad(w, b, XS, YS)
        assert gw == pytest.approx(t_gw, abs=1e-12) and gb == pytest.approx(t_gb, abs=1e-12)


def test_l1_is_the_tutorials_sum_of_absolute_errors():
    # w=2, b=1 on these points: residuals -0.2, 0.2, -0.1, -0.2, 0.3
    assert L.l1(2.0, 1.0, XS, YS) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("kind", L.LOSSES)
def test_gradient_descent_makes_the_loss_fall(kind):
    w, b = 0.5, 0.0
    history = [L.LOSS_FUNCTIONS[kind][0](w, b, XS, YS)]
    for _ in range(200):
        step = L.gd_step(w, b, XS, YS, lr=0.02, loss=kind)
        assert step.loss_before == pytest.approx(history[-1])
        w, b = step.w, step.b
        history.append(step.loss_after)
    assert history[-1] < 0.2 * history[0]
    assert history[1] < history[0]
    if kind == "mse":  # converges to least squares
        slope, intercept = np.polyfit(XS, YS, 1)
        assert (w, b) == pytest.approx((slope, intercept), abs=0.05)


def test_one_step_is_w_minus_lr_times_gradient():
    gw, gb = L.mse_grad(0.5, 0.0, XS, YS)
    s = L.gd_step(0.5, 0.0, XS, YS, lr=0.1)
    assert (s.w, s.b, s.grad_w, s.grad_b) == (0.5 - 0.1 * gw, 0.0 - 0.1 * gb, gw, gb)


@pytest.mark.parametrize(
    "logits",
    [[2.0, 1.0, 0.1], [1000.0, 1000.0, 1.0], [-1000.0, 0.0, 1000.0, 3.0], [0.0, 0.0], list(np.linspace(-5, 7, 10))],
)
def test_softmax_and_cross_entropy_equal_torch(logits):
    t = torch.tensor(logits, dtype=torch.float64)
    p = L.softmax(logits)
    assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(p, torch.softmax(t, 0).numpy(), rtol=0, atol=1e-15)
    loss_fn = torch.nn.CrossEntropyLoss()
    for target in range(len(logits)):
        z = t.clone().requires_grad_(True)
        expected = loss_fn(z[None], torch.tensor([target]))
        expected.backward()
        assert L.cross_entropy(logits, target) == pytest.approx(expected.item(), rel=1e-14, abs=1e-12)
        np.testing.assert_allclose(L.cross_entropy_grad(logits, target), z.grad.numpy(), atol=1e-15)


def test_cross_entropy_stays_finite_when_p_target_underflows():
    assert L.softmax([1000.0, 0.0])[1] == 0.0  # e^-1000 is below the smallest float64
    assert L.cross_entropy([1000.0, 0.0], 1) == 1000.0


def test_bad_arguments():
    with pytest.raises(IndexError):
        L.cross_entropy([1.0, 2.0], 2)
    with pytest.raises(ValueError):
        L.l1(1, 0, [1, 2], [1])
