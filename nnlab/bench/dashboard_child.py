"""The two processes `nnlab bench dashboard` starts (``python -m nnlab.bench.dashboard``):
``--headless SPEC``, the engine alone as `nnlab train --headless` runs it, and ``SPEC``, the real
app in the bench's pseudo-terminal, recording what the bench measures inside it (see
``nnlab.bench.dashboard`` for what is measured and how)."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

TICK_S = 0.025  # the UI-stall probe: not faster, as each tick takes the GIL from the training


def main(argv: list[str]) -> int:
    if argv[0] == "--headless":
        return _headless_child(argv[1])
    return _child(argv[0])


def _headless_child(spec_path: str) -> int:
    from nnlab.run.config import TrainConfig
    from nnlab.train import engine
    from nnlab.train.data import load

    spec = json.loads(Path(spec_path).read_text())
    speeds: list[float] = []
    failed: list[str] = []

    points: list[tuple[int, int, float]] = []

    def emit(event) -> None:
        if event.KIND == "batch":
            points.append((event.epoch, event.samples_seen, event.elapsed_s))
        elif event.KIND == "epoch":
            speeds.append(event.samples_per_s)
        elif event.KIND == "failed":
            failed.append(event.message)

    engine.run(
        TrainConfig.from_dict(spec["config"]),
        load(spec["data_dir"]),
        emit,
        progress_every=spec["progress_every"],
        ui_threads=spec["ui_threads"],
    )
    if failed:
        print(failed[0], file=sys.stderr)
        return 1
    Path(spec["out"]).write_text(json.dumps({"epoch_speeds": speeds, "points": points}))
    return 0


def _child(spec_path: str) -> int:
    from nnlab.run.config import TrainConfig
    from nnlab.run.events import EpochEnd, Failed, Finished, Started
    from nnlab.ui.app import NNLabApp
    from nnlab.ui.train.screen import TrainScreen

    spec = json.loads(Path(spec_path).read_text())
    out = Path(spec["out"])
    record: dict = {
        "key_shown_at": [],
        "page_switch_ms": [],
        "tick_gaps_ms": [],
        "rss_mb": [],
        "epoch_speeds": [],
        "points": [],
        "started_at": None,
        "finished_at": None,
        "device": None,
    }

    def rss_mb() -> float:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

    class BenchTrainScreen(TrainScreen):
        def on_mount(self) -> None:
            super().on_mount()
            self.set_timer(0.5, self.action_start)
            self._last_tick = time.monotonic()
            self.set_interval(TICK_S, self._tick)

        def _tick(self) -> None:
            now = time.monotonic()
            if record["started_at"] is not None and record["finished_at"] is None:
                record["tick_gaps_ms"].append((now - self._last_tick) * 1000)
            self._last_tick = now

        def action_smooth(self) -> None:
            super().action_smooth()
            self.call_after_refresh(lambda: record["key_shown_at"].append(time.monotonic()))

        def action_page(self, delta: int) -> None:
            """A page switch, timed inside the app: the key event's time (the driver stamps it when it
            reads the key off the terminal) to the end of the next refresh after the tab changed."""
            pressed = self.app.key_time
            super().action_page(delta)
            if pressed is not None and record["started_at"] is not None and record["finished_at"] is None:
                self.call_after_refresh(lambda: record["page_switch_ms"].append((time.monotonic() - pressed) * 1000))

        def on_run_progress(self, message) -> None:
            super().on_run_progress(message)
            record["points"].extend((b.epoch, b.samples_seen, b.elapsed_s) for b in message.batches)

        def on_run_event(self, message) -> None:
            super().on_run_event(message)
            match message.event:
                case Started(device=device):
                    record["started_at"] = time.monotonic()
                    record["device"] = device
                    out.with_suffix(".started").write_text(repr(record["started_at"]))
                case EpochEnd(samples_per_s=speed):
                    record["rss_mb"].append(rss_mb())
                    record["epoch_speeds"].append(speed)
                case Finished():
                    record["finished_at"] = time.monotonic()
                case Failed(message=why):
                    record["error"] = why

        def on_run_ended(self, message) -> None:
            super().on_run_ended(message)
            self.set_timer(0.3, self._done)

        def _done(self) -> None:
            control = getattr(self.runs.run, "control", None)
            if control is not None:  # the UI's turns (Control.hold_for_ui): how long training waited for keys
                record["ui_turns"], record["ui_wait_s"] = control.ui_turns, control.ui_wait_s
            record["samples_per_s"] = statistics.fmean(record["epoch_speeds"]) if record["epoch_speeds"] else 0.0
            record["epoch_speeds"] = list(record["epoch_speeds"])
            out.write_text(json.dumps(record))
            self.app.exit(0)

    class BenchApp(NNLabApp):
        MODES = {**NNLabApp.MODES, "train": BenchTrainScreen}
        key_time: float | None = None

        def _hold_for_key(self, event) -> None:
            if spec.get("ui_turns", True):  # --ab-ui-turns: every other run without them
                super()._hold_for_key(event)

        async def on_event(self, event) -> None:
            from textual import events

            if isinstance(event, events.Key):
                self.key_time = event.time  # textual's clock: time.monotonic off Windows
            await super().on_event(event)

    config = TrainConfig.from_dict(spec["config"])
    app = BenchApp(mode="train", options={"config": config, "data_dir": spec["data_dir"], "autosave": False})
    app.run()
    return 0
