"""`nnlab anatomy --json`: the whole walk-through as one JSON object, headless, errors in one line."""

from __future__ import annotations

import gzip
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from nnlab.run.config import TrainConfig
from nnlab.train import anatomy as A
from nnlab.train import checkpoint
from nnlab.train import data as D

CHECK_NO_TEXTUAL = (
    "import sys\nfrom nnlab.cli import main\ncode = main(sys.argv[1:])\n"
    "print('textual loaded' if any(m == 'textual' or m.startswith('textual.') for m in sys.modules)"
    " else 'no textual', file=sys.stderr)\nraise SystemExit(code)\n"
)


def _write_idx(path: Path, array: torch.Tensor) -> None:
    """An idx file as Zalando publishes them (gzip, big-endian header, uint8 payload)."""
    dims = tuple(array.shape)
    header = struct.pack(">HBB", 0, 0x08, len(dims)) + struct.pack(f">{len(dims)}I", *dims)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.to(torch.uint8).numpy().tobytes())


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """Synthetic images written as the four FashionMNIST files: the CLI's real loading path."""
    root = tmp_path_factory.mktemp("fashion")
    fashion = D.synthetic(n_train=256, n_test=64, seed=4)
    for role, tensor in (
        ("train_images", fashion.train_x),
        ("train_labels", fashion.train_y),
        ("test_images", fashion.test_x),
        ("test_labels", fashion.test_y),
    ):
        _write_idx(root / f"{D.FILES[role]}.gz", tensor)
    return root, fashion


def _nnlab(home: Path, *args: str, timeout: int = 120):
    env = {**os.environ, "HOME": str(home), "LANG": "C.UTF-8"}
    env.pop("NNLAB_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-c", CHECK_NO_TEXTUAL, *args], capture_output=True, text=True, env=env, timeout=timeout
    )


@pytest.fixture(scope="module")
def trained_checkpoint(tmp_path_factory):
    """A checkpoint written by the engine's own saver, with weights moved away from the init."""
    path = tmp_path_factory.mktemp("ckpt") / "run.pt"
    config = TrainConfig(seed=3)
    model = A.fresh_model(config)
    with torch.no_grad():
        model.linear_relu_stack[4].bias.add_(0.25)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    checkpoint.save(path, model, optimizer, epoch=2, config=config, history=[])
    return path, model


@pytest.mark.slow
def test_json_walkthrough_untrained_and_from_a_checkpoint(tmp_path, dataset, trained_checkpoint):
    root, fashion = dataset
    out = _nnlab(tmp_path, "anatomy", "--json", "--images", "3", "--first", "10", "--data-dir", str(root))
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip() == "no textual"
    doc = json.loads(out.stdout)
    assert doc["data"]["loader_batch"]["printed"] == [
        "Shape of X [N, C, H, W]: torch.Size([64, 1, 28, 28])",
        "Shape of y: torch.Size([64]) torch.int64",
    ]
    assert doc["data"]["picked"]["indices"] == [10, 11, 12]
    assert doc["data"]["picked"]["labels"] == fashion.test_y[10:13].tolist()
    assert doc["data"]["test_size"] == 64
    assert [layer["output_shape"] for layer in doc["layers"]] == [
        [3, 784],
        [3, 512],
        [3, 512],
        [3, 512],
        [3, 512],
        [3, 10],
    ]
    assert doc["parameters"]["total"] == 669_706
    assert doc["model_info"]["source"] == "untrained"
    # the same numbers as walking the model here
    model = A.fresh_model(TrainConfig())
    here = A.to_json(A.walk(model, fashion.test_x, fashion.test_y, [10, 11, 12]), D.CLASSES)
    assert doc["softmax"] == here["softmax"]
    assert doc["layers"] == here["layers"]
    assert all(abs(s - 1) <= 1e-6 for s in doc["softmax"]["row_sums"])


def test_json_from_a_checkpoint_reads_its_weights_and_how_far_they_moved(
    tmp_path, dataset, trained_checkpoint, monkeypatch, capsys
):
    from nnlab.cli import main

    monkeypatch.setenv("HOME", str(tmp_path))  # the loader's unpacked copy goes under $HOME/.cache
    root, fashion = dataset
    path, trained = trained_checkpoint
    assert main(["anatomy", "--json", "--checkpoint", str(path), "--images", "1", "--data-dir", str(root)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["model_info"]["source"] == "checkpoint" and doc["model_info"]["epoch"] == 2
    bias = doc["parameters"]["entries"][-1]
    assert bias["name"] == "linear_relu_stack.4.bias"
    assert bias["first"] == trained.linear_relu_stack[4].bias[:8].tolist()
    assert bias["moved_l2"] == pytest.approx((0.25**2 * 10) ** 0.5, rel=1e-5)
    assert doc["parameters"]["entries"][0]["moved_l2"] == 0.0
    with torch.no_grad():
        logits = trained(fashion.test_x[:1].unsqueeze(1).float().div(255))
    assert doc["layers"][-1]["is_logits"]
    assert doc["layers"][-1]["logits"] == logits.tolist()


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--images", "0"], "--images"),
        (["--images", "9"], "--images"),
        (["--images", "nan"], "--images"),
        (["--first", "-1"], "--first"),
        (["--seed", "1.5"], "--seed"),
        (["--checkpoint", "x.pt", "--seed", "1"], "--seed"),
    ],
)
def test_bad_values_are_one_line_and_exit_2(args, needle, capsys):
    from nnlab.cli import main

    assert main(["anatomy", "--json", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnlab: error:") and needle in err


def test_unusable_checkpoints_and_ranges_exit_2_with_one_line(tmp_path, dataset, monkeypatch, capsys):
    from nnlab.cli import main

    monkeypatch.setenv("HOME", str(tmp_path))
    root, _ = dataset
    code = tmp_path / "evil.pt"
    torch.save({"x": os.system}, code)  # loading it would import os.system: the safe loader refuses
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a checkpoint at all")
    for args in (
        ["--checkpoint", str(code)],
        ["--checkpoint", str(garbage)],
        ["--checkpoint", str(tmp_path / "missing.pt")],
        ["--first", "62", "--images", "3"],
    ):
        assert main(["anatomy", "--json", "--data-dir", str(root), *args]) == 2, args
        out = capsys.readouterr()
        assert out.err.count("\n") == 1 and out.err.startswith("nnlab: error:"), out.err
        assert out.out == ""


def test_without_json_the_app_opens_on_the_anatomy_view(monkeypatch):
    """Flags become the app's options; run() returns None so the app opens (Train mode + anatomy)."""
    import argparse

    from nnlab.commands import anatomy as command

    args = argparse.Namespace(json=False, checkpoint=None, images="5", first="7", seed="2", data_dir=None)
    assert command.run(args) is None
    assert args.app_options == {"open": "anatomy", "checkpoint": None, "images": 5, "first": 7, "seed": 2}
