"""`nnlab bench sweep`: K members batched in one step against the same K trained one after the other.

For each K (1, 4, 8, 16 by default) the members are the tutorial's model and data order (one
seed, SGD, batch 64), differing only by lr (log-spaced 1e-3..1e-1). "batched" is one
``train_group`` call; "sequential" is K ``engine.run`` calls. Both include each epoch's test
pass. Measurements are interleaved in one process (batched first for one K, sequential first
for the next) so a neighbour's load falls on both; with ``--runs N`` each figure is the median.
``--max-seconds`` skips what is left once the budget is spent or the next measurement is
predicted to overrun it.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

import torch

from nnlab.i18n import t
from nnlab.run.config import PRESETS
from nnlab.run.errors import ConfigError, DeviceError
from nnlab.train import data as data_mod
from nnlab.train import engine
from nnlab.train.device import choose_threads, device_label, resolve_device
from nnlab.train.sweep import train_group

DEFAULT_MEMBERS = (1, 4, 8, 16)


def member_configs(k: int, epochs: int, device: str, threads: int = 0):
    lrs = [1e-3 * 100 ** (i / max(k - 1, 1)) for i in range(k)] if k > 1 else [1e-3]
    base = PRESETS["tutorial"].with_(epochs=epochs, device=device, threads=threads)
    return [base.with_(lr=float(f"{lr:.4g}")) for lr in lrs]


def _fail_on(event) -> None:
    if event.KIND == "failed":
        raise RuntimeError(event.message)


def batched(configs, data, impl: str) -> list[float]:
    """Seconds of each epoch (training + the K test passes) for the whole group."""
    seconds: list[float] = []

    def emit(member, event):
        _fail_on(event)
        if member == 0 and event.KIND == "epoch":
            seconds.append(event.seconds)

    train_group(configs, data, emit, impl=impl)
    return seconds


def sequential(configs, data) -> list[float]:
    """Seconds of each epoch for the K members trained one after the other (summed per epoch)."""
    per_epoch = [0.0] * configs[0].epochs
    for config in configs:

        def emit(event):
            _fail_on(event)
            if event.KIND == "epoch":
                per_epoch[event.epoch - 1] += event.seconds

        engine.run(config, data, emit)
    return per_epoch


def parse_members(text: str | None) -> tuple[int, ...]:
    if text is None:
        return DEFAULT_MEMBERS
    try:
        counts = tuple(int(x) for x in text.split(","))
    except ValueError:
        counts = ()
    if not counts or not all(1 <= k <= 64 for k in counts):
        raise ConfigError(t("bench.sweep.bad_members", value=text))
    return counts


def measure(data, device: str, epochs: int, counts, impls, runs: int, max_seconds: float, threads: int = 0) -> dict:
    # Warm-up, untimed: the first batched and engine steps of a process pay one-off costs
    # (allocator, MKL/oneDNN kernel selection) that would land on whichever ran first.
    warm = data_mod.synthetic(512, 128)
    for impl in impls:
        batched(member_configs(2, 1, device, threads), warm, impl)
    sequential(member_configs(1, 1, device, threads), warm)
    started = time.perf_counter()
    hows = [f"batched-{impl}" if len(impls) > 1 else "batched" for impl in impls] + ["sequential"]
    raw: dict[tuple[int, str], list[float]] = {}
    skipped: list[dict] = []
    last_per_member: dict[str, float] = {}
    for i, k in enumerate(counts):
        configs = member_configs(k, epochs, device, threads)
        order = hows if i % 2 == 0 else hows[::-1]
        for run in range(runs):
            for how in order if run % 2 == 0 else order[::-1]:
                elapsed = time.perf_counter() - started
                predicted = last_per_member.get(how, 0.0) * k * epochs
                if elapsed + predicted > max_seconds:
                    skipped.append({"k": k, "how": how})
                    print(t("bench.sweep.skipped", k=k, how=how, limit=max_seconds), file=sys.stderr)
                    continue
                if how == "sequential":
                    seconds = sequential(configs, data)
                else:
                    seconds = batched(configs, data, how.removeprefix("batched-") if "-" in how else impls[0])
                s = statistics.median(seconds)
                raw.setdefault((k, how), []).append(s)
                last_per_member[how] = s / k
                print(t("bench.sweep.progress", k=k, how=how, s=f"{s:.3f}"), file=sys.stderr, flush=True)
    n = data.train_size
    rows = []
    for k in counts:
        seq = raw.get((k, "sequential"))
        for how in hows:
            if (k, how) not in raw:
                continue
            s = statistics.median(raw[(k, how)])
            rows.append(
                {
                    "k": k,
                    "how": how,
                    "s_per_epoch": round(s, 4),
                    "runs": len(raw[(k, how)]),
                    "samples_per_s_per_member": round(n / s, 1),
                    "samples_per_s_total": round(k * n / s, 1),
                    "sequential_over_this": round(statistics.median(seq) / s, 3) if seq else None,
                }
            )
    return {"rows": rows, "skipped": skipped, "seconds": round(time.perf_counter() - started, 1)}


def run_bench(args) -> int:
    epochs = args.epochs if args.epochs is not None else 1
    if not 1 <= epochs <= 100:
        print(t("cli.error", message=t("bench.sweep.bad_epochs")), file=sys.stderr)
        return 2
    impl = getattr(args, "impl", None) or "bmm"
    impls = ("bmm", "vmap") if impl == "both" else (impl,)
    try:
        counts = parse_members(getattr(args, "members", None))
        device = resolve_device(args.device)
        data = data_mod.load(getattr(args, "data_dir", None), allow_download=False)
    except (ConfigError, DeviceError, data_mod.DataError) as error:
        print(t("cli.error", message=str(error)), file=sys.stderr)
        return 1 if isinstance(error, data_mod.DataError) else 2
    if data.is_sample:
        print(t("train.data.sample_notice", train=f"{data.train_size:,}", test=f"{data.test_size:,}"), file=sys.stderr)
    max_seconds = float(getattr(args, "max_seconds", None) or 900)
    runs = max(1, args.runs if args.runs is not None else 1)
    threads = max(0, int(getattr(args, "threads", 0) or 0))
    default_threads = torch.get_num_threads()
    load_before = os.getloadavg()[0]
    result = measure(data, str(device), epochs, counts, impls, runs, max_seconds, threads)
    torch.set_num_threads(default_threads)
    used = threads or choose_threads(device, ui_threads=False)
    result.update(
        {
            "device": device_label(device),
            "epochs": epochs,
            "data": data.source,
            "train_size": data.train_size,
            "threads": used,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        }
    )
    if args.json:
        print(json.dumps(result))
        return 0
    print(
        t(
            "bench.sweep.header",
            device=result["device"],
            threads=used,
            data=data.source,
            epochs=epochs,
            load="→".join(f"{x:.1f}" for x in result["load_average"]),
        )
    )
    print(
        t(
            "bench.sweep.columns",
            k=t("bench.sweep.head"),
            how=t("bench.sweep.how"),
            s=t("bench.sweep.s_epoch"),
            sps=t("bench.sweep.samples"),
            ratio=t("bench.sweep.ratio_col"),
        )
    )
    for row in result["rows"]:
        ratio = row["sequential_over_this"]
        print(
            t(
                "bench.sweep.columns",
                k=row["k"],
                how=row["how"],
                s=f"{row['s_per_epoch']:.3f}",
                sps=f"{row['samples_per_s_per_member']:,.0f}",
                ratio="" if ratio is None else f"{ratio:.2f}x",
            )
        )
    return 0
