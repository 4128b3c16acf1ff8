"""The cost of a run directory, measured: appending an event (µs, on the training thread) and replaying
a long log (ms, what a viewer pays to attach). Prints the figures; run it alone to read them:

    .venv/bin/python tests/run/test_run_figures.py          # JSON, N=100000
    .venv/bin/python -m pytest -q -s -p no:cacheprovider tests/run/test_run_figures.py

In the suite it runs 20,000 events; the asserted bounds are loose (the CPU is shared); the figures are what matters.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _run_helpers import batch, epoch_end  # noqa: E402

from nnlab.run.reader import EventLog  # noqa: E402
from nnlab.run.rundir import RunDir  # noqa: E402

N = 100_000


def measure(root: Path, n: int = N) -> dict:
    rd = RunDir.create(root, {})
    events = [batch(1 + i // 1000, 1 + i % 1000, 2.3 - i * 1e-6) for i in range(n)]
    writer = rd.writer()
    start = time.perf_counter()
    for event in events:
        writer(event)
    append_s = time.perf_counter() - start
    start = time.perf_counter()
    for epoch in range(1, 11):
        writer(epoch_end(epoch))
    epoch_s = (time.perf_counter() - start) / 10
    writer.close()
    size = rd.events_path.stat().st_size
    start = time.perf_counter()
    raw = EventLog(rd.events_path).read_new()
    raw_s = time.perf_counter() - start
    start = time.perf_counter()
    decoded = EventLog(rd.events_path, decode=True).read_new()
    decoded_s = time.perf_counter() - start
    assert len(raw) == len(decoded) == n + 10
    return {
        "events": n,
        "log_bytes": size,
        "bytes_per_event": round(size / (n + 10), 1),
        "append_us_per_event": round(append_s / n * 1e6, 2),
        "epoch_end_us": round(epoch_s * 1e6, 1),
        "replay_dicts_ms": round(raw_s * 1e3, 1),
        "replay_events_ms": round(decoded_s * 1e3, 1),
    }


def test_append_and_replay_figures(tmp_path, capsys):
    figures = measure(tmp_path, N // 5)  # 20k in the suite (shared CPU); the script runs the full 100k
    with capsys.disabled():
        print("\nrun-directory figures:", json.dumps(figures))
    assert figures["append_us_per_event"] < 200  # goal ~10-20 µs; a loose bound for a shared CPU
    assert figures["replay_events_ms"] < 10_000


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as directory:
        print(json.dumps(measure(Path(directory), int(sys.argv[1]) if len(sys.argv) > 1 else N), indent=2))
