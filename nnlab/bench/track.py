"""`nnlab bench track`: nnlab.track's cost, JSON: log() µs per call (flush included), a tracked
small-CNN loop vs the same loop untracked (``loop_ratio``: interleaved rounds, the median of the
rounds' ratios and the noise floor beside it; ``--runs N`` rounds; and, from the parts, the time
a step spends inside the tracker's calls against an untracked step), and a TensorBoard logdir of
100,000 scalars opened."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

LOOP_STEPS = 300  # steps a loop (~1 s here): long enough that one scheduling hiccup is a small part of it
LOOP_TRIPLES = 7  # rounds of (untracked, tracked, untracked) or the reverse: --runs N


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


def loop_ratio(root: Path, steps: int = LOOP_STEPS, triples: int = LOOP_TRIPLES, threads: int = 1) -> dict:
    """Tracked vs untracked training loop, measured so the figure means something on a shared machine.

    ``triples`` rounds of untracked, tracked, untracked loops of ``steps`` steps each (the order
    flipped every other round: tracked, untracked, tracked). Each round's ratio compares the tracked
    loop(s) with the untracked loop(s) of the same round, averaged, so a machine that speeds up or
    slows down during the round hits both sides alike; the figure is the median of the rounds'
    ratios (untracked time / tracked time: tracked throughput ÷ untracked, 1.0 = no cost). The two
    loops of one kind within a round give the noise floor (``noise_median``: median of
    |1 − first/second| over the rounds): a ratio within that of 1.0 is "no measurable cost", and a
    ratio above 1 by more than that says the machine was too noisy for the figure. Torch runs on
    ``threads`` threads (1 unless --threads): on this shared 2-core machine, with a neighbour taking
    a core, a step took 50-340 ms on two threads against ~5 ms on one (a fork-join region waits for
    its descheduled thread), which buried the tracker's cost in noise; one leaves the writer a core.
    """
    import torch
    from torch import nn

    import nnlab.track

    torch.set_num_threads(max(1, threads))
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 14 * 14, 10)
    )
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))

    in_tracker: list[float] = []  # per tracked loop: seconds spent inside the tracker's calls

    def loop(tracked: bool) -> float:
        run = nnlab.track.init(name="bench-loop", runs_dir=root, quiet=True) if tracked else None
        clock = time.perf_counter
        spent = 0.0
        started = clock()
        for step in range(steps):
            if run is not None:
                t0 = clock()
                run.wait_if_paused()
                stop = run.should_stop()
                spent += clock() - t0
                if stop:
                    break
            loss = nn.functional.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if run is not None:
                t0 = clock()
                run.log(loss=loss, lr=0.01, seen=step * 64)
                spent += clock() - t0
        seconds = clock() - started
        if run is not None:
            in_tracker.append(spent)
        if run is not None:
            run.finish()  # after the clock: the loop's cost is what the caller waits for per step
        return seconds

    loop(False)  # warm-up: allocator, kernels, the tracker's first run directory
    loop(True)
    ratios, noise, rounds, plain_times = [], [], [], []
    for i in range(triples):
        kinds = (False, True, False) if i % 2 == 0 else (True, False, True)
        times = [loop(kind) for kind in kinds]
        plain = [s for s, kind in zip(times, kinds) if not kind]
        tracked = [s for s, kind in zip(times, kinds) if kind]
        plain_times.extend(plain)
        ratios.append(statistics.mean(plain) / statistics.mean(tracked))
        pair = plain if len(plain) == 2 else tracked
        noise.append(abs(1.0 - pair[0] / pair[1]))
        rounds.append([round(s, 4) for s in times])
    ratios_sorted = sorted(ratios)
    # The same question from the parts, far less noisy than two loops' wall times on a shared
    # machine: the time a step spends inside the tracker against an untracked step's time.
    plain_step = statistics.median(plain_times) / steps
    tracker_step = statistics.median(in_tracker[2:] or in_tracker) / steps  # the warm-up's first run left out
    return {
        "steps": steps,
        "triples": triples,
        "torch_threads": torch.get_num_threads(),
        "tracked_vs_untracked_throughput": round(statistics.median(ratios), 4),
        "ratio_min": round(ratios_sorted[0], 4),
        "ratio_max": round(ratios_sorted[-1], 4),
        "noise_median": round(statistics.median(noise), 4),
        "tracker_us_per_step": round(tracker_step * 1e6, 2),
        "step_us_untracked": round(plain_step * 1e6, 1),
        "ratio_from_tracker_time": round(plain_step / (plain_step + tracker_step), 5),
        "rounds_s": rounds,
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
    triples = int(args.runs) if args.runs else LOOP_TRIPLES
    with tempfile.TemporaryDirectory(prefix="nnlab-bench-track-") as tmp:
        root = Path(tmp)
        result = {
            "log": log_overhead(root),
            "loop": loop_ratio(root, steps=LOOP_STEPS, triples=max(1, triples), threads=args.threads or 1),
            "tensorboard": tensorboard_open(root),
        }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    run_bench(argparse.Namespace(runs=None, json=False, threads=0))
