"""What a viewer says about runs it did not start: each state, "lost" when the writer is gone without a
final event, and the listing of several runs newest first."""

from __future__ import annotations

import json
import os
import time

from _run_helpers import epoch_end, run_child, spawn_child, started

from nnlab.run.events import Diverged, Failed, Finished
from nnlab.run.reader import config_summary, list_runs, run_state
from nnlab.run.rundir import RunDir
from nnlab.run.rundir_common import now_iso


def finish(rd, *events, epochs=0):
    with rd.writer() as writer:
        writer(started())
        for epoch in range(1, epochs + 1):
            writer(epoch_end(epoch, 0.5 + epoch / 100))
        for event in events:
            writer(event)


def write_status(rd, **fields):
    status = {
        "format": "nnlab-status",
        "version": 1,
        "run": rd.id,
        "pid": os.getpid(),
        "host": os.uname().nodename,
        "started": now_iso(time.time() - 30),
        "updated": now_iso(time.time() - 20),
        "state": "running",
        "epochs": 0,
        "test_accuracy": None,
        "sessions": 1,
        "active_s": 0.0,
    }
    status.update(fields)
    rd.status_path.write_text(json.dumps(status))


def test_a_writer_that_dies_without_a_final_event_is_lost(root):
    """A child opens the run, writes an epoch and dies (os._exit: no close, no final event)."""
    rd = RunDir.create(root, {"epochs": 3})
    result = run_child(
        """
        import os, sys
        sys.path.insert(0, "tests/run")
        from _run_helpers import epoch_end, started
        from nnlab.run.rundir import RunDir
        w = RunDir.open(sys.argv[1]).writer()
        w(started()); w(epoch_end(1, 0.6))
        os._exit(9)
    """,
        str(rd.path),
    )
    assert result.returncode == 9, result.stderr
    assert rd.status()["state"] == "running"
    assert run_state(rd) == "lost"
    summary = list_runs(root)[0]
    assert summary.state == "lost" and summary.pid is not None and summary.pid != os.getpid()


def test_a_status_running_with_a_dead_pid_and_no_lock_file_is_lost(root):
    rd = RunDir.create(root, {})
    child = spawn_child("import os; print(os.getpid())")
    pid = int(child.stdout.readline())
    child.wait()
    write_status(rd, pid=pid)
    assert not rd.lock_path.exists() and run_state(rd) == "lost"
    write_status(rd, pid=os.getpid())  # alive here, and no lock to ask: running
    assert run_state(rd) == "running"


def test_another_host_running_is_lost_only_when_its_lock_is_free(root):
    rd = RunDir.create(root, {})
    write_status(rd, host="elsewhere", pid=1)
    assert run_state(rd) == "running"  # no lock file: nothing here can tell
    rd.lock_path.write_text("1 elsewhere\n")
    assert run_state(rd) == "lost"  # the lock exists and nobody holds it


def test_a_live_writer_is_running_whatever_its_pid_says(root):
    rd = RunDir.create(root, {})
    writer = rd.writer()
    write_status(rd, pid=999_999_999)
    assert run_state(rd) == "running"
    writer.close()
    assert run_state(rd) == "lost"


def test_a_final_event_wins_over_a_status_left_at_running(root):
    """The writer died between its Finished line and the status rewrite."""
    rd = RunDir.create(root, {})
    finish(rd, Finished(epochs=1, stopped=False, test_accuracy=0.8, seconds=1.0), epochs=1)
    write_status(rd)
    assert run_state(rd) == "completed"


def test_list_runs_newest_first_with_state_config_epochs_accuracy_and_duration(root):
    made = []
    for config, events, epochs in [
        (
            {
                "preset": "tutorial",
                "epochs": 2,
                "optimizer": "sgd",
                "lr": 0.001,
                "batch_size": 64,
                "hidden": [512, 512],
                "activation": "relu",
            },
            [Finished(epochs=2, stopped=False, test_accuracy=0.52, seconds=3.0)],
            2,
        ),
        (
            {"preset": "fast", "epochs": 10},
            [Finished(epochs=1, stopped=True, test_accuracy=0.51, seconds=1.0, reason="stopped")],
            1,
        ),
        (
            {},
            [
                Diverged(epoch=1, batch=2, loss=float("nan"), message="nan"),
                Finished(epochs=0, stopped=True, test_accuracy=None, seconds=0.1, reason="diverged"),
            ],
            0,
        ),
        ({}, [Failed(message="out of memory")], 0),
    ]:
        rd = RunDir.create(root, config)
        finish(rd, *events, epochs=epochs)
        made.append(rd)
        time.sleep(0.002)
    running = RunDir.create(root, {"preset": "tutorial"})
    writer = running.writer()
    writer(started())
    created = RunDir.create(root, {})
    (root / "not-a-run").mkdir()
    (root / "stray.txt").write_text("x")
    broken = root / "20000101-000000-dead"
    broken.mkdir()
    (broken / "run.json").write_text("{")
    problems = []
    runs = list_runs(root, problems)
    writer.close()
    assert [r.id for r in runs] == [created.id, running.id] + [rd.id for rd in reversed(made)]
    assert [r.state for r in runs] == ["created", "running", "failed", "diverged", "stopped", "completed"]
    completed = runs[-1]
    assert completed.epochs_done == 2 and completed.epochs_total == 2 and completed.test_accuracy == 0.52
    assert completed.summary == "tutorial · sgd lr 0.001 · batch 64 · 512-512 relu" and completed.preset == "tutorial"
    assert completed.duration_s is not None and 0 <= completed.duration_s < 10
    assert runs[-2].epochs_done == 1 and runs[-2].test_accuracy == 0.51
    assert len(problems) == 1 and "run.json cannot be read" in problems[0]
    assert json.loads(json.dumps([r.to_dict() for r in runs]))[0]["id"] == created.id


def test_list_runs_of_a_missing_root_is_empty(tmp_path):
    assert list_runs(tmp_path / "nowhere") == []


def test_duration_adds_up_the_sessions_of_a_resumed_run(root):
    rd = RunDir.create(root, {})
    write_status(rd, state="stopped", started=now_iso(time.time() - 100), updated=now_iso(time.time() - 40))
    finish(rd, Finished(epochs=1, stopped=False, test_accuracy=0.6, seconds=1.0))
    summary = list_runs(root)[0]
    assert summary.state == "completed" and 60 <= summary.duration_s < 70
    assert rd.status()["sessions"] == 2


def test_config_summary_of_partial_configs():
    assert config_summary({}) == ""
    assert config_summary({"preset": "fast", "optimizer": "adam", "lr": 5e-4}) == "fast · adam lr 0.0005"
