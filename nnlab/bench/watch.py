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
The measurements live in ``watch_rundir`` (throughput, pause, detach), ``watch_handoff``
(app_detach) and ``watch_viewer`` (viewer); ``watch_common`` holds what they share.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from nnlab.bench.watch_handoff import app_detach_time, handoff_gap
from nnlab.bench.watch_rundir import detach_time, pause_latency, throughput
from nnlab.bench.watch_viewer import (
    CPU_WINDOW_S,
    FINISHED_EPOCHS,
    VIEWER_FIELDS,
    Viewer,
    attach_figures,
    cpu_percent,
    finished_run,
    proc_cpu_s,
    read_frames,
    viewer_bench,
    viewer_fields,
)

__all__ = [
    "CPU_WINDOW_S",
    "FINISHED_EPOCHS",
    "VIEWER_FIELDS",
    "Viewer",
    "app_detach_time",
    "attach_figures",
    "cpu_percent",
    "detach_time",
    "finished_run",
    "handoff_gap",
    "pause_latency",
    "proc_cpu_s",
    "read_frames",
    "run_bench",
    "throughput",
    "viewer_bench",
    "viewer_fields",
]


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
