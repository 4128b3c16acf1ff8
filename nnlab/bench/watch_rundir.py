"""`nnlab bench watch`'s run-directory figures: ``throughput``, ``pause`` and ``detach`` (see ``nnlab.bench.watch``)."""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

from nnlab.bench.watch_common import _command, _only_run, _wait
from nnlab.run.config import PRESETS
from nnlab.run.control_client import ControlError, send
from nnlab.run.reader import EventLog
from nnlab.run.rundir import RunDir
from nnlab.train.data import SAMPLE_DIR


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
    return {
        "samples_per_s_bare": round(bare, 1),
        "samples_per_s_run_dir": round(with_rd, 1),
        "ratio": round(with_rd / bare, 4),
        "goal_ratio": 0.97,
        "runs": runs,
        "epochs": epochs,
    }


def pause_latency(root: Path, samples: int) -> dict:
    proc = subprocess.Popen(
        _command(root, "--epochs", "500", "--progress-every", "1"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
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
    return {
        "ctl_pause_to_paused_s_median": round(median, 4),
        "ctl_pause_to_paused_s_max": round(max(latencies), 4),
        "batch_s_median": round(batch, 4) if batch is not None else None,
        "goal_s": round(batch + 0.05, 4) if batch is not None else None,
        "samples": samples,
    }


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
    return {
        "detach_return_s": round(returned, 3),
        "detach_to_first_batch_s": round(batch["t"] - started, 3),
        "goal_s": 2.0,
        "note": "a fresh run: start-up (torch import, data load) with no training step",
    }
