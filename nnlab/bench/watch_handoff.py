"""`nnlab bench watch`'s ``app_detach``: the app's `d` hand-off, driven without Textual (see ``nnlab.bench.watch``)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from nnlab.bench.watch_common import _wait
from nnlab.run.config import PRESETS
from nnlab.run.control_client import ControlError, send
from nnlab.run.reader import EventLog
from nnlab.run.rundir import RunDir
from nnlab.train.data import SAMPLE_DIR


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
