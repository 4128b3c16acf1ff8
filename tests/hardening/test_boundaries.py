"""Case 13: boundary values are range errors before any work starts; a model that cannot fit
in memory is refused from an estimate, before data is loaded or a weight allocated."""

from __future__ import annotations

import pytest
from _ui import QUICK, options, run_ended, start_run, status

from nnlab.run.config import ConfigError, TrainConfig
from nnlab.train import memory


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if data is loaded or the engine starts."""
    from nnlab.train import data, engine

    monkeypatch.setattr(data, "load", lambda *a, **k: pytest.fail("data was loaded"))
    monkeypatch.setattr(engine, "run", lambda *a, **k: pytest.fail("the engine started"))


@pytest.mark.parametrize(
    "args, words",
    [
        (["--epochs", "0"], "--epochs 0"),
        (["--batch-size", "0"], "--batch-size 0"),
        (["--batch-size", "257"], "batch_size"),  # the tiny set has 256 training images
        (["--lr", "0"], "--lr 0"),
        (["--lr", "-1"], "--lr -1"),
        (["--lr", "1e7"], "--lr 1e7"),
        (["--hidden", "0"], "--hidden 0"),
        (["--hidden", "512,0"], "--hidden 0"),
        (["--hidden", "100000"], "--hidden 100000"),
        (["--hidden", ",".join(["8"] * 17)], "--hidden"),
        (["--hidden", "65536,65536,65536"], "GiB"),  # fits the limits, not the memory
        (["--epochs", "10001"], "--epochs 10001"),
        (["--seed", "-1"], "--seed -1"),
    ],
)
def test_cli_boundaries_are_refused_before_any_work(args, words, tiny_set, capsys, no_work):
    from nnlab.cli import main

    code = main(["train", "--headless", "--data-dir", str(tiny_set), *args])
    err = capsys.readouterr().err
    assert code == 2 and words in err and err.count("\n") == 1 and "Traceback" not in err


def test_memory_estimate_refuses_what_cannot_fit(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda device: 2 * 2**30)
    import torch

    with pytest.raises(ConfigError, match="GiB"):
        memory.check_fits(TrainConfig(hidden=(16384, 16384)), 60_000, 10_000, torch.device("cpu"))
    assert memory.check_fits(TrainConfig(), 60_000, 10_000, torch.device("cpu")) < 2 * 2**30  # the tutorial fits


def test_engine_refuses_boundaries_with_one_failed_event():
    from nnlab.train import engine
    from nnlab.train.data import synthetic

    data = synthetic(64, 32)
    for bad in (
        dict(epochs=0),
        dict(batch_size=0),
        dict(batch_size=65),
        dict(lr=0.0),
        dict(lr=-1.0),
        dict(hidden=(0,)),
        dict(hidden=()),
    ):
        events = []
        finished = engine.run(QUICK.with_(**bad), data, events.append)
        assert [e.KIND for e in events] == ["failed"] and finished.reason == "failed", bad


async def test_dashboard_batch_larger_than_the_data_fails_before_a_step(tmp_path):
    from nnlab.ui.app import NNLabApp

    app = NNLabApp(mode="train", options=options(tmp_path, config=QUICK.with_(batch_size=600), n_train=512))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await run_ended(app, pilot)
        kinds = [e.KIND for e in app.screen.runs.record.events]
        assert status(app) == "failed" and "batch" not in kinds and "started" not in kinds
        assert "batch_size" in app.screen.runs.record.events[-1].message


async def test_dashboard_refuses_a_model_that_cannot_fit_before_loading_data(tmp_path, monkeypatch):
    from nnlab.ui.app import NNLabApp

    monkeypatch.setattr(memory, "available_bytes", lambda device: 64 * 2**20)  # 64 MiB free
    loaded = []
    opts = options(tmp_path, config=QUICK.with_(hidden=(4096, 4096), epochs=1))
    real_factory = opts["data_factory"]
    opts["data_factory"] = lambda: loaded.append(1) or real_factory()
    app = NNLabApp(mode="train", options=opts)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await run_ended(app, pilot)
        assert status(app) == "failed" and loaded == []
        assert "GiB" in app.screen.runs.record.events[-1].message
