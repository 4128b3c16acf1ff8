"""What the `nnlab bench watch` measurements share: waiting on a condition, the headless command, its run."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from nnlab.run.rundir import RunDir
from nnlab.train.data import SAMPLE_DIR


def _wait(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.005)
    raise RuntimeError("timed out")


def _command(root: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "nnlab",
        "train",
        "--headless",
        "--data-dir",
        str(SAMPLE_DIR),
        "--threads",
        "1",
        "--runs-dir",
        str(root),
        *extra,
    ]


def _only_run(root: Path) -> RunDir | None:
    runs = [p for p in root.iterdir() if (p / "run.json").exists()] if root.is_dir() else []
    return RunDir.open(runs[0]) if runs else None
