"""Cases 5, 7, 8, 9: killed saves, damaged or oversized files, files that carry code, and another
architecture's checkpoint. Each ends in one clear message; none allocates, runs code or hangs."""

from __future__ import annotations

import builtins
import os
import pickle
import random
import signal
import time
import tracemalloc

import pytest
import torch
from _ui import options, run_ended, start_run, status, until

from nnlab.run.config import TrainConfig
from nnlab.train import checkpoint, engine
from nnlab.train.data import synthetic
from nnlab.train.model import NeuralNetwork

SMALL = TrainConfig(epochs=1, batch_size=32, lr=0.05, hidden=(32,), seed=3, device="cpu")


def save_model(path, hidden=(32,), epoch=1):
    model = NeuralNetwork(hidden)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    checkpoint.save(path, model, optimizer, epoch=epoch, config=TrainConfig(hidden=hidden), history=[])
    return model


# --- case 5: SIGKILL during a save ------------------------------------------------------------------
@pytest.mark.slow
def test_sigkill_at_random_moments_never_leaves_an_unloadable_checkpoint(tmp_path):
    """24+ trials: a child process saves an 11 MB checkpoint in a loop and is SIGKILLed at a random
    moment (during serialisation, fsync, or the rename). The file always loads; the temp files the
    killed writers leave are removed when the next run starts, before it trains."""
    path = tmp_path / "ck.pt"
    hidden = (2048, 512)
    model = save_model(path, hidden, epoch=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    rng = random.Random(7)
    epochs_seen, mid_write = set(), 0
    trial = 0
    while trial < 24 or not _strays(tmp_path):  # go on (at most 20 more) until a kill leaves a temp file
        assert trial < 44, "no kill landed inside a write"
        pid = os.fork()
        if pid == 0:  # the child: save forever, each file a new epoch number
            try:
                epoch = trial * 200  # within the schema's 0..10000 (MAX_EPOCHS)
                while True:
                    epoch += 1
                    checkpoint.save(path, model, optimizer, epoch=epoch, config=TrainConfig(hidden=hidden), history=[])
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.02, 0.35))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        mid_write += bool(_strays(tmp_path))
        data = checkpoint.load(path)  # raises if the file were half-written
        assert data["model"]["linear_relu_stack.0.weight"].shape == (2048, 784)
        epochs_seen.add(data["epoch"])
        trial += 1
    assert mid_write >= 3, f"only {mid_write} kills landed inside a write: too few to mean anything"
    assert len(epochs_seen) > 10  # the saves really completed between kills

    seen_at_start = []

    def emit(event):
        if event.KIND == "started":
            seen_at_start.extend(p.name for p in tmp_path.iterdir())

    engine.run(SMALL.with_(hidden=(8,)), synthetic(64, 32), emit, save_path=str(path))
    assert seen_at_start == ["ck.pt"], f"temp files still there when the next run started: {seen_at_start}"


def _strays(directory) -> list:
    return [p for p in directory.iterdir() if p.name.endswith(".tmp")]


async def test_app_run_cleans_temp_files_killed_sessions_left_in_the_runs_folder(tmp_path):
    """The app names each run's checkpoint anew (run-N-<time>.pt), so a stray from a killed session
    never matches the next name: starting a run clears every dead writer's temp file there."""
    import subprocess

    from nnlab.ui.app import NNLabApp

    runs = tmp_path / "runs"
    runs.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    stray = runs / f".run-1-20261127-010203.pt.{dead.pid}.0123abcd.pt.tmp"
    stray.write_bytes(b"half a checkpoint")
    live = runs / f".run-9-20261127-010203.pt.{os.getpid()}.89abcdef.pt.tmp"  # a writer still alive
    live.write_bytes(b"being written")
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await run_ended(app, pilot)
    assert not stray.exists() and live.exists()


