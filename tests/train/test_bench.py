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
    assert {"device", "tutorial_s_per_epoch", "nnlab_s_per_epoch", "ratio", "tutorial_accuracy",
            "nnlab_accuracy"} <= set(result)
    assert result["device"] == "cpu" and result["data"] == "sample" and "SAMPLE" in captured.err
    assert result["ratio"] == pytest.approx(result["tutorial_s_per_epoch"] / result["nnlab_s_per_epoch"], rel=0.02)
    # one epoch of SGD lr 1e-3 on 6,000 images barely moves: both loops near chance, not broken
    assert 0.05 <= result["tutorial_accuracy"] <= 0.5 and 0.05 <= result["nnlab_accuracy"] <= 0.5


def test_bench_refuses_a_missing_device(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert bench.run_bench(SimpleNamespace(device="cuda:0", epochs=1, json=False, data_dir=None)) == 2
    assert "CUDA" in capsys.readouterr().err
