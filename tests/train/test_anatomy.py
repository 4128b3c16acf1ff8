"""Model anatomy: every step agrees with running the same modules in torch directly."""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest
import torch
from torch import nn

from nnlab.run.config import TrainConfig
from nnlab.run.control import Control
from nnlab.train import anatomy as A
from nnlab.train import data as D
from nnlab.train.model import NeuralNetwork, count_parameters, initial_state

TUTORIAL = TrainConfig()


@pytest.fixture(scope="module")
def fashion():
    return D.synthetic(n_train=512, n_test=96, seed=1)


def _to_tensor(images: torch.Tensor) -> torch.Tensor:
    """torchvision's own ToTensor, image by image: the reference for the data step."""
    from torchvision.transforms import ToTensor

    return torch.stack([ToTensor()(img.numpy()) for img in images])


def test_data_step_prints_the_tutorial_lines_and_gives_totensor_values(fashion):
    step, x, y = A.data_step(fashion.test_x, fashion.test_y, [5, 0, 7], batch_size=64)
    assert step.loader.lines() == (
        "Shape of X [N, C, H, W]: torch.Size([64, 1, 28, 28])",
        "Shape of y: torch.Size([64]) torch.int64",
    )
    assert step.picked.lines() == (
        "Shape of X [N, C, H, W]: torch.Size([3, 1, 28, 28])",
        "Shape of y: torch.Size([3]) torch.int64",
    )
    assert x.dtype == torch.float32 and y.dtype == torch.int64
    assert torch.equal(x, _to_tensor(fashion.test_x[[5, 0, 7]]))
    assert step.labels == tuple(int(v) for v in fashion.test_y[[5, 0, 7]])
    assert np.array_equal(step.images, fashion.test_x[[5, 0, 7]].numpy())
    assert 0.0 <= step.x_min < step.x_max <= 1.0


def test_the_loader_batch_follows_the_batch_size(fashion):
    step, _, _ = A.data_step(fashion.test_x, fashion.test_y, [0], batch_size=32)
    assert step.loader.x_shape == (32, 1, 28, 28) and step.loader.y_shape == (32,)
    assert step.picked.x_shape == (1, 1, 28, 28)


@pytest.mark.parametrize("indices", [[], list(range(9)), [96], [-1]])
def test_bad_picks_are_refused_with_a_reason(fashion, indices):
    with pytest.raises(A.AnatomyError):
        A.walk(A.fresh_model(TUTORIAL), fashion.test_x, fashion.test_y, indices)


def test_layer_steps_agree_with_the_modules_run_directly(fashion):
    model = A.fresh_model(TUTORIAL)
    result = A.walk(model, fashion.test_x, fashion.test_y, [0, 1, 2])
    x = _to_tensor(fashion.test_x[:3])
    stack = model.linear_relu_stack
    with torch.no_grad():
        expected = [model.flatten(x)]
        for layer in stack:
            expected.append(layer(expected[-1]))
        direct = model(x)
    names = [s.name for s in result.layers]
    assert names == ["flatten"] + [f"linear_relu_stack.{i}" for i in range(5)]
    assert [s.kind for s in result.layers] == ["flatten", "linear", "activation", "linear", "activation", "linear"]
    assert [s.repr for s in result.layers] == [repr(model.flatten)] + [repr(m) for m in stack]
    assert result.layers[1].repr == "Linear(in_features=784, out_features=512, bias=True)"
    assert [s.output_shape for s in result.layers] == [(3, 784), (3, 512), (3, 512), (3, 512), (3, 512), (3, 10)]
    assert result.layers[0].input_shape == (3, 1, 28, 28)
    for step, want in zip(result.layers, expected):
        assert np.array_equal(step.output, want.numpy())
    assert [s.is_logits for s in result.layers] == [False] * 5 + [True]
    assert np.array_equal(result.layers[-1].output, direct.numpy())
    assert result.max_forward_diff == 0.0


def test_relu_before_after_and_the_zeroed_count(fashion):
    model = A.fresh_model(TUTORIAL)
    result = A.walk(model, fashion.test_x, fashion.test_y, [3, 4])
    relu = result.layers[2]
    assert np.array_equal(relu.before, result.layers[1].output)
    assert np.array_equal(relu.output, np.maximum(relu.before, 0))
    negatives = (relu.before < 0).sum(axis=1)
    assert relu.zeroed == tuple(int(n) for n in negatives) == relu.negative_in
    assert all(0 < z < 512 for z in relu.zeroed)  # an untrained layer: about half its outputs < 0


