"""lr schedules against their closed forms; the config fields' bounds; a tensor lr in torch.optim
gives the float lr's numbers; a scheduled run trains exactly with the scheduled lr (CPU); early
stopping; the CUDA graph replays a changed lr (CUDA only)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from nnlab.run.config import TrainConfig
from nnlab.run.errors import ConfigError
from nnlab.run.schedule import lr_at

BASE = TrainConfig(epochs=4, lr=0.1)


def test_none_is_constant():
    assert all(lr_at(BASE, e, b, 10) == 0.1 for e in range(1, 5) for b in range(10))


def test_step_closed_form():
    cfg = BASE.with_(schedule="step", step_every=2, step_gamma=0.5)
    assert [lr_at(cfg, e, 3, 10) for e in range(1, 5)] == [0.1, 0.1, 0.05, 0.05]
    assert lr_at(cfg.with_(epochs=6), 5, 0, 10) == 0.1 * 0.5**2
    assert lr_at(cfg, 3, 0, 10) == lr_at(cfg, 3, 9, 10)  # per epoch: constant inside one


def test_cosine_closed_form():
    cfg = BASE.with_(schedule="cosine")
    total = 4 * 10
    for e in range(1, 5):
        for b in range(10):
            s = (e - 1) * 10 + b
            assert lr_at(cfg, e, b, 10) == pytest.approx(0.05 * (1 + math.cos(math.pi * s / total)), rel=1e-15)
    assert lr_at(cfg, 1, 0, 10) == 0.1
    assert lr_at(cfg, 3, 0, 10) == pytest.approx(0.05)  # half way: lr/2


def test_warmup_closed_form_and_never_zero():
    cfg = BASE.with_(schedule="warmup", warmup_steps=5)
    assert [lr_at(cfg, 1, b, 10) for b in range(7)] == pytest.approx([0.02, 0.04, 0.06, 0.08, 0.1, 0.1, 0.1])
    assert lr_at(cfg, 2, 0, 10) == 0.1


def test_warmup_before_cosine_multiplies():
    cfg = BASE.with_(schedule="cosine", warmup_steps=4)
    plain = BASE.with_(schedule="cosine")
    assert lr_at(cfg, 1, 1, 10) == pytest.approx(lr_at(plain, 1, 1, 10) * 2 / 4)
    assert lr_at(cfg, 2, 5, 10) == lr_at(plain, 2, 5, 10)


def test_defaults_are_unscheduled_and_bounds_refuse():
    assert not TrainConfig().scheduled and TrainConfig().early_stop == 0
    for bad in (
        {"schedule": "linear"},
        {"step_every": 0},
        {"step_gamma": 0.0},
        {"step_gamma": 1.5},
        {"warmup_steps": -1},
        {"early_stop": -1},
        {"schedule": "warmup"},
        {"step_gamma": True},
    ):
        with pytest.raises(ConfigError):
            TrainConfig().with_(**bad).validate()
    TrainConfig(schedule="warmup", warmup_steps=10, early_stop=3).validate()


def test_old_config_dicts_and_checkpoint_schema_take_new_fields():
    old = {
        k: v
        for k, v in TrainConfig().to_dict().items()
        if k not in ("schedule", "step_every", "step_gamma", "warmup_steps", "early_stop")
    }
    assert TrainConfig.from_dict(old) == TrainConfig()
    cfg = TrainConfig(schedule="cosine", warmup_steps=3, early_stop=2)
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg


# --- torch ------------------------------------------------------------------------------------
def test_tensor_lr_gives_the_float_lr_numbers_on_cpu():
    torch = pytest.importorskip("torch")
    for make in (
        lambda p, lr: torch.optim.SGD(p, lr=lr),
        lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
        lambda p, lr: torch.optim.Adam(p, lr=lr),
    ):
        torch.manual_seed(0)
        w0 = torch.randn(50, 20)
        x = torch.randn(64, 20)
        results = []
        # float64: Adam's step size lr / (1 - beta1^t) is then computed in double, as with a float
        for lr in (1e-2, torch.tensor(1e-2, dtype=torch.float64)):
            w = w0.clone().requires_grad_()
            opt = make([w], lr)
            for i in range(5):
                opt.zero_grad()
                (x @ w.t()).tanh().pow(2).mean().backward()
                opt.step()
                new = 1e-2 * 0.5 ** (i + 1)
                if torch.is_tensor(lr):
                    opt.param_groups[0]["lr"].fill_(new)
                else:
                    opt.param_groups[0]["lr"] = new
            results.append(w.detach())
        assert torch.equal(results[0], results[1])


def _losses(config, data):
    from nnlab.train import engine

    events = []
    engine.run(config, data, events.append, progress_every=1)
    return [e for e in events if e.KIND == "batch"], [e for e in events if e.KIND == "epoch"]


def _reference(config, data):
    """The scheduled run by hand: the trainer's data order and init, lr_at set before each step."""
    import torch
    import torch.nn.functional as F

    from nnlab.train.model import fresh_model, make_optimizer

    torch.set_num_threads(1)
    model = fresh_model(config)
    opt = make_optimizer(config, model.parameters(), torch.device("cpu"))
    gen = torch.Generator().manual_seed(config.seed)
    n = data.train_size
    x = data.train_x.reshape(n, -1).float().div_(255)
    batches = -(-n // config.batch_size)
    out = []
    for epoch in range(1, config.epochs + 1):
        perm = torch.randperm(n, generator=gen)
        for b in range(batches):
            for g in opt.param_groups:
                g["lr"] = lr_at(config, epoch, b, batches)
            idx = perm[b * config.batch_size : (b + 1) * config.batch_size]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x.index_select(0, idx)), data.train_y.index_select(0, idx))
            loss.backward()
            opt.step()
            out.append(loss.item())
    return out


