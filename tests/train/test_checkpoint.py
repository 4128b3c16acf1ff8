"""Checkpoints: the format round-trips and resuming is exact (mid-epoch, save-now, more epochs).

Files that are damaged, hostile or of another architecture: tests/hardening/test_checkpoint_faults.py."""

from __future__ import annotations

import zipfile

import pytest
import torch
from _engine_helpers import SMALL, tiny

from nnlab.run.config import TrainConfig
from nnlab.run.control import Control
from nnlab.run.events import BatchProgress
from nnlab.train import checkpoint, engine
from nnlab.train.model import NeuralNetwork


def _save_small(path, epoch=1, hidden=(32,)):
    model = NeuralNetwork(hidden)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    checkpoint.save(path, model, optimizer, epoch=epoch, config=TrainConfig(hidden=hidden), history=[{"epoch": 1}])
    return model


def test_round_trip(tmp_path):
    path = tmp_path / "a.pt"
    model = _save_small(path)
    data = checkpoint.load(path)
    assert data["epoch"] == 1 and data["config_obj"].hidden == (32,) and data["history"] == [{"epoch": 1}]
    other = NeuralNetwork((32,))
    checkpoint.apply(data, other)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), other.state_dict().values()))


def _weights(path):
    return checkpoint.load(path)["model"]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_resume_mid_epoch_ends_with_the_same_weights(tmp_path, optimizer):
    config = SMALL.with_(epochs=3, optimizer=optimizer, lr=0.01 if optimizer == "adam" else 0.05)
    data = tiny(250, 64)  # a partial last batch too
    full = tmp_path / "full.pt"
    engine.run(config, data, lambda e: None, save_path=str(full))

    part = tmp_path / "part.pt"
    control = Control()

    def stop_in_epoch_2(event):
        if isinstance(event, BatchProgress) and event.epoch == 2 and event.batch == 3:
            control.stop()

    first = engine.run(config, data, stop_in_epoch_2, control, save_path=str(part), progress_every=1)
    assert first.reason == "stopped"
    saved = checkpoint.load(part)
    assert saved["epoch"] == 1 and saved["extra"]["batch"] == 3
    events = []
    second = engine.run(config, data, events.append, save_path=str(part), resume_path=str(part))
    assert events[0].start_epoch == 1 and second.reason == "completed" and second.epochs == 3
    assert [e.epoch for e in events if e.KIND == "epoch"] == [2, 3]
    a, b = _weights(full), _weights(part)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert [h["epoch"] for h in checkpoint.load(part)["history"]] == [1, 2, 3]


@pytest.mark.parametrize("while_paused", [True, False], ids=["paused", "running"])
def test_save_now_writes_the_true_state_at_the_batch_and_resumes_bit_identical(tmp_path, while_paused):
    """``control.request_save()`` mid-epoch (issue 14: `w` while paused wrote the epoch-start
    state): the checkpoint holds the batch reached, and a run resumed from it ends with exactly
    the weights of an uninterrupted one."""
    import shutil
    import threading

    config = SMALL.with_(epochs=2, optimizer="momentum", lr=0.05)
    data = tiny(250, 64)
    full = tmp_path / "full.pt"
    engine.run(config, data, lambda e: None, save_path=str(full))

    live, copy = tmp_path / "live.pt", tmp_path / "copy.pt"
    control, events, asked = Control(), [], threading.Event()

    def emit(event):
        events.append(event)
        if isinstance(event, BatchProgress) and event.epoch == 2 and event.batch == 3 and not asked.is_set():
            asked.set()
            if while_paused:
                control.pause()
            control.request_save()
        if event.KIND == "saved":
            shutil.copy(live, copy)  # what the checkpoint held the moment Saved was emitted
            control.resume()

    engine.run(config, data, emit, control, save_path=str(live), progress_every=1)
    saved = [e for e in events if e.KIND == "saved"]
    assert len(saved) == 1 and (saved[0].epoch, saved[0].batch) == (1, 3)
    held = checkpoint.load(copy)
    assert held["epoch"] == 1 and held["extra"]["batch"] == 3
    engine.run(config, data, lambda e: None, save_path=str(copy), resume_path=str(copy))
    a, b = _weights(full), _weights(copy)
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_resume_at_epoch_boundary_with_more_epochs(tmp_path):
    data = tiny()
    full, part = tmp_path / "full.pt", tmp_path / "part.pt"
    engine.run(SMALL.with_(epochs=2), data, lambda e: None, save_path=str(full))
    engine.run(SMALL.with_(epochs=1), data, lambda e: None, save_path=str(part))
    engine.run(SMALL.with_(epochs=2), data, lambda e: None, save_path=str(part), resume_path=str(part))
    a, b = _weights(full), _weights(part)
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_resume_refuses_another_architecture_or_optimizer(tmp_path):
    path = tmp_path / "a.pt"
    engine.run(SMALL.with_(epochs=1), tiny(), lambda e: None, save_path=str(path))
    events = []
    engine.run(SMALL.with_(hidden=(16,)), tiny(), events.append, resume_path=str(path))
    assert events[-1].KIND == "failed" and "linear_relu_stack.0.weight (32, 784)≠(16, 784)" in events[-1].message
    events = []
    engine.run(SMALL.with_(optimizer="adam"), tiny(), events.append, resume_path=str(path))
    assert events[-1].KIND == "failed" and "--optimizer sgd" in events[-1].message


def test_saved_file_is_a_plain_zip_of_tensors(tmp_path):
    path = tmp_path / "a.pt"
    engine.run(SMALL.with_(epochs=1), tiny(), lambda e: None, save_path=str(path))
    assert zipfile.is_zipfile(path)
    data = torch.load(path, weights_only=True)
    assert isinstance(data["extra"]["shuffle_state"], torch.Tensor)