def test_zeroed_counts_only_values_the_activation_changed_to_zero():
    """Hand-set weights: outputs −2, 0, 3, −0.5 → ReLU zeroes 2 (the exact 0 was already 0)."""
    layer = nn.Linear(784, 4)
    with torch.no_grad():
        layer.weight.zero_()
        layer.bias.copy_(torch.tensor([-2.0, 0.0, 3.0, -0.5]))
    model = nn.Sequential(nn.Flatten(), layer, nn.ReLU(inplace=True))  # in-place must not hide "before"
    images = torch.zeros(2, 28, 28, dtype=torch.uint8)
    result = A.walk(model, images, torch.tensor([0, 1]), [0, 1])
    relu = result.layers[2]
    assert relu.before.tolist() == [[-2.0, 0.0, 3.0, -0.5]] * 2
    assert relu.output.tolist() == [[0.0, 0.0, 3.0, 0.0]] * 2
    assert relu.zeroed == (2, 2) and relu.negative_in == (2, 2)
    leaky = A.walk(nn.Sequential(nn.Flatten(), layer, nn.LeakyReLU(0.1)), images, torch.tensor([0, 1]), [0])
    assert leaky.layers[2].zeroed == (0,) and leaky.layers[2].negative_in == (2,)


def test_softmax_rows_sum_to_one_and_match_torch(fashion):
    model = A.fresh_model(TUTORIAL)
    result = A.walk(model, fashion.test_x, fashion.test_y, list(range(8)))
    logits = torch.from_numpy(result.layers[-1].output)
    probs = torch.softmax(logits, dim=1)
    assert result.softmax.repr == "Softmax(dim=1)"
    assert np.array_equal(result.softmax.probabilities, probs.numpy())
    assert all(abs(s - 1.0) <= 1e-6 for s in result.softmax.row_sums)
    assert result.softmax.row_sums == tuple(float(s) for s in probs.double().sum(dim=1))
    assert result.softmax.top == tuple(int(c) for c in probs.argmax(dim=1))
    assert result.softmax.top_p == tuple(float(p) for p in probs.max(dim=1).values)


def test_parameter_count_and_statistics_equal_torch(fashion):
    model = A.fresh_model(TUTORIAL)
    result = A.walk(model, fashion.test_x, fashion.test_y, [0])
    params = result.parameters
    assert params.total == params.trainable == count_parameters(model) == 669_706
    named = list(model.named_parameters())
    assert [e.name for e in params.entries] == [n for n, _ in named]
    for entry, (_name, p) in zip(params.entries, named):
        p = p.detach()
        assert entry.shape == tuple(p.shape) and entry.numel == p.numel()
        assert entry.first == tuple(p.reshape(-1)[: A.FIRST].tolist())
        assert entry.stats == A.Stats(p.mean().item(), p.std().item(), p.min().item(), p.max().item())
        assert entry.moved_l2 is None and entry.moved_relative is None
    assert params.entries[0].shape == (512, 784) and params.entries[0].numel == 401_408


def test_distance_moved_since_initialisation():
    model = A.fresh_model(TUTORIAL)
    initial = A.snapshot_state(model)
    with torch.no_grad():
        model.linear_relu_stack[4].bias.add_(0.5)  # 10 values moved by 0.5: ‖Δ‖ = √(10·0.25)
    result = A.walk(
        model, torch.zeros(1, 28, 28, dtype=torch.uint8), torch.zeros(1, dtype=torch.int64), [0], initial_state=initial
    )
    moved = {e.name: (e.moved_l2, e.moved_relative) for e in result.parameters.entries}
    l2, rel = moved["linear_relu_stack.4.bias"]
    assert l2 == pytest.approx(math.sqrt(2.5), rel=1e-6)
    assert rel == pytest.approx(l2 / initial["linear_relu_stack.4.bias"].norm().item(), rel=1e-6)
    assert moved["linear_relu_stack.0.weight"] == (0.0, 0.0)


def test_walk_works_on_a_private_copy(fashion):
    model = A.fresh_model(TUTORIAL).train()
    result = A.walk(model, fashion.test_x, fashion.test_y, [0, 1])
    before = result.layers[-1].output.copy()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    assert model.training  # the caller's model is not switched to eval
    assert np.array_equal(result.layers[-1].output, before)
    assert result.parameters.entries[-1].first != tuple(model.linear_relu_stack[4].bias[:8].tolist())


def test_model_from_state_copies_and_refuses_mismatched_weights():
    state = A.snapshot_state(A.fresh_model(TUTORIAL.with_(seed=5)))
    model = A.model_from_state(TUTORIAL, state)
    state["linear_relu_stack.4.bias"].add_(1.0)  # changing the snapshot afterwards changes nothing
    assert not torch.equal(model.linear_relu_stack[4].bias, state["linear_relu_stack.4.bias"])
    with pytest.raises(A.AnatomyError, match="linear_relu_stack"):
        A.model_from_state(TUTORIAL.with_(hidden=(64,)), state)


def test_a_model_whose_forward_is_not_its_chain_is_refused(fashion):
    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten, self.linear = nn.Flatten(), nn.Linear(784, 784)

        def forward(self, x):
            x = self.flatten(x)
            return x + self.linear(x)

    with pytest.raises(A.AnatomyError):
        A.walk(Residual(), fashion.test_x, fashion.test_y, [0])


