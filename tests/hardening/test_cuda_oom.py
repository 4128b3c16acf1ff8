"""Case 19: CUDA out of memory (a patched forward raising ``torch.cuda.OutOfMemoryError``) is
caught, the cache is emptied once the run's tensors are released, the message gives a hint
(a smaller batch), and the app stays usable. No GPU is needed: CUDA's presence is simulated."""

from __future__ import annotations

import weakref

import pytest
import torch
from _ui import QUICK, notes, options, run_ended, start_run, status, until

from nnlab.train import engine, memory
from nnlab.train.data import synthetic
from nnlab.train.model import NeuralNetwork


@pytest.fixture
def fake_cuda(monkeypatch):
    """CUDA 'in use' as far as the release is concerned; records empty_cache calls and whether
    the model that ran out of memory was already freed at that moment."""
    state = {"emptied": [], "model": None}

    def empty_cache():
        model = state["model"]() if state["model"] else None
        state["emptied"].append("model freed" if model is None else "model still alive")

    monkeypatch.setattr(memory, "cuda_in_use", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", empty_cache)
    return state


def oom_forward(monkeypatch, state):
    def forward(self, x):
        state["model"] = weakref.ref(self)
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB (GPU 0; 79.1 GiB total)")

    monkeypatch.setattr(NeuralNetwork, "forward", forward)


def test_engine_catches_oom_empties_the_cache_after_release_and_hints(monkeypatch, fake_cuda):
    oom_forward(monkeypatch, fake_cuda)
    events = []
    finished = engine.run(QUICK.with_(device="cpu", batch_size=64), synthetic(128, 32), events.append)
    assert finished.reason == "failed" and [e.KIND for e in events] == ["started", "failed"]
    message = events[-1].message
    assert "out of memory" in message and "smaller batch" in message and "32" in message  # half of 64
    assert fake_cuda["emptied"] == ["model freed"]


def test_release_is_safe_without_cuda():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert memory.release() is False and not torch.cuda.is_initialized()
    assert memory.is_oom(torch.cuda.OutOfMemoryError("CUDA out of memory")) and not memory.is_oom(ValueError("x"))


async def test_dashboard_reports_oom_with_a_hint_and_the_next_run_works(tmp_path, monkeypatch, fake_cuda):
    from nnlab.ui.app import NNLabApp

    real_forward = NeuralNetwork.forward
    oom_forward(monkeypatch, fake_cuda)
    app = NNLabApp(mode="train", options=options(tmp_path, config=QUICK.with_(device="cpu")))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await run_ended(app, pilot)
        failed = [e for e in app.screen.runs.record.events if e.KIND == "failed"]
        assert status(app) == "failed" and len(failed) == 1 and "smaller batch" in failed[0].message
        await until(pilot, lambda: "smaller batch" in notes(app), timeout=5, what="the notification")
        assert fake_cuda["emptied"] and app.return_code is None
        monkeypatch.setattr(NeuralNetwork, "forward", real_forward)  # memory is back
        app.screen.runs.start()
        await run_ended(app, pilot)
        assert status(app) == "finished"
