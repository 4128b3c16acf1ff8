"""A real terminal: tmux runs the installed `nnlab train` on a tiny idx dataset; keys only."""

from __future__ import annotations

import re
import shlex
import struct
import time

import pytest
from tmux_helpers import Tmux

pytestmark = pytest.mark.e2e


def write_idx(directory, n_train=2048, n_test=256) -> None:
    """A tiny dataset in FashionMNIST's own idx format (what `--data-dir` expects)."""
    from nnlab.train.data import FILES, synthetic

    data = synthetic(n_train, n_test, seed=1)
    directory.mkdir(parents=True)
    for role, tensor in (("train_images", data.train_x), ("test_images", data.test_x)):
        n = tensor.shape[0]
        (directory / FILES[role]).write_bytes(struct.pack(">HBBIII", 0, 8, 3, n, 28, 28) + tensor.numpy().tobytes())
    for role, tensor in (("train_labels", data.train_y), ("test_labels", data.test_y)):
        n = tensor.shape[0]
        (directory / FILES[role]).write_bytes(struct.pack(">HBBI", 0, 8, 1, n) + bytes(tensor.tolist()))


def progress_line(screen: str) -> str:
    match = re.search(r"Epoch\s+\d+/\d+.*?\d+/\d+", screen)
    return match.group(0) if match else ""


def footer_on_last_line(tmux: Tmux, height: int) -> bool:
    lines = tmux.screen().splitlines() + [""] * height
    return "Commands" in lines[height - 1]


def wait_until_changes(tmux: Tmux, before: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = progress_line(tmux.screen())
        if now and now != before:
            return now
        time.sleep(0.1)
    raise AssertionError(f"the progress did not move from {before!r}:\n{tmux.screen()}")


@pytest.mark.parametrize("size", [(200, 60), (80, 24)])
def test_start_pause_resume_stop_with_keys(tmp_path, size):
    write_idx(tmp_path / "data")
    env = {"HOME": str(tmp_path), "NNLAB_RUNS_DIR": str(tmp_path / "runs")}  # cache and runs: the test's own
    # A tmux server started from a shell with COLUMNS/LINES set passes them to every session, and
    # they override the pane's real size: unset them, as a login shell on a real terminal would.
    command = (
        f"unset COLUMNS LINES; cd {shlex.quote(str(tmp_path))} && nnlab train --data-dir {shlex.quote(str(tmp_path / 'data'))} "
        "--epochs 500 --hidden 256"
    )
    with Tmux(tmp_path, width=size[0], height=size[1], env=env) as tmux:
        tmux.start(command)
        tmux.wait_for("Parameters: 203,530")
        deadline = time.monotonic() + 10
        while not footer_on_last_line(tmux, size[1]):
            assert time.monotonic() < deadline, f"the app does not fill {size}:\n{tmux.screen()}"
            time.sleep(0.1)
        tmux.wait_for("2,048", timeout=15)  # the data source it found (2,048 train images)
        tmux.keys("s")
        tmux.wait_for("Running", timeout=30)
        first = wait_until_changes(tmux, "")
        moved = wait_until_changes(tmux, first)
        assert moved != first
        tmux.keys("p")
        tmux.wait_for("Paused")
        time.sleep(0.3)
        held = progress_line(tmux.screen())
        time.sleep(1.0)
        assert progress_line(tmux.screen()) == held  # nothing moves while paused
        tmux.keys("p")
        tmux.wait_for("Running")
        wait_until_changes(tmux, held)
        tmux.keys("x")
        tmux.wait_for("Stopped")
        assert "Stopped after" in tmux.screen()
        tmux.keys("q")
        assert tmux.exit_code() == 0
    saved = list((tmp_path / "runs").glob("*/checkpoint.pt"))  # the run's directory holds its checkpoint
    assert saved, "stopping saves the run's checkpoint"
