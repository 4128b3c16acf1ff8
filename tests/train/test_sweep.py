"""Batched sweep members against independent engine.run's: same losses, divergence alone, control."""

from __future__ import annotations

import math
import threading

import pytest
import torch
from _engine_helpers import SMALL, tiny

from nnlab.run.errors import ConfigError
from nnlab.run.sweep import SweepControl
from nnlab.train import engine
from nnlab.train.sweep import check_group_fits, group_bytes, train_group
from nnlab.train.sweep_step import BatchedMLP

MEMBERS = [
    SMALL.with_(lr=0.05),
    SMALL.with_(lr=0.01, optimizer="adam"),
    SMALL.with_(lr=0.02, optimizer="momentum"),
    SMALL.with_(lr=0.2),
    SMALL.with_(lr=1e-3, optimizer="adam"),
]  # mixed kinds, out of order on purpose


def collect():
    events: dict[int, list] = {}
    return events, lambda member, event: events.setdefault(member, []).append(event)


def figures(events) -> list[float]:
    """Every loss a run reports: each batch's, and each epoch's train/test loss and accuracy."""
    return [e.loss for e in events if e.KIND == "batch"] + [
        x for e in events if e.KIND == "epoch" for x in (e.train_loss, e.test_loss, e.test_accuracy)
    ]


def reference(config, data):
    events = []
    engine.run(config, data, events.append, progress_every=1)
    return events


@pytest.fixture(scope="module")
def data():
    return tiny()


@pytest.fixture(scope="module")
def references(data):
    return [reference(c, data) for c in MEMBERS]


@pytest.mark.parametrize("static", [False, True], ids=["eager", "graph-body"])
def test_bmm_members_are_bit_identical_to_independent_runs(data, references, static):
    """Both the CPU eager step and the body a CUDA graph captures (run eagerly here, with Adam's
    step count and the lrs as device tensors) reproduce every figure of each independent run."""
    events, emit = collect()
    result = train_group(MEMBERS, data, emit, progress_every=1, static_step=static)
    for i, ref in enumerate(references):
        assert [e.KIND for e in events[i]] == [e.KIND for e in ref]
        assert figures(events[i]) == figures(ref), MEMBERS[i]
        assert result.finished[i].reason == "completed"
        assert events[i][0].config == MEMBERS[i].to_dict()


def test_two_threads_stay_bit_identical(data):
    """With two threads MKL splits one mm otherwise than a bmm slice: per-member mm calls there."""
    members = [c.with_(threads=2) for c in MEMBERS[:3]]
    events, emit = collect()
    train_group(members, data, emit, progress_every=1)
    for i, c in enumerate(members):
        assert figures(events[i]) == figures(reference(c, data)), c


def test_vmap_members_match_within_1e_5(data, references):
    """The model-ensembling recipe (vmap) is the same math in another summation order: within
    1e-5 on this tiny model, but the drift grows with training (the tutorial's model, one epoch
    of the 6,000-image sample: 9e-3 with Adam), which is why bmm is the default."""
    events, emit = collect()
    train_group(MEMBERS, data, emit, progress_every=1, impl="vmap")
    for i, ref in enumerate(references):
        worst = max(abs(a - b) for a, b in zip(figures(events[i]), figures(ref)))
        assert worst <= 1e-5, (MEMBERS[i], worst)


def test_a_diverging_member_stops_alone_with_its_last_good_weights(data):
    deep = SMALL.with_(hidden=(32, 32))
    members = [deep, deep.with_(lr=1e6), deep.with_(optimizer="adam", lr=0.01)]  # lr 1e6 → NaN at batch 3
    events, emit = collect()
    result = train_group(members, data, emit, progress_every=1)
    refs = [reference(c, data) for c in members]
    bad, ref_bad = events[1], refs[1]
    diverged = [e for e in bad if e.KIND == "diverged"]
    ref_diverged = [e for e in ref_bad if e.KIND == "diverged"]
    assert len(diverged) == 1 and math.isnan(diverged[0].loss)
    assert (diverged[0].epoch, diverged[0].batch) == (ref_diverged[0].epoch, ref_diverged[0].batch)
    assert diverged[0].message == ref_diverged[0].message
    assert [e.KIND for e in bad] == [e.KIND for e in ref_bad]
    assert bad[-1].reason == ref_bad[-1].reason == "diverged"
    assert all(torch.isfinite(v).all() for v in result.states[1].values())  # the weights before the NaN step
    for i in (0, 2):  # the others are untouched by it: still bit-identical to their own runs
        assert figures(events[i]) == figures(refs[i])
        assert result.finished[i].reason == "completed"


def test_a_member_can_be_stopped_alone(data, references):
    control = SweepControl()
    events, emit = collect()

    def on_event(member, event):
        emit(member, event)
        if member == 1 and event.KIND == "batch" and event.batch == 3:
            control.stop_member(1)

    result = train_group(MEMBERS[:3], data, on_event, control, progress_every=1)
    assert result.finished[1].reason == "stopped"
    assert [e.batch for e in events[1] if e.KIND == "batch"] == [1, 2, 3]
    assert figures(events[0]) == figures(references[0]) and result.finished[0].reason == "completed"


