"""A real terminal, keys only (issue 14): start a run in the app, d hands it to the background,
q quits, `nnlab watch` re-attaches, p pauses it, n steps one batch, x stops it."""

from __future__ import annotations

import json
import os
import shlex
import signal
import time
from pathlib import Path

import pytest
from tmux_helpers import Tmux

pytestmark = pytest.mark.e2e

SAMPLE = str(Path(__file__).resolve().parents[2] / "nnlab" / "assets" / "fashion-mnist-sample")


def kinds(run: Path) -> list[str]:
    return [json.loads(x).get("event") for x in (run / "events.jsonl").read_text().splitlines()[1:]]


def until(condition, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_start_detach_quit_watch_pause_step_stop(tmp_path):
    cwd = shlex.quote(str(tmp_path))
    runs = tmp_path / "runs"
    run = None
    try:
        with Tmux(tmp_path) as app:
            app.start(
                f"cd {cwd} && nnlab train --data-dir {shlex.quote(SAMPLE)} --epochs 200 --hidden 64 --runs-dir runs"
            )
            app.wait_for("Setup", 60)
            deadline = time.monotonic() + 60
            while "Running" not in app.screen() and time.monotonic() < deadline:
                app.keys("s")  # until the form is ready (then: "already running")
                time.sleep(1.0)
            app.wait_for("Running", 30)
            app.keys("d")
            app.wait_for("Training goes on in the background", 60)
            assert runs.is_dir(), app.screen()
            run = next(runs.iterdir())
            app.keys("q")
            assert app.exit_code(15) == 0
        until(lambda: kinds(run).count("started") == 2, 60, "the background run's Started")
        (tmp_path / "viewer").mkdir()  # its own exit-code file
        with Tmux(tmp_path / "viewer") as viewer:
            viewer.start(f"cd {cwd} && nnlab watch --runs-dir runs")
            viewer.wait_for("Running  loss", 30)  # the history replayed, the run followed live
            viewer.keys("p")
            viewer.wait_for("Paused (p resumes", 20)
            paused = kinds(run).count("paused")
            viewer.keys("n")
            until(lambda: kinds(run).count("paused") == paused + 1, 20, "the step's Paused")
            viewer.keys("x")
            viewer.wait_for("Stopped", 30)
            until(lambda: json.loads((run / "status.json").read_text())["state"] == "stopped", 20, "stopped")
            assert kinds(run)[-1] == "finished"
            viewer.keys("q")
            assert viewer.exit_code(15) == 0
    finally:
        if run is not None:
            try:
                status = json.loads((run / "status.json").read_text())
                if status.get("state") == "running":
                    os.kill(int(status["pid"]), signal.SIGTERM)
            except (OSError, ValueError, KeyError):
                pass


def test_two_viewers_steer_one_run_and_both_see_every_steer(tmp_path):
    import subprocess

    runs = tmp_path / "runs"
    out = subprocess.run(
        [
            "nnlab",
            "train",
            "--headless",
            "--detach",
            "--data-dir",
            SAMPLE,
            "--epochs",
            "200",
            "--hidden",
            "32",
            "--runs-dir",
            str(runs),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": f"{Path(os.sys.executable).parent}:{os.environ['PATH']}"},
    )
    assert out.returncode == 0, out.stderr
    run = next(runs.iterdir())
    try:
        until(lambda: (run / "events.jsonl").exists() and "batch" in kinds(run), 60, "the run's first batch")
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        with Tmux(tmp_path / "a") as a, Tmux(tmp_path / "b") as b:
            for viewer in (a, b):
                viewer.start(f"nnlab watch {shlex.quote(str(run))}")
            for viewer in (a, b):
                viewer.wait_for("Running  loss", 30)
            a.keys("p")  # A pauses: both see it, from the log
            for viewer in (a, b):
                viewer.wait_for("Paused (p resumes", 20)
            b.keys("p")  # B resumes what A paused
            for viewer in (a, b):
                viewer.wait_for("Running  loss", 20)
            b.keys("x")  # B stops: A sees the run end too
            for viewer in (a, b):
                viewer.wait_for("Stopped", 30)
            assert kinds(run)[-1] == "finished" and kinds(run).count("resumed") >= 1
    finally:
        try:
            status = json.loads((run / "status.json").read_text())
            if status.get("state") == "running":
                os.kill(int(status["pid"]), signal.SIGTERM)
        except (OSError, ValueError, KeyError):
            pass
