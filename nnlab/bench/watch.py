"""`nnlab bench watch`: the run-directory figures of issue 14, side by side in one run (JSON with --json).

Measured here (no viewer needed):
- ``throughput``: the engine on the shipped sample with its events going to a RunWriter (a run
  directory in a temp folder) against the same run with a no-op emit, interleaved (--runs N,
  default 3; medians), training samples/s from the epochs' own figures. Goal: ratio >= 0.97.
- ``pause``: a real `nnlab train --headless` process; `nnlab ctl`'s request (``control_client``)
  sent, then the time until the run's ``Paused`` event is in events.jsonl, against the run's
  batch time (median gap of its batch events, progress every batch). Goal: <= batch + 50 ms.
- ``detach``: `nnlab train --headless --detach`: the parent's return time and the time from
  the command to the child's first batch event (start-up included: torch import, data load).
  Goal: <= 2 s with no training step (a fresh run has none before its first batch).
Left null for the viewer (nnlab.ui.watch) to fill: ``viewer_cpu_percent``, ``attach_finished_s``,
``attach_live_s``, ``viewer_key_to_paused_s``, ``watched_throughput_ratio``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nnlab.run.config import PRESETS
from nnlab.run.control_client import ControlError, send
from nnlab.run.reader import EventLog
from nnlab.run.rundir import RunDir
from nnlab.train.data import SAMPLE_DIR

VIEWER_FIELDS = ("viewer_cpu_percent", "attach_finished_s", "attach_live_s", "viewer_key_to_paused_s",
                 "watched_throughput_ratio")


def _wait(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.005)
    raise RuntimeError("timed out")


def throughput(root: Path, epochs: int, runs: int, threads: int) -> dict:
    from nnlab.train import data as data_mod
    from nnlab.train import engine

    data = data_mod.load(str(SAMPLE_DIR))
    config = PRESETS["tutorial"].with_(epochs=epochs, threads=threads or 1, device="cpu")
    figures: dict[str, list[float]] = {"bare": [], "run_dir": []}

    def one(kind: str) -> None:
        rates: list[float] = []

        def collect(event) -> None:
            if event.KIND == "epoch":
                rates.append(event.samples_per_s)

        if kind == "bare":
            engine.run(config, data, collect, progress_every=100)
        else:
            rd = RunDir.create(root, config)
            with rd.writer() as writer:
                engine.run(config, data, lambda e: (writer(e), collect(e)), progress_every=100)
        figures[kind].append(statistics.median(rates))

    for i in range(runs):
        order = ("bare", "run_dir") if i % 2 == 0 else ("run_dir", "bare")
        for kind in order:
            one(kind)
    bare, with_rd = statistics.median(figures["bare"]), statistics.median(figures["run_dir"])
    return {"samples_per_s_bare": round(bare, 1), "samples_per_s_run_dir": round(with_rd, 1),
            "ratio": round(with_rd / bare, 4), "goal_ratio": 0.97, "runs": runs, "epochs": epochs}


def _command(root: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "nnlab", "train", "--headless", "--data-dir", str(SAMPLE_DIR), "--threads", "1",
            "--runs-dir", str(root), *extra]


def _only_run(root: Path) -> RunDir | None:
    runs = [p for p in root.iterdir() if (p / "run.json").exists()] if root.is_dir() else []
    return RunDir.open(runs[0]) if runs else None


def pause_latency(root: Path, samples: int) -> dict:
    proc = subprocess.Popen(_command(root, "--epochs", "500", "--progress-every", "1"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    latencies, gaps = [], []
    try:
        rd = _wait(lambda: _only_run(root), 60)
        log = EventLog(rd.events_path)
        seen: list[dict] = []

        def more(kind: str):
            seen.extend(log.read_new())
            return next((e for e in reversed(seen) if e["event"] == kind), None)

        _wait(lambda: more("batch") and (rd.path / "control.sock").exists(), 60)
        for _ in range(samples):
            time.sleep(0.3)
            seen.clear()
            sent = time.time()
            send(rd, "pause")
            paused = _wait(lambda: more("paused"), 10)
            latencies.append(paused["t"] - sent)
            times = [e["t"] for e in seen if e["event"] == "batch"]
            gaps.extend(b - a for a, b in zip(times, times[1:]))
            send(rd, "resume")
        send(rd, "stop")
        proc.wait(30)
    except (ControlError, RuntimeError) as error:
        return {"error": str(error)}
    finally:
        if proc.poll() is None:
            proc.kill()
    batch = statistics.median(gaps) if gaps else None
    median = statistics.median(latencies)
    return {"ctl_pause_to_paused_s_median": round(median, 4), "ctl_pause_to_paused_s_max": round(max(latencies), 4),
            "batch_s_median": round(batch, 4) if batch is not None else None,
            "goal_s": round(batch + 0.05, 4) if batch is not None else None, "samples": samples}


def detach_time(root: Path) -> dict:
    started = time.time()
    subprocess.run(_command(root, "--epochs", "2", "--detach"), stdout=subprocess.DEVNULL, check=True)
    returned = time.time() - started
    rd = _wait(lambda: _only_run(root), 30)
    log = EventLog(rd.events_path)
    seen: list[dict] = []

    def first_batch():
        seen.extend(log.read_new())
        return next((e for e in seen if e["event"] == "batch"), None)

    batch = _wait(first_batch, 120)
    _wait(lambda: "finished" in [e["event"] for e in seen + log.read_new()], 120)
    return {"detach_return_s": round(returned, 3), "detach_to_first_batch_s": round(batch["t"] - started, 3),
            "goal_s": 2.0, "note": "a fresh run: start-up (torch import, data load) with no training step"}


def run_bench(args) -> int:
    runs = args.runs if args.runs is not None else 3
    with tempfile.TemporaryDirectory(prefix="nnlab-bench-watch-") as tmp:
        base = Path(tmp)
        result = {"bench": "watch", "cpu_count": os.cpu_count(),
                  "throughput": throughput(base / "throughput", args.epochs or 2, runs, args.threads),
                  "pause": pause_latency(base / "pause", max(3, runs)),
                  "detach": detach_time(base / "detach")}
    result.update({name: None for name in VIEWER_FIELDS})
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {json.dumps(value)}")
    return 0
