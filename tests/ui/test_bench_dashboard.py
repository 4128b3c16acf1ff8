"""`nnlab bench dashboard`: the real app in a pty beside the headless engine, one JSON object."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nnlab.commands.bench import terminal_size
from nnlab.train.data import SAMPLE_DIR


def test_terminal_size_is_parsed_strictly():
    assert terminal_size("80x24") == (80, 24) and terminal_size(" 200X60 ") == (200, 60)
    for bad in ("80", "80x", "x24", "10x5", "80x24x1", "-80x24", "80.5x24", "1000x24"):
        with pytest.raises(Exception, match="not a terminal size"):
            terminal_size(bad)


@pytest.mark.slow
def test_bench_dashboard_runs_the_app_in_a_pty_and_prints_the_four_figures(tmp_path):
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nnlab",
            "bench",
            "dashboard",
            "--epochs",
            "1",
            "--runs",
            "1",
            "--json",
            "--device",
            "cpu",
            "--data-dir",
            str(SAMPLE_DIR),
            "--size",
            "100x30",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"throughput_ratio", "key_latency_p95_ms", "terminal_bytes_per_s", "rss_growth_mb"} <= set(result)
    assert result["terminal"] == "100x30" and result["rounds"] == 1 and result["train_size"] == 6000
    assert len(result["throughput_ratio_per_round"]) == 1 and result["throughput_ratio"] > 0
    assert result["dashboard_samples_per_s"] > 0 and result["terminal_bytes_per_s"] > 0
    assert result["rss_growth_mb"] is None  # one epoch: nothing to compare with


def test_window_speed_takes_the_upper_quartile_of_windows_inside_epochs():
    from nnlab.bench.dashboard import window_speed

    # 1,000 samples every 0.1 s, except one slow second (a neighbour): 1,000 per 0.5 s there
    points, at = [], 0.0
    for step in range(1, 61):
        at += 0.5 if 20 <= step < 22 else 0.1
        points.append((1, step * 1000, at))
    assert window_speed(points, 0.5, 75) == pytest.approx(10_000, rel=0.01)
    assert window_speed(points, 0.5, 0) < 3_000  # the slow window is there
    # a new epoch restarts the count: no window spans the test pass between epochs
    two = [(1, 1000, 0.1), (1, 2000, 0.2), (2, 1000, 5.0), (2, 2000, 5.1), (2, 7000, 5.6)]
    assert window_speed(two, 0.5, 100) == pytest.approx(6000 / 0.6, rel=0.01)
    assert window_speed([], 0.5) is None


def _dashboard_run(**figures) -> dict:
    """One dashboard run's record as the bench child writes it (the figures _figures reads)."""
    return {
        "epoch_speeds": [1.0],
        "points": [],
        "key_latency_ms": [10.0],
        "tick_gaps_ms": [25.0],
        "rss_mb": [1.0],
        "terminal_bytes_per_s": 1.0,
        "terminal_bytes_per_s_typing": None,
        "keys_sent": 1,
        **figures,
    }


def test_page_switches_are_typed_and_reported():
    """Issue 13 item 16: the bench types `]` and reports the in-app page-switch p95."""
    from nnlab.bench import dashboard as bench

    assert bench.KEYS.count(b"]") == 4
    run = _dashboard_run(page_switch_ms=[float(v) for v in range(1, 101)])
    base = {"epoch_speeds": [1.0], "points": []}
    figures = bench._figures([base, base], [], [run])
    assert figures["page_switch_p95_ms"] == 95.0 and figures["page_switches"] == 100


def test_the_ui_turns_and_the_time_training_waited_are_reported():
    from nnlab.bench import dashboard as bench

    run = _dashboard_run(started_at=100.0, finished_at=120.0, ui_turns=40, ui_wait_s=0.5)
    base = {"epoch_speeds": [1.0], "points": []}
    figures = bench._figures([base, base, base], [], [run, dict(run, ui_turns=10, ui_wait_s=0.3)])
    assert figures["ui_turns"] == 50 and figures["ui_wait_share"] == 0.02  # 0.8 s of 40 s
