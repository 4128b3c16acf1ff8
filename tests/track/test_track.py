"""nnlab.track: the records a script writes, read back by nnlab's own reader; bad input; steering."""

from __future__ import annotations

import errno
import json
import math
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import nnlab.track as nt
from nnlab.run.control_client import send
from nnlab.run.reader import EventLog, list_runs


def records(run, decode_known=False):
    log = EventLog(run.path / "events.jsonl")
    out = log.read_new()
    assert log.problems == []
    return out


def kinds(recs):
    return [r["event"] for r in recs]


def test_import_needs_neither_torch_nor_textual():
    """The tracker is importable where torch and Textual are not (a subprocess's sys.modules)."""
    code = "import sys, nnlab.track; print(sorted(m for m in ('torch', 'textual') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_run_reads_back_with_every_record_kind(tmp_path):
    torch = pytest.importorskip("torch")
    run = nt.init(name="my-cnn", config={"lr": 1e-3, "obj": object()}, runs_dir=tmp_path, quiet=True)
    run.log(loss=torch.tensor(0.5, requires_grad=True) * 2, acc=np.float32(0.25), n=np.int64(3), ok=True)
    run.log({"train/loss": 0.25}, step=10, lr=1e-3)
    run.log(loss=math.nan, big=math.inf)
    run.epoch(1, test_accuracy=0.8, test_loss=torch.tensor(0.4))
    run.confusion(np.array([[3, 1], [0, 4]]), labels=["cat", "dog"])
    run.images(np.arange(2 * 4 * 5, dtype=np.uint8).reshape(2, 4, 5), key="samples", captions=["a", "b"])
    run.finish()
    recs = records(run)
    assert kinds(recs) == ["scalars", "scalars", "scalars", "epoch_metrics", "confusion", "images", "finished"]
    first, second, third = recs[:3]
    assert first["step"] == 1 and first["values"] == {"loss": 1.0, "acc": 0.25, "n": 3, "ok": 1}
    assert second["step"] == 10 and second["values"] == {"train/loss": 0.25, "lr": 1e-3}
    assert third["step"] == 11 and third["values"] == {"loss": None, "big": None}  # non-finite: null
    assert recs[3]["epoch"] == 1 and recs[3]["values"]["test_loss"] == pytest.approx(0.4)
    assert recs[4]["matrix"] == [[3, 1], [0, 4]] and recs[4]["labels"] == ["cat", "dog"]
    img = recs[5]
    assert img["shape"] == [2, 4, 5, 1] and img["file"].startswith("media/")
    arr = nt.image_arrays(img, run.path)
    assert arr.shape == (2, 4, 5, 1) and arr[1, 3, 4, 0] == 39
    assert recs[6]["reason"] == "completed" and recs[6]["test_accuracy"] == 0.8
    info = json.loads((run.path / "run.json").read_text())
    assert info["kind"] == "track" and info["name"] == "my-cnn" and info["config"]["lr"] == 1e-3
    summary = list_runs(tmp_path)[0]
    assert (summary.name, summary.kind, summary.state, summary.epochs_done, summary.test_accuracy) == (
        "my-cnn",
        "track",
        "completed",
        1,
        0.8,
    )
    # the engine's events in the log decode as nnlab's own (the viewer reads them so)
    decoded = EventLog(run.path / "events.jsonl", decode=True)
    assert [type(e).__name__ for e in decoded.read_new()] == ["Finished"]


@pytest.mark.parametrize("name, why", [("", "empty"), ("x" * 201, "201 characters"), ("a\nb", "control")])
def test_bad_metric_names_are_refused_clearly(tmp_path, name, why):
    with nt.init(name="bad", runs_dir=tmp_path, quiet=True) as run:
        with pytest.raises(nt.TrackError, match=why):
            run.log({name: 1.0})
        with pytest.raises(nt.TrackError, match="not a number"):
            run.log(loss="high")
        with pytest.raises(nt.TrackError, match="not one number"):
            run.log(loss=np.zeros(3))
        run.log({"x" * 200: 1.0})  # the limit itself is fine
    assert kinds(records(run)) == ["scalars", "finished"]


def test_log_after_finish_is_an_error_and_nothing_before_is_lost(tmp_path):
    run = nt.init(name="done", runs_dir=tmp_path, quiet=True)
    for i in range(10_000):
        run.log(loss=float(i))
    run.finish()
    run.finish()  # twice: nothing more
    with pytest.raises(nt.TrackError, match="finished"):
        run.log(loss=1.0)
    recs = records(run)
    assert [r["values"]["loss"] for r in recs if r["event"] == "scalars"] == [float(i) for i in range(10_000)]


def test_init_twice_gives_two_independent_runs(tmp_path):
    a = nt.init(name="a", runs_dir=tmp_path, quiet=True)
    b = nt.init(name="b", runs_dir=tmp_path, quiet=True)
    a.log(x=1)
    b.log(y=2)
    b.finish()
    a.finish()
    assert a.path != b.path
    assert records(a)[0]["values"] == {"x": 1} and records(b)[0]["values"] == {"y": 2}
    assert sorted(r.name for r in list_runs(tmp_path)) == ["a", "b"]


