"""The app's overlapped detach (issue 14, ``TrainRun.detach`` + ``nnlab.run.handoff``), driven
without Textual on the real engine: the run trains on while the child starts up, and every
fault leaves the run training or ended cleanly, with one writer at a time in its event log.

The children here are small Python scripts speaking the hand-off protocol (no torch), so the
faults are exact: one that dies at once, one that is never ready, one that dies after "go",
one that is never needed because the run ends first, and one that takes the run over.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from nnlab.i18n import t
from nnlab.run.config import TrainConfig
from nnlab.run.rundir import RunDir
from nnlab.ui.messages import Notice
from nnlab.ui.train.worker import TrainRun

SAMPLE = str(Path(__file__).resolve().parents[2] / "nnlab" / "assets" / "fashion-mnist-sample")
LONG = TrainConfig(
    epochs=1000, batch_size=64, lr=1e-2, optimizer="sgd", hidden=(8,), seed=7, preset="fast", device="cpu", threads=1
)
PROTOCOL = """
import os, sys, time
from pathlib import Path
from nnlab.run.handoff import HandoffChild
Path(sys.argv[1]).write_text(str(os.getpid()))
child = HandoffChild(int(sys.argv[sys.argv.index("--handoff") + 1]))
"""
TAKES_OVER = (
    PROTOCOL
    + """
