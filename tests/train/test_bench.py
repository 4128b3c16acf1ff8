"""`nnlab bench train`: both loops run on the same data and device; one JSON object."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from nnlab.bench import train as bench
from nnlab.train.data import SAMPLE_DIR


@pytest.mark.slow
def test_bench_json_on_the_sample(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    args = SimpleNamespace(device="cpu", epochs=1, json=True, data_dir=str(SAMPLE_DIR))
    assert bench.run_bench(args) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert {
        "device",
        "tutorial_s_per_epoch",
        "nnlab_s_per_epoch",
        "ratio",
        "tutorial_accuracy",
        "nnlab_accuracy",
    } <= set(result)
    assert result["device"] == "cpu" and result["data"] == "sample" and "SAMPLE" in captured.err
    assert result["ratio"] == pytest.approx(result["tutorial_s_per_epoch"] / result["nnlab_s_per_epoch"], rel=0.02)
    # both loops start from the same weights (same seed) and see the same 600 images: after one
    # epoch (10 steps of SGD 1e-3) neither has moved far from there, so they agree closely
    assert abs(result["tutorial_accuracy"] - result["nnlab_accuracy"]) <= 0.03


@pytest.mark.slow
@pytest.mark.data
def test_bench_on_the_full_dataset_learns_like_the_tutorial(capsys, tmp_path, monkeypatch, full_location):
    """One epoch on all 60,000 images: the quickstart prints 50.5%; a broken loop (one class
    predicted: 10%, or no learning) fails here, and the two loops must agree."""
    monkeypatch.setenv("HOME", str(tmp_path))
    args = SimpleNamespace(device="cpu", epochs=1, json=True, data_dir=str(full_location.path))
    assert bench.run_bench(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["data"] != "sample"
    assert 0.44 <= result["tutorial_accuracy"] <= 0.58, result
    assert 0.44 <= result["nnlab_accuracy"] <= 0.58, result
    assert abs(result["tutorial_accuracy"] - result["nnlab_accuracy"]) <= 0.06, result


def test_bench_refuses_a_missing_device(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert bench.run_bench(SimpleNamespace(device="cuda:0", epochs=1, json=False, data_dir=None)) == 2
    assert "CUDA" in capsys.readouterr().err
