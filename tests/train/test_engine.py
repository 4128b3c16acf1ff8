"""The training loop on tiny in-memory data: events, learning, determinism, controls, divergence."""

from __future__ import annotations

import math
import queue
import threading

import pytest
import torch
from _engine_helpers import SMALL, kinds, tiny

from nnlab.run.config import TrainConfig
from nnlab.run.control import Control
from nnlab.run.events import BatchProgress, Diverged, EpochEnd, Finished, Resumed, Started
from nnlab.train import device as device_mod
from nnlab.train import engine
from nnlab.train.device import choose_threads, usable_cores


def run(config=SMALL, data=None, control=None, **kw):
    events = []
    finished = engine.run(config, data or tiny(), events.append, control, **kw)
    return events, finished


def test_event_order_and_contents():
    events, finished = run(progress_every=3)
    assert kinds(events) == (["started"] + ["batch"] * 3 + ["epoch"]) * 1 + ["batch"] * 3 + ["epoch", "finished"]
    started = events[0]
    assert isinstance(started, Started)
    assert started.parameters == 784 * 32 + 32 + 32 * 10 + 10
    assert (started.train_size, started.test_size, started.device, started.step_mode) == (256, 64, "cpu", "eager")
    assert started.config["hidden"] == [32] and started.data_source == "synthetic"
    batches = [e for e in events if isinstance(e, BatchProgress)]
    # the tutorial prints batches 0, 100, 200, ... (0-based): here every 3rd, 1-based 1, 4, 7
    assert [e.batch for e in batches[:3]] == [1, 4, 7]
    assert all(e.batches == 8 and e.samples_seen == e.batch * 32 for e in batches)
    assert all(math.isfinite(e.running_loss) and e.samples_per_s > 0 for e in batches)
    assert batches[0].running_loss == batches[0].loss  # one batch since the start
    epoch = [e for e in events if isinstance(e, EpochEnd)][-1]
    assert epoch.epoch == 2 and 0 <= epoch.test_accuracy <= 1
    assert sum(map(sum, epoch.confusion)) == 64
    assert sum(epoch.confusion[i][i] for i in range(10)) / 64 == pytest.approx(epoch.test_accuracy)
    assert len(epoch.per_class_accuracy) == 10 and len(epoch.sample_predictions) == 16
    assert epoch.seconds >= epoch.eval_seconds >= 0 and epoch.samples_per_s > 0
    assert isinstance(finished, Finished) and finished == events[-1]
    assert (finished.epochs, finished.stopped, finished.reason) == (2, False, "completed")
    assert finished.test_accuracy == epoch.test_accuracy


def test_loss_at_initialisation_is_ln_10():
    """The tutorial model's first batch: softmax over 10 near-equal logits → loss ≈ ln 10 = 2.3026."""
    events, _ = run(TrainConfig(epochs=1, batch_size=64, threads=1, device="cpu"), progress_every=1)
    first = next(e for e in events if isinstance(e, BatchProgress))
    assert first.loss == pytest.approx(math.log(10), abs=0.05)


def test_learns_the_synthetic_classes():
    events, finished = run(SMALL.with_(epochs=3))
    losses = [e.train_loss for e in events if isinstance(e, EpochEnd)]
    assert losses[0] > losses[-1]
    assert finished.test_accuracy > 0.9


def test_one_batch_can_be_overfit():
    data = tiny(32, 32)
    data = type(data)(data.train_x, data.train_y, data.train_x, data.train_y, "synthetic")  # test on the batch
    events, finished = run(
        TrainConfig(epochs=60, batch_size=32, lr=0.05, optimizer="adam", hidden=(64,), threads=1, device="cpu"), data
    )
    last = [e for e in events if isinstance(e, EpochEnd)][-1]
    assert last.train_loss < 0.01 and finished.test_accuracy == 1.0


def test_same_seed_same_losses_other_seed_differs():
    a, _ = run(progress_every=1)
    b, _ = run(progress_every=1)
    c, _ = run(SMALL.with_(seed=4), progress_every=1)
    loss = lambda events: [e.loss for e in events if isinstance(e, BatchProgress)]  # noqa: E731
    assert loss(a) == loss(b)
    assert loss(a) != loss(c)