from nnlab.run.events import Finished
from nnlab.run.rundir import RunDir
fd = child.ready()
writer = RunDir.open(sys.argv[2]).writer(lock_fd=fd)
child.took()
writer.append({"event": "note", "by": "child"})
writer(Finished(epochs=0, stopped=False, test_accuracy=None, seconds=0.0))
writer.close()
"""
)
DIES_AFTER_GO = PROTOCOL + "child.ready()\nsys.exit(5)\n"
READY_LATE = PROTOCOL + "time.sleep(60)\nchild.ready()\nPath(sys.argv[1] + '.go').write_text('go')\n"


class Posts:
    def __init__(self) -> None:
        self.messages: list = []

    def post_message(self, message) -> bool:
        self.messages.append(message)
        return True

    def notices(self) -> list[str]:
        return [m.text for m in self.messages if isinstance(m, Notice)]


def wait(condition, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def events(rd: RunDir) -> list[dict]:
    if not rd.events_path.exists():  # the worker has not opened the run directory yet
        return []
    lines = rd.events_path.read_text().splitlines()[1:]
    return [json.loads(line) for line in lines if line.endswith("}")]


def kinds(rd: RunDir) -> list[str]:
    return [e["event"] for e in events(rd)]


def batches(rd: RunDir) -> int:
    return kinds(rd).count("batch")


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"  # ended, not yet reaped
    except FileNotFoundError:
        return True


class Started:
    """A TrainRun on a thread in a fresh run directory, its child ``[python, -c, code, pidfile, rundir]``."""

    def __init__(self, tmp_path: Path, code: str, config: TrainConfig = LONG, ready_s: float | None = None) -> None:
        from nnlab.train import data

        self.rd = RunDir.create(tmp_path / "runs", config)
        self.pidfile = tmp_path / "child.pid"
        self.posts = Posts()
        self.run = TrainRun(
            1,
            config,
            lambda: data.load(SAMPLE),
            self.posts,
            save_path=str(self.rd.checkpoint_path),
            run_dir=self.rd,
            detach_argv=lambda run: [sys.executable, "-c", code, str(self.pidfile), str(self.rd.path)],
            handoff_ready_s=ready_s,
        )
        self.thread = threading.Thread(target=self.run._work, daemon=True)
        self.thread.start()

    def child_pid(self) -> int:
        return int(wait(lambda: self.pidfile.exists() and self.pidfile.read_text(), 30, "the child's pid"))

    def close(self) -> None:
        self.run.stop()
        self.thread.join(60)
        if self.pidfile.exists() and self.pidfile.read_text():
            pid = int(self.pidfile.read_text())
            if not gone(pid):
                os.kill(pid, 9)


@pytest.fixture
def started(tmp_path):
    made: list[Started] = []

    def make(code: str, **kwargs) -> Started:
        made.append(Started(tmp_path, code, **kwargs))
        wait(lambda: batches(made[-1].rd) > 0, what="training")
        return made[-1]

    yield make
    for one in made:
        one.close()


def test_a_child_that_dies_before_it_is_ready_leaves_the_run_training(started):
    s = started("import sys; sys.exit(3)")
    assert s.run.detach()
    wait(lambda: s.posts.notices(), what="the notice")
    assert s.posts.notices() == [t("dash.detach.died", code=3)]
    assert not s.run.detaching and s.run.active and not s.run.stopping
    seen = batches(s.rd)
    wait(lambda: batches(s.rd) > seen, what="training after the failed hand-off")


def test_a_child_never_ready_is_given_up_and_a_stop_asked_meanwhile_is_carried_out(started):
    s = started("import time; time.sleep(120)", ready_s=2.0)
    assert s.run.detach()
    s.run.stop()  # what the app's exit does right after the quit dialog's "background"
    seen = batches(s.rd)
    wait(lambda: batches(s.rd) > seen, what="training while the child starts up")  # the stop waits
    assert s.run.active and not s.posts.notices()
    s.thread.join(60)
    assert not s.run.active and s.run.detached_pid is None
    assert s.posts.notices() == [t("dash.detach.not_ready", seconds="2")]
    finals = [e for e in events(s.rd) if e["event"] == "finished"]
    assert len(finals) == 1 and finals[0]["reason"] == "stopped" and s.rd.status()["state"] == "stopped"


def test_a_run_that_ends_before_the_child_is_ready_lets_it_go_quietly(started):
    s = started(READY_LATE, config=LONG.with_(epochs=30))  # a few seconds; the child is ready after 60
    assert s.run.detach()
    pid = s.child_pid()
    s.thread.join(60)
    assert not s.run.active and s.run.detached_pid is None
    assert kinds(s.rd).count("started") == 1 and kinds(s.rd)[-1] == "finished"
    assert s.rd.status()["state"] == "completed" and not s.posts.notices()
    wait(lambda: gone(pid), 20, "the child to exit")  # on the closed socket, without waiting to be ready
    assert not Path(str(s.pidfile) + ".go").exists()


def test_a_child_that_dies_after_go_leaves_the_run_stopped_at_its_checkpoint(started):
    from nnlab.train import checkpoint

    s = started(DIES_AFTER_GO)
    assert s.run.detach()
    s.thread.join(60)
    assert not s.run.active and s.run.detached_pid is None
    assert s.posts.notices() == [t("dash.detach.lost", code=5)]
    found = kinds(s.rd)
    assert found.count("started") == 1 and found[-1] == "finished" and found.count("finished") == 1
    assert events(s.rd)[-1]["reason"] == "stopped" and s.rd.status()["state"] == "stopped"
    checkpoint.load(s.rd.checkpoint_path)  # the exact stop-save is there to resume from


def test_the_child_takes_over_after_the_parent_stops_writing_even_with_a_stop_asked_meanwhile(started):
    s = started(TAKES_OVER)
    assert s.run.detach()
    s.run.stop()  # the app quitting or hung up right after `d`: the hand-off still goes through
    s.thread.join(60)
    assert s.run.detached_pid == s.child_pid() and not s.posts.notices()
    wait(lambda: gone(s.child_pid()), 20, "the child to finish")
    found = kinds(s.rd)
    assert found.index("note") == len(found) - 2  # every parent line came before the child's first
    assert found.count("finished") == 1 and found[-1] == "finished"  # the parent's own end was kept out
    assert found.count("batch") > 0 and s.rd.status()["pid"] == s.child_pid()