def test_other_architectures_and_activations(fashion):
    config = TrainConfig(hidden=(32, 16, 8), activation="tanh")
    result = A.walk(A.fresh_model(config), fashion.test_x, fashion.test_y, [0, 1])
    assert [s.repr for s in result.layers if s.kind == "activation"] == ["Tanh()"] * 3
    assert result.parameters.total == count_parameters(NeuralNetwork((32, 16, 8), "tanh"))
    tanh = result.layers[2]
    assert np.allclose(tanh.output, np.tanh(tanh.before), atol=1e-6)


def test_the_untrained_model_is_the_engines_initial_weights(fashion):
    """``initial_state(config)`` is what the engine starts from: moved-since-init is exact."""
    from nnlab.train import engine

    config = TrainConfig(epochs=1, hidden=(32,), device="cpu", seed=7)
    control = Control()
    control.pause()  # publishes its snapshot before the first batch, then waits
    thread = threading.Thread(target=engine.run, args=(config, fashion, lambda e: None, control), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while control.snapshot() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    snap_config, state = control.snapshot()
    control.stop()
    thread.join(30)
    initial = initial_state(config)
    assert snap_config == config and set(state) == set(initial)
    assert all(torch.equal(state[k], initial[k]) for k in initial)


def test_mid_run_the_view_reads_the_engines_consistent_snapshots(fashion):
    """A live run, paused and stepped one batch at a time: each walk of the engine's snapshot
    equals a model loaded with that snapshot, and the distance moved grows step by step."""
    from nnlab.train import engine

    config = TrainConfig(epochs=2, hidden=(64,), device="cpu", seed=2, lr=0.05)
    control = Control()
    control.pause()
    thread = threading.Thread(target=engine.run, args=(config, fashion, lambda e: None, control), daemon=True)
    thread.start()
    initial = initial_state(config)

    def next_snapshot(after: int):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            info = control.snapshot_info()
            if info is not None and info.version > after:
                return info
            time.sleep(0.005)
        raise AssertionError("no new snapshot from the engine")

    info, moved = next_snapshot(0), []
    try:
        for _ in range(4):
            assert control.step()
            info = next_snapshot(info.version)
            assert thread.is_alive() and info.epoch == 0  # mid-run: inside the first epoch
            result = A.walk(
                A.model_from_state(config, info.state_dict),
                fashion.test_x,
                fashion.test_y,
                [0, 1],
                initial_state=initial,
                copy_model=False,
            )
            reference = A.fresh_model(config)
            reference.load_state_dict(info.state_dict)
            with torch.no_grad():
                assert np.array_equal(result.layers[-1].output, reference(_to_tensor(fashion.test_x[:2])).numpy())
                for entry, (name, p) in zip(result.parameters.entries, reference.named_parameters()):
                    assert entry.stats == A.Stats.of(p) and entry.first == tuple(p.reshape(-1)[: A.FIRST].tolist())
                    assert entry.moved_l2 == pytest.approx(float((p - initial[name]).norm()), rel=1e-5, abs=1e-7)
            moved.append(result.parameters.entries[0].moved_l2)
    finally:
        control.stop()
        thread.join(30)
    assert moved == sorted(moved) and moved[0] > 0  # one SGD step after another, away from the init


def test_snapshots_taken_between_updates_are_never_half_updated():
    """A trainer thread adds 1 to every parameter, one tensor at a time, and publishes
    ``snapshot_state`` between steps; every walk sees all tensors at the same step."""
    model = A.fresh_model(TrainConfig(hidden=(16,)))
    initial = A.snapshot_state(model)
    published: list[dict] = [initial]
    stop = threading.Event()

    def trainer() -> None:
        while not stop.is_set():
            with torch.no_grad():
                for p in model.parameters():  # a reader of the live model could see a mix here
                    p.add_(1.0)
            published.append(A.snapshot_state(model))
            time.sleep(0.001)

    thread = threading.Thread(target=trainer, daemon=True)
    thread.start()
    images, labels = torch.zeros(1, 28, 28, dtype=torch.uint8), torch.zeros(1, dtype=torch.int64)
    steps_seen = set()
    try:
        for _ in range(30):
            state = published[-1]
            entries = A.walk(
                A.model_from_state(TrainConfig(hidden=(16,)), state), images, labels, [0], initial_state=initial
            ).parameters.entries
            shifts = {round(e.stats.mean - initial[e.name].mean().item()) for e in entries}
            assert len(shifts) == 1, f"a half-updated snapshot: {shifts}"
            steps_seen |= shifts
    finally:
        stop.set()
        thread.join(10)
    assert len(steps_seen) > 1


def test_to_json_is_plain_json_with_nulls_for_non_finite_values(fashion):
    import json

    model = A.fresh_model(TUTORIAL)
    with torch.no_grad():
        model.linear_relu_stack[4].bias[0] = float("nan")  # a diverged run
    out = A.to_json(A.walk(model, fashion.test_x, fashion.test_y, [0]), D.CLASSES)
    text = json.dumps(out, allow_nan=False)
    back = json.loads(text)
    assert back["softmax"]["probabilities"][0] == [None] * 10
    assert back["parameters"]["entries"][-1]["first"][0] is None