def test_static_step_body_matches_eager():
    """The CUDA-graph step body (device counter, in-graph gather) run eagerly gives the same losses."""
    loss = lambda events: [e.loss for e in events if isinstance(e, BatchProgress)]  # noqa: E731
    data = tiny(250, 64)  # 250 = 7 full batches of 32 + a partial one of 26
    eager, _ = run(data=data, progress_every=1)
    static, _ = run(data=data, progress_every=1, static_step=True)
    assert loss(static) == pytest.approx(loss(eager), rel=1e-6)


def test_stop_within_one_batch():
    control = Control()
    seen = []

    def emit(event):
        seen.append(event)
        if isinstance(event, BatchProgress) and event.batch == 3:
            control.stop()

    finished = engine.run(SMALL, tiny(), emit, control, progress_every=1)
    batches = [e.batch for e in seen if isinstance(e, BatchProgress)]
    assert batches == [1, 2, 3]
    assert (finished.reason, finished.stopped, finished.epochs) == ("stopped", True, 0)
    assert seen[-1] == finished


def test_stop_from_another_thread_at_most_one_more_batch():
    """The main thread calls stop() while the worker is held right after batch 2's progress
    event (so events already queued before the stop cannot be mistaken for later batches)."""
    control = Control()
    events: list = []
    reached, stop_called = threading.Event(), threading.Event()

    def emit(event):
        events.append(event)
        if isinstance(event, BatchProgress) and event.batch == 2 and not reached.is_set():
            reached.set()
            stop_called.wait(30)

    worker = threading.Thread(
        target=engine.run, args=(SMALL.with_(epochs=50), tiny(), emit, control), kwargs={"progress_every": 1}
    )
    worker.start()
    assert reached.wait(30)
    control.stop()
    stop_called.set()
    worker.join(30)
    assert not worker.is_alive()
    at = next(i for i, x in enumerate(events) if isinstance(x, BatchProgress) and x.batch == 2)
    later = [x for x in events[at + 1 :] if isinstance(x, BatchProgress)]
    assert len(later) <= 1 and all(x.batch == 3 for x in later)
    assert events[-1].KIND == "finished" and events[-1].reason == "stopped"


def test_pause_step_resume():
    control = Control()
    events: queue.Queue = queue.Queue()

    def emit(event):
        events.put(event)
        if isinstance(event, BatchProgress) and event.epoch == 1 and event.batch == 2:
            control.pause()

    worker = threading.Thread(target=engine.run, args=(SMALL, tiny(), emit, control), kwargs={"progress_every": 1})
    worker.start()

    def next_of(kind):
        while True:
            event = events.get(timeout=30)
            if event.KIND == kind:
                return event

    paused = next_of("paused")
    assert (paused.epoch, paused.batch) == (1, 2) and control.paused
    snap = control.snapshot_info()
    assert snap is not None and (snap.epoch, snap.batch) == (0, 2)
    config, state = control.snapshot()
    assert config == SMALL and set(state) == {
        "linear_relu_stack.0.weight",
        "linear_relu_stack.0.bias",
        "linear_relu_stack.2.weight",
        "linear_relu_stack.2.bias",
    }
    assert events.empty()  # nothing trains while paused
    assert control.step()
    stepped = next_of("batch")
    assert stepped.batch == 3  # exactly one batch, reported at once
    again = next_of("paused")
    assert again.batch == 3 and control.snapshot_info().version > snap.version
    assert not torch.equal(control.snapshot()[1]["linear_relu_stack.0.weight"], state["linear_relu_stack.0.weight"])
    control.resume()
    assert not control.step()  # step is only for a paused run
    assert isinstance(events.get(timeout=30), Resumed)
    assert next_of("batch").batch == 4
    finished = next_of("finished")
    worker.join(30)
    assert finished.reason == "completed" and finished.epochs == 2


def test_request_snapshot_mid_epoch():
    control = Control()
    versions = []

    def emit(event):
        if isinstance(event, BatchProgress) and event.batch == 2:
            versions.append(control.snapshot_info().version)
            control.request_snapshot()
        if isinstance(event, BatchProgress) and event.batch == 3:
            versions.append(control.snapshot_info().version)
            assert control.snapshot_info().batch == 2

    engine.run(SMALL.with_(epochs=1), tiny(), emit, control, progress_every=1)
    assert versions[1] == versions[0] + 1


