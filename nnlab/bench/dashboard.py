"""`nnlab bench dashboard`: the dashboard's cost, measured side by side with the headless engine.

1. Headless: ``engine.run`` in a fresh process (no UI), as `nnlab train --headless` runs it: same
   config, data and progress rate, and the same cold start as the dashboard's process.
2. Dashboard: the real app in a fresh pseudo-terminal (80x24 unless --size, xterm-256color) starts the same run
   on its Live page. This process drains the pty master and counts every byte the app writes,
   and, from 3 s after the run starts, types every 0.5 s in turn the smoothing key ``m`` (a
   loss-chart redraw) and ``]`` four times (every page, back to Live). terminal_bytes_per_s is counted over those first 3 s (a person watching the run) and
   terminal_bytes_per_s_typing over the rest. The app records, in the child, the
   monotonic time at which the screen update showing each key press was flushed, its RSS after
   each epoch, and the gaps between ticks of a 25 ms timer (a stall of the UI shows as a long gap). CLOCK_MONOTONIC is system-wide, so a
   key's latency is (flushed in the child) − (written to the pty here).

The runs alternate H D H D ... H (H: headless as `nnlab train --headless` runs it, all cores for
torch). On the shared 2-core machine this was built on, one headless process drifted between
20k and 30k samples/s within 30 seconds, so each dashboard run is compared with the mean of the
headless runs on either side of it, and throughput_ratio is the median of those paired ratios.
Where the dashboard leaves a core to the UI (more than 2 cores), the headless engine also runs
with the dashboard's thread count before each dashboard run, so the UI's own cost shows apart
from the thread-count choice (throughput_ratio_same_threads).

Page switches are timed inside the app: the ``]`` key event's own time (stamped by the driver as
it reads the key) to the end of the next refresh after the tab changed (page_switch_p95_ms).

Each key holds the run between two batches until its screen is drawn (``Control.hold_for_ui``):
ui_turns counts the turns the engine took and ui_wait_share is the share of the runs' time it
spent waiting in them (that time is in throughput_ratio too).

Figures: throughput_ratio (dashboard training samples/s ÷ headless), key_latency_p95_ms, page_switch_p95_ms,
terminal_bytes_per_s (between Started and Finished), rss_growth_mb (last epoch end − first),
ui_turns and ui_wait_share.
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

from nnlab.i18n import t

KEY = b"m"
KEYS = (b"m", b"]", b"]", b"]", b"]")  # a chart redraw, then the four pages round back to Live
KEY_EVERY_S = 0.5
QUIET_S = 3.0  # after Started, no keys for this long: the bytes a person watching costs
WINDOW_S = 0.5  # see window_speed


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, int(round(q / 100 * (len(ordered) - 1)))))
    return ordered[k]


def _spec(tmp: str, config, data_dir: str | None, **extra) -> tuple[Path, Path]:
    """What a child process (headless or app) runs, as a JSON file, and where it writes its result."""
    spec, out = Path(tmp) / "spec.json", Path(tmp) / "result.json"
    spec.write_text(json.dumps({"config": config.to_dict(), "data_dir": data_dir, "out": str(out), **extra}))
    return spec, out


def headless(config, data_dir: str | None, progress_every: int, ui_threads: bool = False, timeout: float = 600) -> dict:
    """The engine alone in a fresh process, as `nnlab train --headless` runs it (torch imported,
    data read, allocator cold): the same start the dashboard's own process gets."""
    with tempfile.TemporaryDirectory() as tmp:
        spec, out = _spec(tmp, config, data_dir, progress_every=progress_every, ui_threads=ui_threads)
        try:
            done = subprocess.run(
                [sys.executable, "-m", "nnlab.bench.dashboard", "--headless", str(spec)],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(t("bench.dash.timeout", seconds=int(timeout))) from None
        if done.returncode != 0 or not out.exists():
            lines = done.stderr.strip().splitlines()
            raise RuntimeError(lines[-1] if lines else t("bench.dash.no_result", code=done.returncode))
        return json.loads(out.read_text())


def window_speed(points: list, window_s: float = WINDOW_S, q: float = 75) -> float | None:
    """The ``q``-th percentile of samples/s over windows of about ``window_s`` inside an epoch.

    A neighbour on a shared machine only ever slows a run, for seconds at a time; the UI's cost
    is spread evenly (a few screen updates in every window). So the upper quartile of short
    windows estimates each side's speed while no neighbour interferes, and it still carries the
    UI's cost."""
    speeds = []
    start = None
    for epoch, seen, at in points:
        if start is None or start[0] != epoch or seen < start[1]:
            start = (epoch, seen, at)
            continue
        if at - start[2] >= window_s:
            speeds.append((seen - start[1]) / (at - start[2]))
            start = (epoch, seen, at)
    return percentile(speeds, q)


def dashboard(
    config, data_dir: str | None, timeout: float, size: tuple[int, int] = (80, 24), ui_turns: bool = True
) -> dict:
    """Run the app in a pty; returns the child's record plus bytes and key send times.
    ``ui_turns=False``: keys do not hold the run (``--ab-ui-turns`` compares the two)."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    with tempfile.TemporaryDirectory() as tmp:
        spec, out = _spec(tmp, config, data_dir, ui_turns=ui_turns)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(size[0]), LINES=str(size[1]))
        env.pop("NO_COLOR", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "nnlab.bench.dashboard", str(spec)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            close_fds=True,
        )
        os.close(slave)
        chunks: list[tuple[float, int]] = []  # (monotonic time, bytes) of every read
        sent: list[float] = []
        deadline = time.monotonic() + timeout
        next_key = None
        started = None
        typed = 0
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.05)  # a key may go out 50 ms late: timed from its write
                if ready:
                    try:
                        data = os.read(master, 1 << 16)
                    except OSError:  # EIO: the child closed the terminal (it exited)
                        break
                    chunks.append((time.monotonic(), len(data)))
                now = time.monotonic()
                if started is None:
                    started = _started_at(out.with_suffix(".started"))
                if started is not None:
                    if next_key is None:
                        next_key = started + QUIET_S
                    elif now >= next_key and not out.exists():
                        key = KEYS[typed % len(KEYS)]
                        typed += 1
                        if key == KEY:
                            sent.append(time.monotonic())
                        os.write(master, key)
                        next_key = now + KEY_EVERY_S
            try:
                proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                raise RuntimeError(t("bench.dash.timeout", seconds=int(timeout))) from None
        finally:
            os.close(master)
        if not out.exists():
            raise RuntimeError(t("bench.dash.no_result", code=proc.returncode))
        result = json.loads(out.read_text())
    t0, t1 = result["started_at"], result["finished_at"]
    quiet_end = min(t1, t0 + QUIET_S)
    result["terminal_bytes_per_s"] = sum(n for at, n in chunks if t0 <= at <= quiet_end) / max(quiet_end - t0, 1e-9)
    result["terminal_bytes_per_s_typing"] = (
        sum(n for at, n in chunks if quiet_end < at <= t1) / (t1 - quiet_end) if t1 - quiet_end >= 1.0 else None
    )
    result["terminal_bytes_total"] = sum(n for _, n in chunks)
    shown = result["key_shown_at"]
    result["key_latency_ms"] = [(s - k) * 1000 for k, s in zip(sent, shown) if s >= k]
    result["keys_sent"] = len(sent)
    result["ui_turns_on"] = ui_turns
    return result


def _started_at(path: Path) -> float | None:
    try:
        return float(path.read_text())
    except (OSError, ValueError):
        return None


def run_bench(args) -> int:
    from nnlab.run.config import PRESETS
    from nnlab.run.errors import DeviceError
    from nnlab.train.data import DataError, load
    from nnlab.ui.train.worker import progress_every_for

    epochs = args.epochs if args.epochs is not None else 3
    if not 1 <= epochs <= 100:
        print(t("bench.dash.bad_epochs"), file=sys.stderr)
        return 2
    config = PRESETS["tutorial"].with_(epochs=epochs, device=args.device)
    try:
        data = load(args.data_dir)
    except DataError as error:
        print(error, file=sys.stderr)
        return 1
    every = progress_every_for(data.train_size, config.batch_size)
    rounds = max(1, min(args.runs, 10)) if args.runs is not None else 5  # --runs N rounds, 5 unless asked
    load_before = os.getloadavg()[0]
    ab = bool(getattr(args, "ab_ui_turns", False))
    try:
        bases, same, dashes = _rounds(config, args.data_dir, every, rounds, args.size, ab=ab)
    except (RuntimeError, DeviceError) as error:
        print(t("bench.dash.failed", why=error), file=sys.stderr)
        return 1
    on = [i for i, d in enumerate(dashes) if d["ui_turns_on"]]
    result = _figures(bases, same, dashes, on)
    if ab:
        off = [i for i, d in enumerate(dashes) if not d["ui_turns_on"]]
        result["ab_ui_turns"] = {"on": _figures(bases, same, dashes, on), "off": _figures(bases, same, dashes, off)}
    result.update(
        {
            "device": dashes[-1]["device"],
            "epochs": epochs,
            "rounds": rounds,
            "train_size": data.train_size,
            "terminal": f"{args.size[0]}x{args.size[1]}",
            "progress_every": every,
            "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        }
    )
    if args.json:
        print(json.dumps(result))
    else:
        print(
            t(
                "bench.dash.lines",
                **{
                    k: v
                    for k, v in result.items()
                    if k
                    not in (
                        "rss_mb_per_epoch",
                        "throughput_ratio_per_round",
                        "throughput_ratio_windows_per_round",
                        "ab_ui_turns",
                    )
                },
                rss=result["rss_mb_per_epoch"],
                per_round=result["throughput_ratio_per_round"],
            )
        )
        for variant, figures in result.get("ab_ui_turns", {}).items():
            print(t(f"bench.dash.ab_{variant}", **figures, per_round=figures["throughput_ratio_per_round"]))
    return 0


def _rounds(config, data_dir: str | None, every: int, rounds: int, size: tuple[int, int], ab: bool = False):
    """H D H D ... H: each dashboard run is compared with the headless runs on either side of it,
    so a neighbour that slows the machine for a while slows both sides of a pair. Returns the
    headless runs, the same-threads headless runs (empty where they equal the headless ones) and
    the dashboard runs. ``ab``: twice the rounds, the UI's turns on and off in turn (on first)."""
    from nnlab.train.device import choose_threads, resolve_device

    device = resolve_device(config.device)
    # Where the dashboard's torch thread count equals the headless one (2 cores and fewer),
    # the same-threads baseline is the headless run itself.
    same_threads = choose_threads(device, True) == choose_threads(device, False)
    bases, same, dashes = [headless(config, data_dir, every)], [], []
    for i in range(2 * rounds if ab else rounds):
        if not same_threads:
            same.append(headless(config, data_dir, every, ui_threads=True))
        turns = not (ab and i % 2)
        dashes.append(dashboard(config, data_dir, timeout=120 + 60 * config.epochs, size=size, ui_turns=turns))
        bases.append(headless(config, data_dir, every))
    return bases, same, dashes


def _figures(bases: list[dict], same: list[dict], dashes: list[dict], index: list[int] | None = None) -> dict:
    """The measured figures of one bench: throughput ratios, key latency, ticks, bytes, memory.
    ``index``: only these dashboard runs (each still paired with the headless runs either side)."""
    index = list(range(len(dashes))) if index is None else index
    pairs = [(bases[i], bases[i + 1]) for i in index]
    dashes = [dashes[i] for i in index]
    head_speed = statistics.median(v for b in bases for v in b["epoch_speeds"])
    same_speed = statistics.median(v for b in (same or bases) for v in b["epoch_speeds"])
    dash_speed = statistics.median(v for d in dashes for v in d["epoch_speeds"])

    def mean(run: dict) -> float:
        return statistics.fmean(run["epoch_speeds"])

    per_round = [mean(d) / ((mean(before) + mean(after)) / 2) for d, (before, after) in zip(dashes, pairs)]
    dash_w = [window_speed(d["points"]) for d in dashes]
    base_w = [(window_speed(before["points"]), window_speed(after["points"])) for before, after in pairs]
    windowed = [d / ((before + after) / 2) for d, (before, after) in zip(dash_w, base_w) if d and before and after]
    latencies = [v for d in dashes for v in d["key_latency_ms"]]
    switches = [v for d in dashes for v in d.get("page_switch_ms", [])]
    ticks = [v for d in dashes for v in d["tick_gaps_ms"]]
    growth = [d["rss_mb"][-1] - d["rss_mb"][0] for d in dashes if len(d["rss_mb"]) > 1]
    run_s = sum(d["finished_at"] - d["started_at"] for d in dashes if d.get("finished_at") and d.get("started_at"))
    waited = sum(d.get("ui_wait_s", 0.0) for d in dashes)
    typing = [d["terminal_bytes_per_s_typing"] for d in dashes if d["terminal_bytes_per_s_typing"] is not None]
    return {
        "throughput_ratio": round(statistics.median(per_round), 3),
        "key_latency_p95_ms": _round(percentile(latencies, 95)),
        "page_switch_p95_ms": _round(percentile(switches, 95)),
        "page_switch_median_ms": _round(percentile(switches, 50)),
        "page_switch_max_ms": _round(max(switches, default=None)),
        "page_switches": len(switches),
        "terminal_bytes_per_s": round(statistics.fmean(d["terminal_bytes_per_s"] for d in dashes)),
        "terminal_bytes_per_s_typing": _round(statistics.fmean(typing)) if typing else None,
        "rss_growth_mb": round(max(growth), 1) if growth else None,
        "ui_turns": sum(d.get("ui_turns", 0) for d in dashes),
        "ui_wait_share": round(waited / run_s, 4) if run_s else None,
        "throughput_ratio_per_round": [round(r, 3) for r in per_round],
        "throughput_ratio_of_medians": round(dash_speed / head_speed, 3),
        "throughput_ratio_windows": round(statistics.median(windowed), 3) if windowed else None,
        "throughput_ratio_windows_per_round": [round(r, 3) for r in windowed],
        "throughput_ratio_same_threads": round(dash_speed / same_speed, 3),
        "headless_samples_per_s": round(head_speed),
        "headless_same_threads_samples_per_s": round(same_speed),
        "dashboard_samples_per_s": round(dash_speed),
        "key_latency_median_ms": _round(percentile(latencies, 50)),
        "key_latency_max_ms": _round(max(latencies, default=None)),
        "keys": f"{len(latencies)}/{sum(d['keys_sent'] for d in dashes)}",
        "tick_gap_p95_ms": _round(percentile(ticks, 95)),
        "tick_gap_max_ms": _round(max(ticks, default=None)),
        "rss_mb_per_epoch": [round(v, 1) for v in dashes[-1]["rss_mb"]],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


if __name__ == "__main__":  # the children this module starts (nnlab.bench.dashboard_child)
    from nnlab.bench.dashboard_child import main

    sys.exit(main(sys.argv[1:]))
