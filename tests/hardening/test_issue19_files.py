"""Issue 19: checkpoints validated against a schema, bounded decompression, data headers checked,
full disks and vanished streams. Each test names the case it guards."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import torch

from nnlab.cli import main
from nnlab.run.config import TrainConfig
from nnlab.train import checkpoint, data
from nnlab.train.model import NeuralNetwork

NNLAB = str(Path(sys.executable).parent / "nnlab")


def saved(path, hidden=(8,), optimizer="adam"):
    model = NeuralNetwork(hidden)
    opt = torch.optim.Adam(model.parameters()) if optimizer == "adam" else torch.optim.SGD(model.parameters(), lr=0.1)
    model(torch.zeros(2, 784)).sum().backward()
    opt.step()
    checkpoint.save(
        path,
        model,
        opt,
        epoch=1,
        config=TrainConfig(hidden=hidden, optimizer=optimizer),
        history=[{"epoch": 1, "train_loss": 1.0}],
        extra={"batch": 0},
    )
    return path


def rewrite(path, out, change):
    """Load the raw payload (no validation), change it, save it as a new file."""
    payload = torch.load(path, weights_only=True)
    change(payload)
    torch.save(payload, out)
    return out


def test_case5_a_truncated_data_pkl_is_a_clean_truncated_message(tmp_path):
    """Case 5: a data.pkl cut short raised IndexError from building the 'truncated' message itself."""
    good = saved(tmp_path / "ck.pt")
    cut = tmp_path / "cut.pt"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(cut, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            blob = src.read(info)
            dst.writestr(info, blob[: len(blob) // 2] if info.filename.endswith("data.pkl") else blob)
    with pytest.raises(checkpoint.CheckpointError, match="truncated|damaged"):
        checkpoint.load(cut)


def test_case5_a_bare_eof_error_still_gives_the_message(tmp_path, monkeypatch):
    good = saved(tmp_path / "ck.pt")

    def bare(*args, **kwargs):
        raise EOFError()

    monkeypatch.setattr(torch, "load", bare)
    with pytest.raises(checkpoint.CheckpointError, match="EOFError"):
        checkpoint.load(good)


def test_case9_a_zip_member_that_inflates_far_beyond_the_file_is_refused_unread(tmp_path):
    """Case 9: the 4 GiB cap applied to the compressed size: a 4 MB file took 3.6 GB."""
    bomb = tmp_path / "bomb.pt"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("archive/data.pkl", "w") as member:
            chunk = bytes(1 << 20)
            for _ in range(48):
                member.write(chunk)
    assert bomb.stat().st_size < 1 << 20
    started = time.monotonic()
    with pytest.raises(checkpoint.CheckpointError, match="decompress"):
        checkpoint.load(bomb)
    assert time.monotonic() - started < 5


def test_case9_a_gz_data_file_with_trailing_zeros_is_refused_without_inflating(tmp_path, tiny_set):
    """Case 9: a 16 MB .gz data file with trailing zeros took 6.8 GB."""
    bomb = tmp_path / "bomb"
    shutil.copytree(tiny_set, bomb)
    path = bomb / "train-labels-idx1-ubyte.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(struct.pack(">HBBI", 0, 8, 1, 256) + bytes(256))
        for _ in range(32):
            handle.write(bytes(1 << 20))
    with pytest.raises(data.DataError, match="extra data"):
        data.locate(str(bomb))  # the gzip trailer's size, read without inflating
    with pytest.raises(data.DataError, match="extra data"):
        data._read_checked(path, labels=True)  # the full read is bounded: header size + 1 bytes


def test_case10_anatomy_refuses_a_checkpoint_whose_config_does_not_match_its_weights(tmp_path, capsys):
    """Case 10: `anatomy --checkpoint` with hidden=[65536]*16 skipped the memory check (17 GB a layer)."""
    good = saved(tmp_path / "ck.pt")
    huge = rewrite(good, tmp_path / "huge.pt", lambda p: p["config"].update(hidden=[65536] * 16))
    started = time.monotonic()
    assert main(["anatomy", "--json", "--checkpoint", str(huge)]) == 2
    err = capsys.readouterr().err
    assert "expected" in err and "Traceback" not in err and time.monotonic() - started < 30


BAD_FIELDS = [
    ("config.device 5", lambda p: p["config"].update(device=5), "device"),
    ("config.device null", lambda p: p["config"].update(device=None), "device"),
    ("extra a list", lambda p: p.update(extra=[1]), "extra"),
    ("extra.batch 'x'", lambda p: p["extra"].update(batch="x"), "extra.batch"),
    ("extra.batch 1e9", lambda p: p["extra"].update(batch=10**9), "extra.batch"),
    ("extra.batch -50", lambda p: p["extra"].update(batch=-50), "extra.batch"),
    ("epoch -3", lambda p: p.update(epoch=-3), "epoch"),
    ("epoch 1e12", lambda p: p.update(epoch=10**12), "epoch"),
    ("history odd", lambda p: p.update(history=[1, "x", None]), "history[0]"),
    ("model ints", lambda p: p["model"].update({k: v.to(torch.int64) for k, v in p["model"].items()}), "model["),
    ("param_groups 'x'", lambda p: p["optimizer"].update(param_groups="x"), "param_groups"),
    ("adam state shape", lambda p: p["optimizer"]["state"][0].update(exp_avg=torch.zeros(3)), "exp_avg"),
    ("lr string", lambda p: p["config"].update(lr="big"), "lr"),
]


@pytest.mark.parametrize("label, change, field", BAD_FIELDS, ids=[b[0] for b in BAD_FIELDS])
def test_case18_wrong_types_and_ranges_are_named(tmp_path, label, change, field):
    """Case 18: right names, wrong types or ranges → raw internal errors or silently wrong runs."""
    bad = rewrite(saved(tmp_path / "ck.pt"), tmp_path / "bad.pt", change)
    with pytest.raises(checkpoint.CheckpointError) as info:
        checkpoint.load(bad)
    assert field in str(info.value)


def test_case18_cli_resume_from_a_mutated_file_is_exit_2(tmp_path, tiny_set, capsys):
    bad = rewrite(saved(tmp_path / "ck.pt"), tmp_path / "bad.pt", lambda p: p.update(epoch=-3))
    assert main(["train", "--headless", "--data-dir", str(tiny_set), "--resume", str(bad)]) == 2
    assert "epoch" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["weight nan", "bias inf", "exp_avg_sq negative"])
def test_case19_non_finite_weights_blame_the_file_not_the_learning_rate(tmp_path, tiny_set, capsys, where):
    """Case 19: NaN/Inf weights (or a negative Adam exp_avg_sq) → 'Diverged … try a smaller lr'."""

    def change(p):
        if where == "weight nan":
            p["model"]["linear_relu_stack.0.weight"][0, 0] = float("nan")
        elif where == "bias inf":
            p["model"]["linear_relu_stack.0.bias"][0] = float("inf")
        else:
            p["optimizer"]["state"][0]["exp_avg_sq"][0, 0] = -1.0

    bad = rewrite(saved(tmp_path / "ck.pt"), tmp_path / "bad.pt", change)
    assert main(["train", "--headless", "--data-dir", str(tiny_set), "--resume", str(bad), "--epochs", "2"]) == 2
    err = capsys.readouterr().err
    assert ("non-finite" in err or "negative" in err) and "smaller" not in err


def test_case20_a_gz_header_claiming_2_31_images_is_a_corrupt_file_not_memory(tmp_path, tiny_set, capsys):
    """Case 20: a .gz idx header claiming 2³¹ images → 'This model needs about 6288 GiB'."""
    liar = tmp_path / "liar"
    shutil.copytree(tiny_set, liar)
    path = liar / "train-images-idx3-ubyte.gz"
    blob = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(struct.pack(">HBBIII", 0, 8, 3, 2**31, 28, 28) + blob[16:]))
    assert main(["train", "--headless", "--data-dir", str(liar), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert "corrupt" in err and "GiB" not in err


def test_case21_a_read_only_home_reuses_one_temp_directory(tmp_path, tiny_set, monkeypatch):
    """Case 21: with HOME read-only every run unpacked 53 MB into a new temp directory."""
    import tempfile

    monkeypatch.setattr(data, "cache_dir", lambda: Path("/proc/nnlab-cannot-write"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    location = data.locate(str(tiny_set))
    roots = {data._unpack(location) for _ in range(3)}
    assert len(roots) == 1
    assert len(list((tmp_path / "tmp").iterdir())) == 1


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A 2 MiB tmpfs in a private mount namespace (unshare -m), for real ENOSPC."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare")
    return tmp_path


def _in_tmpfs(tmp_path, command: str, size="2m"):
    mount = tmp_path / "full"
    mount.mkdir()
    script = f"mount -t tmpfs -o size={size} none {mount} && cd {mount} && {command}"
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", script], capture_output=True, text=True, timeout=180
    ), mount


@pytest.mark.parametrize("policy", ["stop", "continue"])
def test_case6_a_real_full_disk_is_a_save_failed(tiny_tmpfs, tiny_set, policy):
    """Case 6: on a real ENOSPC torch.save raised RuntimeError (inline_container.cc), not OSError:
    --on-save-error continue was ignored and the message was cryptic. The default model's
    checkpoint (~5 MB with SGD) does not fit a 2 MiB tmpfs."""
    result, _ = _in_tmpfs(
        tiny_tmpfs, f"{NNLAB} train --headless --data-dir {tiny_set} --epochs 2 --save ck.pt --on-save-error {policy}"
    )
    err = result.stderr
    assert "No space left on device" in err and "Traceback" not in err and "inline_container" not in err
    assert result.returncode == 1
    if policy == "continue":
        assert err.count("Checkpoint not written") == 2 and "Epoch 2" in result.stdout  # it kept training
        assert "checkpoint NOT written" in err  # case 12 on a real disk
    else:
        assert "Epoch 2" not in result.stdout


def test_case15_the_live_jsonl_on_a_full_disk(tiny_tmpfs, tiny_set):
    """Case 15: the live JSONL on a full disk: 'the previous file is unchanged' (it was truncated
    at open), then an OSError traceback from JsonlWriter.close()."""
    result, _ = _in_tmpfs(
        tiny_tmpfs,
        f"dd if=/dev/zero of=fill bs=1k 2>/dev/null; "
        f"{NNLAB} train --headless --data-dir {tiny_set} --epochs 1 --hidden 8 "
        f"--progress-every 1 --metrics m.jsonl",
    )
    err = result.stderr
    assert "Traceback" not in err and "previous file is unchanged" not in err
    assert "live log is incomplete" in err and result.returncode == 1


def _run_with_stdout(tiny_set, tmp_path, stdout, extra=(), preexec=None):
    save = tmp_path / "ck.pt"
    proc = subprocess.Popen(
        [
            NNLAB,
            "train",
            "--headless",
            "--data-dir",
            str(tiny_set),
            "--epochs",
            "3",
            "--progress-every",
            "1",
            "--batch-size",
            "8",
            "--save",
            str(save),
            *extra,
        ],
        stdout=stdout,
        stderr=subprocess.PIPE,
        preexec_fn=preexec,
    )
    return proc, save


def test_case14_a_closed_pipe_stops_the_run_with_its_save(tmp_path, tiny_set):
    """Case 14: `| head -n 20` → BrokenPipeError in epoch 2, checkpoint from epoch 1."""
    proc, save = _run_with_stdout(tiny_set, tmp_path, subprocess.PIPE)
    for _ in range(5):
        proc.stdout.readline()
    proc.stdout.close()  # what `head` does after its lines
    _, err = proc.communicate(timeout=120)
    err = err.decode()
    assert proc.returncode == 1 and "Traceback" not in err and "Exception ignored" not in err
    assert "standard output is gone" in err
    state = checkpoint.load(save)
    assert state["epoch"] == 0 and state["extra"]["batch"] > 0  # the stop-save at the batch reached


@pytest.mark.parametrize("how", ["dev-full", "closed"])
def test_case14_stdout_full_or_closed(tmp_path, tiny_set, how):
    """Case 14: stdout /dev/full → nothing saved; stdout closed → AttributeError ... 'flush'."""
    if how == "dev-full":
        with open("/dev/full", "w") as full:
            proc, save = _run_with_stdout(tiny_set, tmp_path, full)
    else:
        proc, save = _run_with_stdout(tiny_set, tmp_path, None, preexec=lambda: os.close(1))
    _, err = proc.communicate(timeout=120)
    err = err.decode()
    assert "Traceback" not in err and "AttributeError" not in err
    assert proc.returncode in (0, 1)
    checkpoint.load(save)


def test_case23_sigusr1_and_sigquit_end_the_app_like_sigterm():
    """Case 23: SIGUSR1 or SIGQUIT left the terminal in the alternate screen with mouse tracking on:
    they now go through the app's handler (stop, exit, terminal restored by Textual)."""
    import asyncio

    from nnlab.ui.app import NNLabApp

    async def scenario(signum):
        app = NNLabApp(mode="neuron", options={})
        async with app.run_test() as pilot:
            os.kill(os.getpid(), signum)
            for _ in range(50):
                await pilot.pause(0.05)
                if app.return_code is not None:
                    break
        return app.return_code

    for signum in (signal.SIGUSR1, signal.SIGQUIT):
        assert asyncio.run(scenario(signum)) == 128 + signum
