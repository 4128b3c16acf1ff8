"""Beside the dashboard the training thread and torch's compute threads run below the UI's
priority (nnlab.train.priority); the UI's own Python threads keep theirs. Run in a child process:
a thread's nice value cannot be lowered back without privilege."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent(
    """
    import json, os, threading, time
    import torch
    from nnlab.train.priority import NICE_STEP, yield_to_ui

    base = os.getpriority(os.PRIO_PROCESS, os.getpid())
    ui_ready, done = threading.Event(), threading.Event()

    def ui_side():  # stands for the UI's other Python threads (Textual's input and writer threads)
        ui_ready.set()
        done.wait()

    ui = threading.Thread(target=ui_side)
    ui.start()
    ui_ready.wait()
    out = {}

    def train():
        torch.set_num_threads(2)
        x = torch.randn(512, 512)
        for _ in range(5):
            x = torch.tanh(x @ x)  # torch's compute threads exist from here
        out["count"] = yield_to_ui()
        out["worker"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    worker = threading.Thread(target=train)
    worker.start()
    worker.join()
    python = {t.native_id for t in threading.enumerate()} | {worker.native_id}
    natives = [int(n) for n in os.listdir("/proc/self/task") if int(n) not in python and int(n) != os.getpid()]
    out["natives"] = [os.getpriority(os.PRIO_PROCESS, tid) for tid in natives]
    out["main"] = os.getpriority(os.PRIO_PROCESS, os.getpid())
    out["ui"] = os.getpriority(os.PRIO_PROCESS, ui.native_id)
    out["base"], out["step"] = base, NICE_STEP
    done.set()
    ui.join()
    print(json.dumps(out))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities via /proc: Linux")
def test_training_threads_run_below_the_ui_and_the_ui_threads_keep_their_priority():
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    lowered = min(19, out["base"] + out["step"])
    assert out["worker"] == lowered  # the training thread itself
    assert out["main"] == out["base"] and out["ui"] == out["base"]  # the UI's threads: untouched
    assert out["natives"] and all(nice == lowered for nice in out["natives"])  # torch's compute threads
    assert out["count"] == 1 + len(out["natives"])


def test_a_run_beside_the_ui_yields_once_and_a_headless_run_never(monkeypatch):
    from _engine_helpers import SMALL, tiny

    from nnlab.train import engine, trainer

    calls = []
    monkeypatch.setattr(trainer, "yield_to_ui", lambda: calls.append(1) or 0)
    engine.run(SMALL.with_(epochs=1), tiny(), lambda event: None, progress_every=2, ui_threads=True)
    assert calls == [1]
    engine.run(SMALL.with_(epochs=1), tiny(), lambda event: None, progress_every=2)
    assert calls == [1]
