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
- ``app_detach``: the app's `d` (``TrainRun.detach``, the overlapped hand-off of
  ``nnlab.run.handoff``), driven without Textual: the same worker, engine, child command
  (``resume_argv``, what the screen builds) and run directory, a plain object in the screen's
  place. From the run's own events.jsonl (progress every batch): ``gap_s``, the parent's last
  batch event to the child's first; ``batch_s``, the median gap of the parent's batch events
  before (one step each); ``no_step_s`` = gap_s − (steps between them) × batch_s − the test
  pass of an epoch that ended in between (``eval_between_s``: it belongs to every epoch), the
  time with no training step. Goal: no_step_s <= 2 s. Also ``d_to_parent_stop_s`` (the overlap: the
  child's start-up while the parent trained on) and ``d_to_child_first_batch_s``.
The viewer's figures (``viewer``): `nnlab watch` in a real pty at 80x24 (xterm-256color; this
process drains the master), the screen appending its mount and first-full-frame times (the
replay done and drawn) to ``$NNLAB_BENCH_WATCH_OUT``:
- ``attach_finished_s`` / ``attach_live_s``: a finished 50-epoch run (synthetic events, as a run
  writes them) and a live headless run: first full frame − process start (spawn), and
  ``*_from_mount_s``: first full frame − the screen's mount. Goal: <= 1 s each.
- ``viewer_cpu_percent``: the viewer's utime+stime (/proc/PID/stat) over ``CPU_WINDOW_S`` while
  it watches the live run, as a percent of one core. Goal: <= 5.
- ``viewer_key_to_paused_s``: ``p`` written to the viewer's pty → the run's Paused event time
  (same clock, one host), against the run's batch time (batch size / samples per s). Goal:
  <= batch + 50 ms.
- ``watched_throughput_ratio``: headless training samples/s with one viewer attached ÷ without
  (alternating, medians). Goal: >= 0.97.
"""

from __future__ import annotations

import json
import os
import pty
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

VIEWER_FIELDS = (
    "viewer_cpu_percent",
    "attach_finished_s",
    "attach_live_s",
    "viewer_key_to_paused_s",
    "watched_throughput_ratio",
)


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
    return {
        "samples_per_s_bare": round(bare, 1),
        "samples_per_s_run_dir": round(with_rd, 1),
        "ratio": round(with_rd / bare, 4),
        "goal_ratio": 0.97,
        "runs": runs,
        "epochs": epochs,
    }


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


def handoff_gap(events: list[dict], asked_at: float | None = None) -> dict:
    """The hand-off's figures from a run's events (``event`` and ``t`` keys, header excluded):
    the parent's batch events are those before the last ``started``, the child's after it."""
    starts = [i for i, e in enumerate(events) if e.get("event") == "started"]
    if len(starts) < 2:
        return {"error": "no hand-off in the log (one session only)"}
    cut = starts[-1]
    parent = [e for e in events[:cut] if e.get("event") == "batch"]
    child = [e for e in events[cut:] if e.get("event") == "batch"]
    if not parent or not child:
        return {"error": "no batch event on one side of the hand-off"}
    last, first = parent[-1], child[0]
    evaluated = sum(
        float(e.get("eval_seconds") or 0.0)
        for e in events
        if e.get("event") == "epoch" and last["t"] <= e.get("t", 0) <= first["t"]
    )
    recent = [e for e in parent[-51:] if e.get("epoch") == last.get("epoch")]
    gaps = [b["t"] - a["t"] for a, b in zip(recent, recent[1:]) if b["batch"] - a["batch"] == 1]
    batch_s = statistics.median(gaps) if gaps else None
    batches = int(last.get("batches") or 0)
    steps = (first["epoch"] - last["epoch"]) * batches + first["batch"] - last["batch"]
    gap = first["t"] - last["t"]
    out = {
        "gap_s": round(gap, 3),
        "batch_s": round(batch_s, 4) if batch_s is not None else None,
        "steps_between": steps,
        "eval_between_s": round(evaluated, 3),
        "no_step_s": round(gap - steps * batch_s - evaluated, 3) if batch_s is not None else None,
        "parent_last": [last["epoch"], last["batch"]],
        "child_first": [first["epoch"], first["batch"]],
        "goal_s": 2.0,
    }
    if asked_at is not None:
        out["d_to_parent_stop_s"] = round(last["t"] - asked_at, 3)
        out["d_to_child_first_batch_s"] = round(first["t"] - asked_at, 3)
    return out


class _Posts:
    """The screen's place for a TrainRun driven without Textual: keeps what the worker posts."""

    def __init__(self) -> None:
        self.messages: list = []

    def post_message(self, message) -> bool:
        self.messages.append(message)
        return True


