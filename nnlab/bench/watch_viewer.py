"""`nnlab bench watch`'s ``viewer`` figures: `nnlab watch` in a real pty (see ``nnlab.bench.watch``)."""

from __future__ import annotations

import json
import os
import pty
import statistics
import subprocess
import sys
import time
from pathlib import Path

from nnlab.bench.watch_common import _command, _only_run, _wait
from nnlab.run.config import PRESETS
from nnlab.run.control_client import ControlError, send
from nnlab.run.reader import EventLog
from nnlab.run.rundir import RunDir

VIEWER_FIELDS = (
    "viewer_cpu_percent",
    "attach_finished_s",
    "attach_live_s",
    "viewer_key_to_paused_s",
    "watched_throughput_ratio",
)


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