def test_pause_step_and_stop_act_on_the_whole_group(data):
    control = SweepControl()
    control.pause()
    events, emit = collect()
    done = threading.Event()

    def steer():
        for _ in range(2):
            while not control.step():
                pass
        import time

        deadline = time.time() + 10
        while time.time() < deadline and sum(e.KIND == "batch" for e in events.get(0, [])) < 2:
            time.sleep(0.01)
        control.stop()
        done.set()

    thread = threading.Thread(target=steer)
    thread.start()
    result = train_group(MEMBERS[:2], data, emit, control, progress_every=100)
    thread.join(10)
    assert done.is_set()
    for i in range(2):
        kinds = [e.KIND for e in events[i]]
        assert kinds[:2] == ["started", "paused"]
        assert sum(k == "batch" for k in kinds) == 2  # exactly the two single steps
        assert result.finished[i].reason == "stopped" and result.finished[i].epochs == 0


def test_lr_is_a_tensor_a_schedule_can_change(data):
    """set_lr changes what the next update does (a CUDA graph reads the same tensor)."""
    mlp = BatchedMLP([SMALL, SMALL], torch.device("cpu"))
    x, y = data.train_x[:32].reshape(32, -1).float() / 255, data.train_y[:32]
    mlp.set_lr(1, 1e-30)
    before = [p.detach().clone() for p in mlp.params]
    total, _ = mlp.losses(x, y)
    mlp.backward(total)
    mlp.update()
    assert not torch.equal(mlp.params[0][0], before[0][0])
    assert torch.allclose(mlp.params[0][1], before[0][1], atol=1e-20, rtol=0)
    assert mlp.lr.tolist()[1] == pytest.approx(1e-30)


def test_a_group_too_big_is_refused_before_any_work(data, monkeypatch):
    from nnlab.train import sweep_fit as sweep_mod

    monkeypatch.setattr(sweep_mod, "available_bytes", lambda device: 10 * 2**20)
    with pytest.raises(ConfigError, match=r"5 members.*GiB"):
        check_group_fits(MEMBERS, data.train_size, data.test_size)
    with pytest.raises(ConfigError, match="5 members"):
        train_group(MEMBERS, data, lambda m, e: pytest.fail("no event before the refusal"))
    assert group_bytes(MEMBERS * 2, 60_000, 10_000) > group_bytes(MEMBERS, 60_000, 10_000)


def test_a_mixed_group_is_refused(data):
    with pytest.raises(ConfigError, match="batch_size"):
        train_group([SMALL, SMALL.with_(batch_size=16)], data, lambda m, e: None)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_graph_members_match_independent_runs():
    data = tiny()
    members = [c.with_(device="cuda") for c in MEMBERS]
    events, emit = collect()
    result = train_group(members, data, emit, progress_every=1)
    assert result.step_mode == "cuda-graph"
    for i, c in enumerate(members):
        ref = reference(c, data)
        worst = max(abs(a - b) for a, b in zip(figures(events[i]), figures(ref)))
        assert worst <= 1e-5, (c, worst)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_graph_replay_reads_the_changed_lr():
    from nnlab.train.sweep_graph import GroupStepper

    data = tiny()
    mlp = BatchedMLP([SMALL.with_(device="cuda")] * 2, torch.device("cuda"))
    x = data.train_x.cuda().reshape(data.train_size, -1).float().div_(255)
    stepper = GroupStepper(mlp, x, data.train_y.cuda(), 32)
    assert stepper.capture()
    stepper.begin_epoch(torch.arange(data.train_size, device="cuda"))
    mlp.set_lr(1, 1e-30)
    before = mlp.params[0].detach().clone()
    stepper.step(0)
    torch.cuda.synchronize()
    assert not torch.equal(mlp.params[0][0], before[0])
    assert torch.allclose(mlp.params[0][1], before[1], atol=1e-20, rtol=0)


def test_late_loss_reads_as_on_cuda_keep_a_diverged_members_epoch_start_weights(data, monkeypatch):
    """On CUDA losses are read at progress points, after the update: the body a graph captures,
    read that way here, still stops the member alone and keeps its last epoch end's weights."""
    from nnlab.train import sweep as sweep_mod
    from nnlab.train.model import initial_state

    original = sweep_mod.GroupTrainer.__init__

    def late(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.check_each_batch = False
        self._keep_good_states()

    monkeypatch.setattr(sweep_mod.GroupTrainer, "__init__", late)
    deep = SMALL.with_(hidden=(32, 32))
    members = [deep, deep.with_(lr=1e6)]
    events, emit = collect()
    result = train_group(members, data, emit, progress_every=2, static_step=True)
    assert result.finished[1].reason == "diverged" and result.finished[0].reason == "completed"
    start = initial_state(members[1])
    assert all(torch.equal(result.states[1][k], v) for k, v in start.items())
    ours = [(e.test_loss, e.test_accuracy) for e in events[0] if e.KIND == "epoch"]
    theirs = [(e.test_loss, e.test_accuracy) for e in reference(deep, data) if e.KIND == "epoch"]
    assert ours == theirs  # the same weights at every epoch end as its own run