def app_detach_time(root: Path, warm_s: float = 1.0, epochs: int = 500) -> dict:
    """The app's `d` on a live run: ``TrainRun`` on a thread, ``detach()`` after ``warm_s`` of
    steady training, the child watched through the run directory until it trains, then stopped."""
    import threading

    from nnlab.run.handoff import resume_argv
    from nnlab.train import data as data_mod
    from nnlab.ui.train.worker import TrainRun

    config = PRESETS["tutorial"].with_(epochs=epochs, threads=1, device="cpu")
    rd = RunDir.create(root, config)
    target = _Posts()
    run = TrainRun(
        1,
        config,
        lambda: data_mod.load(str(SAMPLE_DIR)),
        target,
        save_path=str(rd.checkpoint_path),
        run_dir=rd,
        detach_argv=lambda r: resume_argv(str(r.save_path), str(rd.path), r.progress_every, str(SAMPLE_DIR)),
    )
    worker = threading.Thread(target=run._work, name="bench-train-run", daemon=True)
    worker.start()
    log = EventLog(rd.events_path)
    seen: list[dict] = []

    def count(kind: str) -> int:
        seen.extend(log.read_new())
        return sum(1 for e in seen if e["event"] == kind)

    try:
        _wait(lambda: count("batch") > 0, 120)
        time.sleep(warm_s)
        asked = time.time()
        if not run.detach():
            return {"error": "the run could not be detached"}
        worker.join(120)
        if run.detached_pid is None:
            notes = [getattr(m, "text", "") for m in target.messages if type(m).__name__ == "Notice"]
            return {"error": "; ".join(notes) or "no hand-off"}

        def child_batches() -> int:
            if count("started") < 2:
                return 0
            cut = max(i for i, e in enumerate(seen) if e["event"] == "started")
            return sum(1 for e in seen[cut + 1 :] if e["event"] == "batch")

        _wait(lambda: child_batches() >= 3, 120)
        send(rd, "stop")
        _wait(lambda: count("finished") >= 1, 60)
    except (ControlError, RuntimeError) as error:
        return {"error": str(error)}
    finally:
        run.stop()
        worker.join(30)
    out = handoff_gap(seen, asked)
    out["path"] = "TrainRun.detach (the app's d, its quit dialog's background choice and SIGHUP), without Textual"
    return out


CPU_WINDOW_S = 10.0
FINISHED_EPOCHS = 50


def proc_cpu_s(pid: int) -> float:
    """utime + stime of ``pid`` in seconds (/proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_percent(cpu_before: float, cpu_after: float, wall_s: float) -> float:
    return round(100.0 * (cpu_after - cpu_before) / wall_s, 2) if wall_s > 0 else 0.0


def read_frames(path: Path) -> list[dict]:
    """The viewer's first-full-frame records (one JSON object a line; bad lines skipped)."""
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("first_full_frame_at"), (int, float)):
            out.append(record)
    return out


def attach_figures(spawned_at: float, frame: dict) -> dict:
    mounted = frame.get("mounted_at")
    return {
        "from_process_start_s": round(frame["first_full_frame_at"] - spawned_at, 3),
        "from_mount_s": round(frame["first_full_frame_at"] - mounted, 3) if mounted else None,
    }