def test_nan_loss_diverges_naming_the_batch(monkeypatch, tmp_path):
    """A NaN at batch 5 of epoch 2 (patched loss): Diverged names it; the epoch-1 checkpoint survives."""
    import torch.nn.functional as F

    from nnlab.train import checkpoint, step

    calls = {"n": 0}
    real = F.cross_entropy

    def poisoned(logits, target, *a, **kw):
        calls["n"] += logits.requires_grad  # count training steps only, not the test pass
        loss = real(logits, target, *a, **kw)
        return loss * float("nan") if calls["n"] == 8 + 5 else loss  # epoch 2 (8 batches each), batch 5

    monkeypatch.setattr(step.F, "cross_entropy", poisoned)
    save = tmp_path / "run.pt"
    events, finished = run(SMALL.with_(epochs=3), save_path=str(save), progress_every=100)
    good = save.read_bytes()
    diverged = next(e for e in events if isinstance(e, Diverged))
    assert (diverged.epoch, diverged.batch) == (2, 5) and math.isnan(diverged.loss)
    assert "batch 5" in diverged.message and "--lr 0.005" in diverged.message
    assert kinds(events)[-2:] == ["diverged", "finished"]
    assert (finished.reason, finished.epochs) == ("diverged", 1)
    assert save.read_bytes() == good and checkpoint.load(save)["epoch"] == 1


def test_huge_learning_rate_diverges_and_keeps_checkpoint(tmp_path):
    save = tmp_path / "good.pt"
    run(TrainConfig(epochs=1, batch_size=32, lr=1e-3, threads=1, device="cpu"), save_path=str(save))
    before = save.read_bytes()
    events, finished = run(
        TrainConfig(epochs=2, batch_size=32, lr=1e6, threads=1, device="cpu"), save_path=str(save), progress_every=1
    )
    assert finished.reason == "diverged"
    diverged = next(e for e in events if isinstance(e, Diverged))
    assert diverged.epoch == 1 and not math.isfinite(diverged.loss)
    assert save.read_bytes() == before


def test_failed_event_for_a_missing_device():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    events, finished = run(SMALL.with_(device="cuda"))
    assert kinds(events) == ["failed"] and "CUDA" in events[0].message
    assert finished.reason == "failed"


def test_ui_threads_leave_a_core_only_beyond_two(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    cores = usable_cores()
    events, _ = run(SMALL.with_(epochs=1, threads=0), ui_threads=True)
    assert events[0].threads == (cores - 1 if cores > 2 else cores)
    for n, expected in ((1, 1), (2, 2), (4, 3), (16, 15)):
        monkeypatch.setattr(device_mod, "usable_cores", lambda n=n: n)
        assert choose_threads(torch.device("cpu"), True) == expected
        assert choose_threads(torch.device("cpu"), False) == n
    monkeypatch.setattr(device_mod, "usable_cores", lambda: cores)
    events, _ = run(SMALL.with_(epochs=1, threads=0))
    assert events[0].threads == usable_cores()
    events, _ = run(SMALL.with_(epochs=1, threads=1), ui_threads=True)
    assert events[0].threads == 1  # an explicit count wins
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert choose_threads(torch.device("cpu"), False) == 1  # the standard variable is respected


def test_global_rng_untouched():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    run(SMALL.with_(epochs=1))
    assert torch.equal(torch.rand(3), expected)


def test_the_engine_takes_the_turn_between_batches_and_trains_the_same():
    """engine.run honours a hold between two batches (training waits), and the numbers do not
    depend on it: the hold changes when batches run, never what they compute."""

    def losses(events):
        return [(e.epoch, e.batch, e.loss) for e in events if isinstance(e, BatchProgress)] + [
            (e.epoch, e.test_loss) for e in events if isinstance(e, EpochEnd)
        ]

    plain: list = []
    engine.run(SMALL, tiny(), plain.append, Control(), progress_every=1)

    control = Control()
    held: list = []
    waits: list[float] = []

    def emit(event) -> None:
        held.append(event)
        if isinstance(event, BatchProgress) and event.batch in (2, 5):
            control._ui_next_turn = 0.0  # each hold here is its own key, far apart in a real run
            control.hold_for_ui(max_s=0.1)  # never released: the deadline ends the turn
            waits.append(control.ui_wait_s)

    engine.run(SMALL, tiny(), emit, control, progress_every=1)
    assert control.ui_turns == 2 * SMALL.epochs
    assert control.ui_wait_s >= 0.09 * control.ui_turns
    assert losses(held) == losses(plain)