# --- case 7: empty, truncated, garbage, oversized ---------------------------------------------------
def _bad_file(tmp_path, kind: str):
    path = tmp_path / f"{kind}.pt"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(os.urandom(4096))
    elif kind == "text":
        path.write_text("epoch=3\nweights=...\n" * 50)
    elif kind == "truncated":
        save_model(path)
        blob = path.read_bytes()
        path.write_bytes(blob[: len(blob) * 2 // 3])
    elif kind == "sparse-10GB":
        with open(path, "wb") as handle:
            handle.write(b"PK\x03\x04")
            handle.truncate(10 * 2**30)  # a hole: 10 GB long, nothing on disk
    return path


KINDS = ["empty", "garbage", "text", "truncated", "sparse-10GB"]
WORDS = {
    "empty": "empty",
    "garbage": "not a PyTorch checkpoint",
    "text": "not a PyTorch checkpoint",
    "truncated": "truncated or damaged",
    "sparse-10GB": "refused without reading",
}


def test_not_a_file_missing_too_large_not_nnlab(tmp_path):
    with pytest.raises(checkpoint.CheckpointError, match="does not exist"):
        checkpoint.load(tmp_path / "nope.pt")
    with pytest.raises(checkpoint.CheckpointError, match="not a regular file"):
        checkpoint.load(tmp_path)
    path = tmp_path / "a.pt"
    save_model(path)
    with pytest.raises(checkpoint.CheckpointError, match="limit"):
        checkpoint.load(path, max_bytes=100)
    other = tmp_path / "plain.pt"
    torch.save({"weights": torch.zeros(3)}, other)
    with pytest.raises(checkpoint.CheckpointError, match="not an nnlab checkpoint"):
        checkpoint.load(other)


@pytest.mark.parametrize("kind", KINDS)
def test_bad_file_gives_one_clear_message(tmp_path, kind):
    path = _bad_file(tmp_path, kind)
    with pytest.raises(checkpoint.CheckpointError) as info:
        checkpoint.load(path)
    message = str(info.value)
    assert WORDS[kind] in message and str(path) in message and "\n" not in message


def test_oversized_file_is_refused_before_anything_is_read_or_allocated(tmp_path, monkeypatch):
    path = _bad_file(tmp_path, "sparse-10GB")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if os.fspath(file) == str(path):
            raise AssertionError("the oversized file was opened")
        return real_open(file, *args, **kwargs)

    def no_load(*args, **kwargs):
        raise AssertionError("torch.load was called on the oversized file")

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(checkpoint.torch, "load", no_load)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(checkpoint.CheckpointError, match="limit"):
        checkpoint.load(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1 << 20 and time.perf_counter() - started < 1.0


@pytest.mark.parametrize("kind", KINDS)
def test_cli_resume_from_a_bad_file_is_one_line_and_exit_2(tmp_path, tiny_set, capsys, kind):
    from nnlab.cli import main

    code = main(["train", "--headless", "--data-dir", str(tiny_set), "--resume", str(_bad_file(tmp_path, kind))])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("nnlab: error:") and WORDS[kind] in err


@pytest.mark.parametrize("kind", ["truncated", "sparse-10GB"])
async def test_dashboard_resume_from_a_bad_file_fails_clearly_and_the_worker_ends(tmp_path, kind):
    from nnlab.ui.app import NNLabApp

    path = _bad_file(tmp_path, kind)
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)  # a first, good run: then resume one from the bad file
        await run_ended(app, pilot)
        app.screen.runs.start(config=app.screen.runs.run.config, resume_path=str(path))
        await run_ended(app, pilot, timeout=10)
        assert status(app) == "failed" and WORDS[kind] in app.screen.runs.record.events[-1].message
        assert app.screen.runs.run.worker.is_finished  # not stuck
        app.screen.runs.start()  # and the next run works
        await run_ended(app, pilot)
        assert status(app) == "finished"


async def test_resume_prompt_answers_at_once_for_an_oversized_file(tmp_path):
    from textual.widgets import Input, Static

    from nnlab.ui.app import NNLabApp
    from nnlab.ui.train.resume_prompt import ResumePrompt

    path = _bad_file(tmp_path, "sparse-10GB")
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        app.screen.runs.ask_resume()
        await until(
            pilot, lambda: isinstance(app.screen, ResumePrompt) and app.screen.query(Input), what="the resume prompt"
        )
        app.screen.query_one(Input).value = str(path)
        started = time.perf_counter()
        await pilot.press("enter")
        await until(
            pilot,
            lambda: "refused" in str(app.screen.query_one("#resume-error", Static).render()),
            timeout=5,
            what="the refusal",
        )
        assert time.perf_counter() - started < 3


# --- case 8: a checkpoint that carries code ---------------------------------------------------------
class Payload:
    """Unpickled with code allowed, this creates the marker directory."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _evil(tmp_path, style: str):
    marker = tmp_path / "pwned"
    path = tmp_path / f"evil-{style}.pt"
    body = {"format": "nnlab-checkpoint", "version": 1, "model": Payload(marker)}
    if style == "pickle":
        path.write_bytes(pickle.dumps(body))
    else:
        torch.save(body, path)
    return path, marker


@pytest.mark.parametrize("style", ["pickle", "torch-zip"])
def test_code_in_a_checkpoint_never_runs_and_is_never_retried_unsafely(tmp_path, monkeypatch, style):
    path, marker = _evil(tmp_path, style)
    calls = []
    real = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("weights_only"))
        return real(*args, **kwargs)

    monkeypatch.setattr(checkpoint.torch, "load", spy)
    with pytest.raises(checkpoint.CheckpointError, match="refused") as info:
        checkpoint.load(path)
    assert "mkdir" in str(info.value)
    assert calls and all(flag is True for flag in calls)
    events = []
    engine.run(SMALL, synthetic(64, 32), events.append, resume_path=str(path))
    assert events[-1].KIND == "failed" and "refused" in events[-1].message
    assert calls and all(flag is True for flag in calls) and not marker.exists()


def test_cli_refuses_a_checkpoint_with_code(tmp_path, tiny_set, capsys):
    from nnlab.cli import main

    path, marker = _evil(tmp_path, "torch-zip")
    code = main(["train", "--headless", "--data-dir", str(tiny_set), "--resume", str(path)])
    assert code == 2 and "refused" in capsys.readouterr().err and not marker.exists()


async def test_resume_prompt_refuses_a_checkpoint_with_code(tmp_path):
    from textual.widgets import Input, Static

    from nnlab.ui.app import NNLabApp
    from nnlab.ui.train.resume_prompt import ResumePrompt

    path, marker = _evil(tmp_path, "pickle")
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        app.screen.runs.ask_resume()
        await until(
            pilot, lambda: isinstance(app.screen, ResumePrompt) and app.screen.query(Input), what="the resume prompt"
        )
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await until(
            pilot,
            lambda: "refused" in str(app.screen.query_one("#resume-error", Static).render()),
            timeout=5,
            what="the refusal",
        )
        assert isinstance(app.screen, ResumePrompt)  # still asking: nothing was loaded
    assert not marker.exists()


# --- case 9: another architecture -------------------------------------------------------------------
def test_architecture_mismatch_names_the_keys(tmp_path):
    path = tmp_path / "a.pt"
    save_model(path, hidden=(32,))
    with pytest.raises(checkpoint.CheckpointError) as info:
        checkpoint.apply(checkpoint.load(path), NeuralNetwork((64, 16)))
    text = str(info.value)
    assert "linear_relu_stack.4.weight" in text and "missing" in text
    assert "linear_relu_stack.0.weight (32, 784)≠(64, 784)" in text


def test_hidden_128_into_512_names_every_mismatched_key(tmp_path):
    path = tmp_path / "h128.pt"
    data = synthetic(64, 32)
    engine.run(SMALL.with_(hidden=(128,)), data, lambda e: None, save_path=str(path))
    events = []
    finished = engine.run(SMALL.with_(hidden=(512,), epochs=2), data, events.append, resume_path=str(path))
    assert finished.reason == "failed" and [e.KIND for e in events] == ["failed"]
    message = events[0].message
    for expected in (
        "linear_relu_stack.0.weight (128, 784)≠(512, 784)",
        "linear_relu_stack.0.bias (128,)≠(512,)",
        "linear_relu_stack.2.weight (10, 128)≠(10, 512)",
    ):
        assert expected in message
    assert "linear_relu_stack.2.bias" not in message  # same shape: not named


def test_cli_resume_with_another_architecture_names_the_keys(tmp_path, tiny_set, capsys):
    from nnlab.cli import main

    path = tmp_path / "h128.pt"
    engine.run(SMALL.with_(hidden=(128,)), synthetic(64, 32), lambda e: None, save_path=str(path))
    code = main(
        ["train", "--headless", "--data-dir", str(tiny_set), "--resume", str(path), "--hidden", "512", "--epochs", "2"]
    )
    err = capsys.readouterr().err
    assert code != 0 and "linear_relu_stack.0.weight (128, 784)≠(512, 784)" in err and "Traceback" not in err


@pytest.mark.parametrize("kind", ["garbage", "sparse-10GB", "evil"])
def test_anatomy_checkpoint_flag_refuses_bad_files_too(tmp_path, capsys, kind):
    from nnlab.cli import main

    path, marker = _evil(tmp_path, "torch-zip") if kind == "evil" else (_bad_file(tmp_path, kind), tmp_path / "x")
    assert main(["anatomy", "--json", "--checkpoint", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnlab: error:") and not marker.exists()


# --- the resume prompt reads off the UI thread (issue 13 item 18, issue 19 case 5) ----------------
async def test_resume_prompt_reads_the_checkpoint_off_the_ui_thread_and_a_second_enter_is_harmless(
    tmp_path, monkeypatch
):
    """A slow read (a large file, a slow disk) never freezes the UI: the prompt says it is reading,
    10 ms ticks keep arriving, Enter pressed again changes nothing, and the answer comes once."""
    import threading

    from textual.widgets import Input, Static

    from nnlab.ui.app import NNLabApp
    from nnlab.ui.train.resume_prompt import ResumePrompt

    path = tmp_path / "good.pt"
    engine.run(SMALL.with_(epochs=1), synthetic(64, 32), lambda e: None, save_path=str(path))
    real_load, release, calls = checkpoint.load, threading.Event(), []

    def slow_load(p, *a, **k):
        calls.append(threading.current_thread() is threading.main_thread())
        release.wait(10)
        return real_load(p, *a, **k)

    monkeypatch.setattr(checkpoint, "load", slow_load)
    answers = []
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        app.push_screen(ResumePrompt(str(tmp_path)), answers.append)
        await until(
            pilot, lambda: isinstance(app.screen, ResumePrompt) and app.screen.query(Input), what="the resume prompt"
        )
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        ticks = []
        timer = app.set_interval(0.01, lambda: ticks.append(time.perf_counter()))
        await pilot.pause(0.3)
        await pilot.press("enter")  # again, while it is being read
        assert "Reading" in str(app.screen.query_one("#resume-error", Static).render())
        assert len(ticks) >= 10  # the UI kept running while the file was read
        release.set()
        await until(pilot, lambda: answers, timeout=10, what="the answer")
        timer.stop()
    assert calls == [False]  # read once, on a worker thread
    assert len(answers) == 1 and answers[0]["path"] == str(path) and answers[0]["epoch"] == 1