def finished_run(root: Path, epochs: int = FINISHED_EPOCHS, batches: int = 938, every: int = 10) -> RunDir:
    """A finished run of ``epochs`` epochs written as the engine writes one (progress every ``every``)."""
    from nnlab.run.events import BatchProgress, EpochEnd, Finished, Started

    config = PRESETS["tutorial"].with_(epochs=epochs, device="cpu")
    rd = RunDir.create(root, config)
    with rd.writer() as writer:
        writer(
            Started(
                config=config.to_dict(),
                device="cpu",
                parameters=669_706,
                train_size=60_000,
                test_size=10_000,
                data_source="synthetic",
            )
        )
        for epoch in range(1, epochs + 1):
            for b in range(every, batches + 1, every):
                writer(
                    BatchProgress(
                        epoch=epoch,
                        batch=b,
                        batches=batches,
                        samples_seen=64 * b,
                        running_loss=2.3 / (epoch + b / batches),
                        samples_per_s=40_000.0,
                        elapsed_s=b * 0.0015,
                        loss=2.3 / (epoch + b / batches),
                    )
                )
            writer(
                EpochEnd(
                    epoch=epoch,
                    train_loss=1.0 / epoch,
                    test_loss=1.1 / epoch,
                    test_accuracy=min(0.9, 0.5 + epoch / 100),
                    per_class_accuracy=tuple([0.8] * 10),
                    confusion=tuple(tuple(800 if i == j else 22 for j in range(10)) for i in range(10)),
                    seconds=1.5,
                    samples_per_s=40_000.0,
                    sample_predictions=tuple(range(10)),
                    eval_seconds=0.1,
                )
            )
        writer(Finished(epochs=epochs, stopped=False, test_accuracy=0.9, seconds=75.0))
    return rd


class Viewer:
    """`nnlab watch DIR` in a pty of ``size``; the master drained on a thread."""

    def __init__(self, run_path: Path, frames: Path, size=(80, 24)) -> None:
        import fcntl
        import struct
        import termios
        import threading

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "NNLAB_BENCH_WATCH_OUT": str(frames)}
        self.spawned_at = time.time()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nnlab", "watch", str(run_path)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.bytes = 0
        self._drain = threading.Thread(target=self._read, daemon=True)
        self._drain.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.bytes += len(data)

    def press(self, key: bytes) -> float:
        sent = time.time()
        os.write(self.master, key)
        return sent

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.write(self.master, b"q")
                self.proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(5)
        try:
            os.close(self.master)
        except OSError:
            pass


def _frame_for(frames: Path, run_path: Path, timeout: float = 60) -> dict:
    return _wait(lambda: next((f for f in read_frames(frames) if f.get("run") == str(run_path)), None), timeout)


