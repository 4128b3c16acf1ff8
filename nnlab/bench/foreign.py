"""`nnlab bench foreign`: the foreign-run viewer's figures of issue 16 "Measure" (JSON with --json).

- ``track_open_s`` / ``tb_open_s``: a track run of 100,000 logged steps (one scalar each) and a
  TensorBoard logdir of 100,000 scalars, opened in the app (headless, ``--size``, 80x24 by
  default): seconds from ForeignScreen's mount to the first frame with the whole history drawn
  (``ForeignScreen.open_s``). Goal: <= 1 s each.
- ``pty_track_first_frame_s``: `python -m nnlab watch RUN` started in a pseudo-terminal: process
  start to that frame (the screen writes NNLAB_FOREIGN_FRAME_FILE and exits), import time included.
- ``live``: a writer thread logs ``rate`` steps a second (two scalars each, nnlab.track) while the
  viewer follows: ``lag_s`` = now - the newest record's ``t`` at each poll the viewer handles
  (median, p95, max; the tracker's 0.2 s flush and the viewer's 0.2 s poll included),
  ``chart_fps`` = chart redraws a second, and whether every logged step arrived.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

POINTS = 100_000


def make_track_run(root: str | os.PathLike, steps: int = POINTS, names=("train/loss",)) -> Path:
    """A finished nnlab.track run of ``steps`` logged steps (the tracker's own writer)."""
    import nnlab.track

    run = nnlab.track.init(name="bench-foreign", runs_dir=str(root), steer=False, quiet=True)
    log = run.log
    for i in range(1, steps + 1):
        log(**{n: 1.0 / i + 0.001 * (i % 7) for n in names})
    run.finish()
    return Path(run.path)


def make_tb_logdir(logdir: str | os.PathLike, scalars: int = POINTS, tag: str = "train/loss") -> Path:
    """A TensorBoard event file of ``scalars`` simple-value summaries, framed as TFRecords with
    TensorBoard's own masked CRC-32C (the package's Event proto: no torch needed)."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    logdir = Path(logdir)
    logdir.mkdir(parents=True, exist_ok=True)
    path = logdir / f"events.out.tfevents.{int(time.time())}.bench"
    t0 = time.time() - scalars / 1000
    chunks = []
    for i in range(scalars + 1):
        if i == 0:
            event = event_pb2.Event(wall_time=t0, step=0, file_version="brain.Event:2")
        else:
            value = summary_pb2.Summary.Value(tag=tag, simple_value=1.0 / i)
            event = event_pb2.Event(wall_time=t0 + i / 1000, step=i, summary=summary_pb2.Summary(value=[value]))
        body = event.SerializeToString()
        head = struct.pack("<Q", len(body))
        chunks.append(head + struct.pack("<I", masked_crc32c(head)) + body + struct.pack("<I", masked_crc32c(body)))
    path.write_bytes(b"".join(chunks))
    return logdir


def _app(path, source: str):
    from nnlab.ui.app import NNLabApp

    return NNLabApp(mode="watch", options={"watch": str(path), "source": source})


async def _open(path, source: str, size: tuple[int, int], timeout: float = 60.0) -> dict:
    app = _app(path, source)
    async with app.run_test(size=size) as pilot:
        deadline = time.monotonic() + timeout
        while app.screen.__class__.__name__ != "ForeignScreen" or app.screen.open_s is None:
            if time.monotonic() > deadline:
                raise RuntimeError("the viewer drew no full frame")
            await pilot.pause(0.01)
        screen = app.screen
        return {
            "open_s": round(screen.open_s, 4),
            "points": screen.store.points,
            "chart_points_drawn": screen.chart.drawn_points,
            "chart_series_s": round(screen.chart.last_draw_s, 4),
        }


def measure_open(path, source: str, size: tuple[int, int] = (80, 24)) -> dict:
    return asyncio.run(_open(path, source, size))


async def _live(root, size, seconds: float, rate: int) -> dict:
    import nnlab.track

    run = nnlab.track.init(name="bench-live", runs_dir=str(root), steer=False, quiet=True)
    run.log(loss=1.0, acc=0.0)
    run.flush()
    stop = threading.Event()
    logged = [1]

    def writer() -> None:
        start = time.perf_counter()
        i = 1
        while not stop.is_set():
            due = int((time.perf_counter() - start) * rate)
            while i < due + 1:
                i += 1
                run.log(loss=1.0 / i, acc=i / 1e6)
            logged[0] = i
            time.sleep(0.002)

    app = _app(run.path, "track")
    async with app.run_test(size=size) as pilot:
        while app.screen.__class__.__name__ != "ForeignScreen" or app.screen.open_s is None:
            await pilot.pause(0.01)
        screen = app.screen
        thread = threading.Thread(target=writer, daemon=True)
        draws0, started = screen.chart.draws, time.perf_counter()
        thread.start()
        await pilot.pause(seconds)
        stop.set()
        thread.join()
        elapsed = time.perf_counter() - started
        draws = screen.chart.draws - draws0
        run.flush()
        deadline = time.monotonic() + 5
        while screen.store.last_step != logged[0] and time.monotonic() < deadline:
            await pilot.pause(0.05)
        lags = sorted(screen.latency)
        result = {
            "rate_steps_s": rate,
            "seconds": round(elapsed, 2),
            "steps_logged": logged[0],
            "steps_shown": screen.store.last_step,
            "all_arrived": screen.store.last_step == logged[0],
            "chart_fps": round(draws / elapsed, 2),
            "polls": len(lags),
            "lag_median_s": round(statistics.median(lags), 3) if lags else None,
            "lag_p95_s": round(lags[int(0.95 * (len(lags) - 1))], 3) if lags else None,
            "lag_max_s": round(lags[-1], 3) if lags else None,
        }
    run.finish()
    return result


def measure_live(root, size: tuple[int, int] = (80, 24), seconds: float = 3.0, rate: int = 1000) -> dict:
    return asyncio.run(_live(root, size, seconds, rate))


def measure_pty(path, size: tuple[int, int] = (80, 24), timeout: float = 60.0) -> float | None:
    """Process start → the first full frame of `nnlab watch PATH`, in a pseudo-terminal."""
    import fcntl
    import pty
    import termios

    marker = Path(tempfile.mkdtemp()) / "frame"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    env = {**os.environ, "NNLAB_FOREIGN_FRAME_FILE": str(marker), "TERM": "xterm-256color"}
    started = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnlab", "watch", str(path)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    done = threading.Event()

    def drain() -> None:
        while not done.is_set():
            try:
                if not os.read(master, 65536):
                    return
            except OSError:
                return

    threading.Thread(target=drain, daemon=True).start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    done.set()
    os.close(master)
    try:
        return round(float(marker.read_text().split()[0]) - started, 4)
    except (OSError, ValueError, IndexError):
        return None


def run_bench(args) -> int:
    from nnlab.i18n import t

    size = tuple(getattr(args, "size", (80, 24)))
    seconds = float(getattr(args, "max_seconds", None) or 3.0)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        track = make_track_run(root / "runs")
        result: dict = {"points": POINTS, "size": f"{size[0]}x{size[1]}"}
        result["track"] = measure_open(track, "track", size)
        try:
            logdir = make_tb_logdir(root / "tb")
            result["tensorboard"] = measure_open(logdir, "tensorboard", size)
        except ImportError:
            result["tensorboard"] = None
        result["pty_track_first_frame_s"] = measure_pty(track, size)
        result["live"] = measure_live(root / "live", size, seconds=seconds)
    result["track_open_s"] = result["track"]["open_s"]
    result["tb_open_s"] = result["tensorboard"]["open_s"] if result["tensorboard"] else None
    result["goal_open_s"] = 1.0
    if getattr(args, "json", False):
        print(json.dumps(result))
    else:
        live = result["live"]
        print(
            t(
                "bench.foreign.line",
                track_open=result["track_open_s"],
                tb_open=result["tb_open_s"] or float("nan"),
                points=POINTS,
                rate=live["rate_steps_s"],
                lag_median=live["lag_median_s"] or float("nan"),
                fps=live["chart_fps"],
            )
        )
        print(json.dumps(result, indent=1))
    return 0