@pytest.mark.parametrize(
    "schedule",
    [{"schedule": "cosine"}, {"schedule": "step", "step_gamma": 0.5}, {"schedule": "warmup", "warmup_steps": 5}],
)
def test_scheduled_run_trains_exactly_with_the_schedule(schedule):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))
    from _engine_helpers import SMALL, tiny

    data = tiny(128, 32)
    config = SMALL.with_(optimizer="momentum", **schedule)
    progress, _ = _losses(config, data)
    assert [p.loss for p in progress] == _reference(config, data)  # bit for bit
    batches = progress[0].batches
    assert [p.lr for p in progress] == [lr_at(config, p.epoch, p.batch - 1, batches) for p in progress]
    plain, _ = _losses(SMALL.with_(optimizer="momentum"), data)
    assert [p.loss for p in plain] != [p.loss for p in progress]  # and it did change them
    assert all(p.lr == SMALL.lr for p in plain)


def test_early_stop_patience():
    from nnlab.train.trainer import patience_out

    h = lambda *losses: [{"test_loss": x} for x in losses]  # noqa: E731
    assert not patience_out(h(1.0, 0.9, 0.8), 1)
    assert patience_out(h(1.0, 0.9, 0.95), 1)
    assert not patience_out(h(1.0, 0.9, 0.95), 2)
    assert patience_out(h(1.0, 0.9, 0.9, 0.95), 2)  # a tie is not better
    assert patience_out(h(1.0, float("nan"), 1.1), 2)
    assert not patience_out(h(1.0, 1.1, 1.2), 0)  # 0 = off


def test_early_stop_ends_the_run_with_its_reason():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))
    from _engine_helpers import tiny

    from nnlab.train import engine

    # lr so small the test loss barely moves, patience 1: a loss that rises ends it early
    events = []
    config = TrainConfig(epochs=6, batch_size=64, lr=3.0, hidden=(16,), seed=1, threads=1, device="cpu", early_stop=1)
    finished = engine.run(config, tiny(128, 32), events.append)
    epochs = [e for e in events if e.KIND == "epoch"]
    losses = [e.test_loss for e in epochs]
    if finished.reason == "early-stopped":
        assert finished.epochs == len(epochs) < 6 and not finished.stopped
        assert losses[-1] >= min(losses[:-1])
    else:  # every epoch improved: then it ran them all
        assert finished.reason in ("completed", "diverged")


def test_cuda_graph_replays_a_changed_lr():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    from nnlab.train.model import fresh_model, make_optimizer
    from nnlab.train.step import Stepper

    device = torch.device("cuda")
    results = []
    for optimizer in ("sgd", "momentum", "adam"):
        config = TrainConfig(batch_size=32, hidden=(16,), optimizer=optimizer, schedule="cosine", device="cuda")
        x = torch.rand(128, 784, device=device)
        y = torch.randint(0, 10, (128,), device=device)
        weights = []
        for lr in (1e-2, 1e-1):
            model = fresh_model(config).to(device)
            opt = make_optimizer(config, model.parameters(), device)
            stepper = Stepper(model, opt, x, y, 32)
            assert stepper.capture() and stepper.mode == "cuda-graph"
            stepper.begin_epoch(torch.arange(128, device=device))
            stepper.set_lr(1e-2)
            stepper.step(0)
            stepper.set_lr(lr)  # the second replay reads the new value
            stepper.step(1)
            torch.cuda.synchronize()
            weights.append([p.detach().clone() for p in model.parameters()])
        changed = any(not torch.equal(a, b) for a, b in zip(*weights))
        results.append((optimizer, changed))
    assert all(changed for _, changed in results), results