def _headless_rate(root: Path, epochs: int, watched: bool, frames: Path) -> float:
    """Training samples/s (median of its epochs) of a headless run, with one viewer attached or not."""
    proc = subprocess.Popen(
        _command(root, "--epochs", str(epochs)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    viewer = None
    try:
        rd = _wait(lambda: _only_run(root), 60)
        if watched:
            viewer = Viewer(rd.path, frames)
        proc.wait(600)
        log = EventLog(rd.events_path)
        rates = [e["samples_per_s"] for e in log.read_new() if e.get("event") == "epoch"]
    finally:
        if proc.poll() is None:
            proc.kill()
        if viewer is not None:
            viewer.close()
    return statistics.median(rates[1:] or rates)  # the first epoch carries start-up noise


def viewer_bench(base: Path, epochs: int, pairs: int = 2) -> dict:
    frames = base / "frames.jsonl"
    out: dict = {}
    # a finished 50-epoch run
    rd = finished_run(base / "finished")
    viewer = Viewer(rd.path, frames)
    try:
        out["attach_finished"] = attach_figures(viewer.spawned_at, _frame_for(frames, rd.path))
    finally:
        viewer.close()
    # a live run: attach, CPU while watching, p -> Paused
    live_root = base / "live"
    proc = subprocess.Popen(
        _command(live_root, "--epochs", "500"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    viewer = None
    try:
        live = _wait(lambda: _only_run(live_root), 60)
        log = EventLog(live.events_path)
        seen: list[dict] = []

        def find(kind: str, after: float = 0.0):
            seen.extend(log.read_new())
            return next((e for e in seen if e["event"] == kind and e.get("t", 0) >= after), None)

        _wait(lambda: find("epoch") and (live.path / "control.sock").exists(), 120)
        viewer = Viewer(live.path, frames)
        out["attach_live"] = attach_figures(viewer.spawned_at, _frame_for(frames, live.path))
        time.sleep(1.0)
        cpu0, t0 = proc_cpu_s(viewer.proc.pid), time.monotonic()
        time.sleep(CPU_WINDOW_S)
        cpu1, t1 = proc_cpu_s(viewer.proc.pid), time.monotonic()
        out["viewer_cpu_percent"] = cpu_percent(cpu0, cpu1, t1 - t0)
        out["viewer_cpu_window_s"] = round(t1 - t0, 2)
        out["viewer_terminal_bytes"] = viewer.bytes
        keys = []
        for _ in range(3):
            sent = viewer.press(b"p")
            paused = _wait(lambda sent=sent: find("paused", sent), 10)
            keys.append(paused["t"] - sent)
            time.sleep(0.3)
            viewer.press(b"p")  # resume
            _wait(lambda sent=sent: find("resumed", sent), 10)
            time.sleep(0.5)
        epoch = find("epoch")
        batch_s = PRESETS["tutorial"].batch_size / epoch["samples_per_s"] if epoch else None
        out["viewer_key_to_paused_s"] = {
            "median": round(statistics.median(keys), 4),
            "max": round(max(keys), 4),
            "batch_s": round(batch_s, 4) if batch_s else None,
            "goal_s": round(batch_s + 0.05, 4) if batch_s else None,
        }
        try:
            send(live, "stop")
            proc.wait(30)
        except (ControlError, subprocess.TimeoutExpired):
            pass
    finally:
        if viewer is not None:
            viewer.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    # headless throughput with one viewer attached vs none, alternating
    rates: dict[str, list[float]] = {"bare": [], "watched": []}
    for i in range(pairs):
        for kind in ("bare", "watched") if i % 2 == 0 else ("watched", "bare"):
            rates[kind].append(_headless_rate(base / f"tp-{kind}-{i}", epochs, kind == "watched", frames))
    bare, watched = statistics.median(rates["bare"]), statistics.median(rates["watched"])
    out["watched_throughput"] = {
        "samples_per_s_bare": round(bare, 1),
        "samples_per_s_watched": round(watched, 1),
        "ratio": round(watched / bare, 4),
        "pairs": pairs,
        "epochs": epochs,
    }
    return out


def viewer_fields(figures: dict) -> dict:
    """The five top-level figures from ``viewer_bench``'s details (None where not measured)."""
    key = figures.get("viewer_key_to_paused_s")
    return {
        "viewer_cpu_percent": figures.get("viewer_cpu_percent"),
        "attach_finished_s": (figures.get("attach_finished") or {}).get("from_process_start_s"),
        "attach_live_s": (figures.get("attach_live") or {}).get("from_process_start_s"),
        "viewer_key_to_paused_s": key.get("median") if isinstance(key, dict) else key,
        "watched_throughput_ratio": (figures.get("watched_throughput") or {}).get("ratio"),
    }


def run_bench(args) -> int:
    runs = int(args.runs) if args.runs is not None else 3
    with tempfile.TemporaryDirectory(prefix="nnlab-bench-watch-") as tmp:
        base = Path(tmp)
        result = {
            "bench": "watch",
            "cpu_count": os.cpu_count(),
            "throughput": throughput(base / "throughput", args.epochs or 2, runs, args.threads),
            "pause": pause_latency(base / "pause", max(3, runs)),
            "detach": detach_time(base / "detach"),
            "app_detach": {"goal_s": 2.0, **app_detach_time(base / "app-detach")},
        }
        try:
            viewer = viewer_bench(base / "viewer", max(3, args.epochs or 3), pairs=max(2, runs - 1))
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            viewer = {"error": str(error)}
    result["viewer"] = viewer
    result.update(viewer_fields(viewer))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {json.dumps(value)}")
    return 0
