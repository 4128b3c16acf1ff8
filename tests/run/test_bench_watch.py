"""`nnlab bench watch`'s viewer figures: the parsing and the JSON shape (fast); the bench itself is slow."""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import pytest

from nnlab.bench import watch as bench


def test_frames_cpu_and_attach_figures_parse(tmp_path):
    frames = tmp_path / "frames.jsonl"
    frames.write_text('{"run": "/r", "mounted_at": 10.5, "first_full_frame_at": 10.8}\nnot json\n{"run": "/s"}\n')
    assert bench.read_frames(frames) == [{"run": "/r", "mounted_at": 10.5, "first_full_frame_at": 10.8}]
    assert bench.read_frames(tmp_path / "missing") == []
    assert bench.attach_figures(10.0, bench.read_frames(frames)[0]) == {
        "from_process_start_s": 0.8,
        "from_mount_s": 0.3,
    }
    assert bench.cpu_percent(1.0, 1.25, 10.0) == 2.5 and bench.cpu_percent(0, 1, 0) == 0.0
    assert bench.proc_cpu_s(os.getpid()) > 0


def test_viewer_fields_fill_the_null_fields():
    figures = {
        "attach_finished": {"from_process_start_s": 0.9, "from_mount_s": 0.3},
        "attach_live": {"from_process_start_s": 0.8, "from_mount_s": 0.2},
        "viewer_cpu_percent": 2.0,
        "viewer_key_to_paused_s": {"median": 0.01, "max": 0.02, "batch_s": 0.002, "goal_s": 0.052},
        "watched_throughput": {"ratio": 0.99},
    }
    fields = bench.viewer_fields(figures)
    assert set(fields) == set(bench.VIEWER_FIELDS)
    assert fields == {
        "viewer_cpu_percent": 2.0,
        "attach_finished_s": 0.9,
        "attach_live_s": 0.8,
        "viewer_key_to_paused_s": 0.01,
        "watched_throughput_ratio": 0.99,
    }
    assert bench.viewer_fields({"error": "x"}) == dict.fromkeys(bench.VIEWER_FIELDS)


def test_a_finished_run_is_written_as_a_run_writes_it(tmp_path):
    from nnlab.run.reader import EventLog, run_state

    rd = bench.finished_run(tmp_path, epochs=2, batches=100, every=10)
    events = EventLog(rd.events_path, decode=True).read_new()
    assert len(events) == 1 + 2 * 10 + 2 + 1 and run_state(rd) == "completed"


@pytest.mark.slow
def test_the_bench_prints_one_json_object(capsys):
    bench.run_bench(SimpleNamespace(runs="2", epochs=2, threads=1, json=True))
    result = json.loads(capsys.readouterr().out)
    assert all(name in result for name in bench.VIEWER_FIELDS) and "viewer" in result
    assert result["app_detach"]["goal_s"] == 2.0 and "no_step_s" in result["app_detach"]


def test_the_app_detach_figure_is_read_from_the_runs_own_events():
    """``app_detach``: the gap between the parent's last batch event and the child's first (the
    last ``started`` divides them), less the steps between them at the parent's batch time."""

    def batch(epoch: int, b: int, at: float) -> dict:
        return {"event": "batch", "epoch": epoch, "batch": b, "batches": 94, "t": at}

    parent = [{"event": "started", "t": 0.0}] + [batch(3, b, 10.0 + 0.01 * b) for b in range(1, 41)]
    child = [{"event": "started", "t": 10.8}, batch(3, 41, 11.0), batch(3, 42, 11.01)]
    figures = bench.handoff_gap(parent + child, asked_at=6.0)
    assert set(figures) == {
        "gap_s",
        "batch_s",
        "steps_between",
        "eval_between_s",
        "no_step_s",
        "parent_last",
        "child_first",
        "goal_s",
        "d_to_parent_stop_s",
        "d_to_child_first_batch_s",
    }
    assert figures["parent_last"] == [3, 40] and figures["child_first"] == [3, 41] and figures["steps_between"] == 1
    assert figures["goal_s"] == 2.0 and figures["no_step_s"] == round(figures["gap_s"] - figures["batch_s"], 3)
    at_epoch_end = parent[:-1] + [{"event": "epoch", "t": 10.45, "eval_seconds": 0.05}] + child
    assert bench.handoff_gap(at_epoch_end)["eval_between_s"] == 0.05  # the test pass is not the hand-off's
    assert bench.handoff_gap(parent)["error"]  # one session: no hand-off to measure
    assert bench.handoff_gap(parent + child[:1])["error"]  # no batch on the child's side