def test_a_crash_in_the_with_block_records_failed(tmp_path):
    with pytest.raises(RuntimeError):
        with nt.init(name="crash", runs_dir=tmp_path, quiet=True) as run:
            run.log(loss=1.0)
            raise RuntimeError("boom at step 1")
    last = records(run)[-1]
    assert last["event"] == "failed" and last["message"] == "RuntimeError: boom at step 1"
    assert "Traceback" in last["detail"]
    assert list_runs(tmp_path)[0].state == "failed"


def test_an_uncaught_exception_without_with_records_failed(tmp_path):
    code = (
        "import nnlab.track as nt\n"
        f"run = nt.init(name='script', runs_dir={str(tmp_path)!r}, quiet=True)\n"
        "run.log(loss=1.0)\nraise ValueError('bad data')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "bad data" in done.stderr
    summary = list_runs(tmp_path)[0]
    assert summary.state == "failed"


def test_a_script_that_just_ends_is_completed(tmp_path):
    code = (
        "import nnlab.track as nt\n"
        f"run = nt.init(name='script', runs_dir={str(tmp_path)!r}, quiet=True)\n"
        "run.log(loss=1.0)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert list_runs(tmp_path)[0].state == "completed"


def test_a_full_disk_is_reported_once_and_never_raised(tmp_path, capsys):
    run = nt.init(name="full", runs_dir=tmp_path, quiet=True)
    run.log(loss=1.0)
    run.flush()
    real_write = __import__("os").write
    failing = {"on": True}

    def write(fd, data):
        if failing["on"] and fd == run._writer._fd:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    import os

    os.write = write
    try:
        for i in range(3):
            run.log(loss=float(i))
            run.flush()
        run.epoch(1, acc=0.5)
        failing["on"] = False
        run.log(loss=9.0)
        run.flush()
    finally:
        os.write = real_write
    run.finish()
    err = capsys.readouterr().err
    assert err.count("No space left") == 1
    log = EventLog(run.path / "events.jsonl")
    recs = log.read_new()
    assert recs[-2]["values"] == {"loss": 9.0} and any("4" in p for p in log.problems)  # a gap of 4


def test_steering_pause_step_resume_stop_save(tmp_path):
    saves = []
    run = nt.init(name="steer", runs_dir=tmp_path, quiet=True, on_save=lambda: saves.append(1) or "ck.pt")
    assert run.wait_if_paused() is False and not run.should_stop()
    assert send(run.path, "pause")["ok"]
    steps = []

    def loop():
        while not run.should_stop():
            run.wait_if_paused()
            if run.should_stop():
                break
            run.log(loss=1.0)
            steps.append(1)

    worker = threading.Thread(target=loop)
    worker.start()
    time.sleep(0.3)
    assert steps == []  # paused: no step
    assert send(run.path, "step")["ok"]
    time.sleep(0.3)
    assert len(steps) == 1  # exactly one step through
    assert send(run.path, "save")["ok"]
    time.sleep(0.4)
    assert saves == [1]  # saved while paused, by on_save
    assert send(run.path, "resume")["ok"]
    time.sleep(0.2)
    assert len(steps) > 1
    assert send(run.path, "stop")["ok"]
    worker.join(5)
    assert not worker.is_alive()
    run.finish()
    recs = records(run)
    assert "paused" in kinds(recs) and "resumed" in kinds(recs) and "saved" in kinds(recs)
    assert recs[-1]["event"] == "finished" and recs[-1]["reason"] == "stopped"
    assert not (run.path / "control.sock").exists()


def test_save_requested_without_on_save(tmp_path):
    with nt.init(name="save", runs_dir=tmp_path, quiet=True) as run:
        assert run.save_requested() is False
        assert send(run.path, "save")["ok"]
        assert run.save_requested() is True
        assert run.save_requested() is False  # once per request


def test_images_and_confusion_refuse_bad_shapes(tmp_path):
    with nt.init(name="img", runs_dir=tmp_path, quiet=True) as run:
        with pytest.raises(nt.TrackError, match="square"):
            run.confusion([[1, 2, 3], [4, 5, 6]])
        with pytest.raises(nt.TrackError, match="labels"):
            run.confusion([[1, 2], [3, 4]], labels=["a"])
        with pytest.raises(nt.TrackError, match="at most"):
            run.images(np.zeros((65, 4, 4, 1), np.uint8))
        run.images(np.ones((1, 3, 8, 8), np.float32) * 0.5)  # NCHW float: one RGB image, scaled
    img = [r for r in records(run) if r["event"] == "images"][0]
    assert img["shape"] == [1, 8, 8, 3] and nt.image_arrays(img, run.path).max() == 128


def test_zh_messages(tmp_path, zh):
    with nt.init(name="zh", runs_dir=tmp_path, quiet=True) as run:
        with pytest.raises(nt.TrackError, match="不能为空"):
            run.log({"": 1})
