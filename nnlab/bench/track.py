"""`nnlab bench track`: nnlab.track's cost, JSON: log() µs per call (flush included), a tracked
small-CNN loop vs the same loop untracked, and a TensorBoard logdir of 100,000 scalars opened."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def log_overhead(root: Path, calls: int = 200_000) -> dict:
    import nnlab.track

    run = nnlab.track.init(name="bench-log", runs_dir=root, quiet=True, steer=False)
    log = run.log
    started = time.perf_counter()
    for _i in range(calls):
        log(loss=0.5, acc=0.25, lr=0.001)
    logged = time.perf_counter() - started
    run.finish()  # every record written: the flush is part of the amortised cost
    total = time.perf_counter() - started

    def empty(values=None, /, step=None, **scalars):
        return None

    started = time.perf_counter()
    for _i in range(calls):
        empty(loss=0.5, acc=0.25, lr=0.001)
    floor = time.perf_counter() - started
    return {
        "calls": calls,
        "log_us_per_call_caller": round(logged / calls * 1e6, 3),
        "log_us_per_call_amortised": round(total / calls * 1e6, 3),
        "empty_call_us": round(floor / calls * 1e6, 3),
        "goal_us": 5.0,
    }


def loop_ratio(root: Path, steps: int, repeats: int) -> dict:
    import torch
    from torch import nn

    import nnlab.track

    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 14 * 14, 10)
    )
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))

    def loop(run) -> float:
        started = time.perf_counter()
        for step in range(steps):
            if run is not None:
                run.wait_if_paused()
                if run.should_stop():
                    break
            loss = nn.functional.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if run is not None:
                run.log(loss=loss, lr=0.01, seen=step * 64)
        return time.perf_counter() - started

    loop(None)  # warm-up
    plain, tracked = [], []
    for _ in range(repeats):  # interleaved: drift on a shared machine hits both alike
        plain.append(loop(None))
        run = nnlab.track.init(name="bench-loop", runs_dir=root, quiet=True)
        tracked.append(loop(run))
        run.finish()
    ratio = statistics.median(plain) / statistics.median(tracked)
    return {
        "steps": steps,
        "repeats": repeats,
        "untracked_s_median": round(statistics.median(plain), 4),
        "tracked_s_median": round(statistics.median(tracked), 4),
        "tracked_vs_untracked_throughput": round(ratio, 4),
        "goal_ratio": 0.99,
    }


def tensorboard_open(root: Path, scalars: int = 100_000) -> dict:
    try:
        from torch.utils.tensorboard import SummaryWriter

        from nnlab.integrations.tensorboard import TensorBoardSource
    except ImportError as error:
        return {"skipped": str(error).splitlines()[0]}
    logdir = root / "tb"
    writer = SummaryWriter(logdir)
    for step in range(scalars // 4):
        for tag in ("loss", "acc", "lr", "grad_norm"):
            writer.add_scalar(f"train/{tag}", step * 1e-3, step)
    writer.close()
    TensorBoardSource(logdir)  # the proto import, once (not the open's cost)
    started = time.perf_counter()
    source = TensorBoardSource(logdir)
    records = source.read_new()
    seconds = time.perf_counter() - started
    count = sum(len(r["values"]) for r in records if r["event"] == "scalars")
    return {"scalars": count, "open_s": round(seconds, 4), "goal_s": 1.0, "problems": source.problems}


def run_bench(args: argparse.Namespace) -> int:
    steps = args.runs * 20 if args.runs else 100
    with tempfile.TemporaryDirectory(prefix="nnlab-bench-track-") as tmp:
        root = Path(tmp)
        result = {
            "log": log_overhead(root),
            "loop": loop_ratio(root, steps=steps, repeats=3),
            "tensorboard": tensorboard_open(root),
        }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    run_bench(argparse.Namespace(runs=None, json=False))
