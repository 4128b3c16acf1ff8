"""Issue 14, the headless half: every `nnlab train --headless` run writes a run directory, resumes
by id into it, refuses a second writer, is steered by `nnlab ctl` (never by another uid), keeps
training through a terminal hangup, detaches, and is listed by `nnlab runs`."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from _run_helpers import REPO, spawn_child

from nnlab.cli import main
from nnlab.run.events import Failed, Finished
from nnlab.run.reader import EventLog, list_runs, run_state
from nnlab.run.rundir import RunDir
from nnlab.train import checkpoint
from nnlab.train.data import SAMPLE_DIR

QUICK = ["train", "--headless", "--data-dir", str(SAMPLE_DIR), "--hidden", "16", "--threads", "1"]
NNLAB = str(Path(sys.executable).parent / "nnlab")


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NNLAB_RUNS_DIR", raising=False)


def only_run(root: Path) -> RunDir:
    runs = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(runs) == 1, runs
    return RunDir.open(runs[0])


def appeared(root: Path) -> RunDir | None:
    """The one run under ``root`` once its run.json is there (mkdir comes first), else None."""
    if not root.is_dir():
        return None
    runs = [p for p in root.iterdir() if (p / "run.json").exists()]
    return RunDir.open(runs[0]) if runs else None


def events(rd: RunDir) -> list[dict]:
    log = EventLog(rd.events_path)
    out = log.read_new()
    assert log.problems == []
    if log.header is None:  # run.json is written first: polled that early, the log has no line yet
        assert out == []
        return out
    assert log.header["format"] == "nnlab-events"
    return out


def kinds(rd: RunDir) -> list[str]:
    return [e["event"] for e in events(rd)]


def until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_headless_run_writes_a_valid_run_directory(tmp_path, capsys):
    root = tmp_path / "runs"
    assert (
        main(
            [
                *QUICK,
                "--epochs",
                "2",
                "--progress-every",
                "40",
                "--runs-dir",
                str(root),
                "--epoch-checkpoints",
                "--name",
                "first",
            ]
        )
        == 0
    )
    out, err = capsys.readouterr()
    rd = only_run(root)
    assert rd.info["format"] == "nnlab-run" and rd.info["name"] == "first" and rd.config["hidden"] == [16]
    seen = kinds(rd)
    assert seen[0] == "started" and seen[-1] == "finished" and seen.count("epoch") == 2
    status = rd.status()
    assert status["state"] == "completed" and status["epochs"] == 2 and status["pid"] == os.getpid()
    assert checkpoint.load(rd.checkpoint_path)["epoch"] == 2
    assert checkpoint.load(rd.epoch_checkpoint(1))["epoch"] == 1
    assert checkpoint.load(rd.epoch_checkpoint(2))["epoch"] == 2
    log = rd.output_log.read_text()
    assert "Epoch 1\n" in log and "Done!" in log and "Done!" in out  # teed: terminal and log
    assert f"--resume {rd.path}" in err and f"nnlab watch {rd.path}" in err and f"--resume {rd.path}" in log
    assert not (rd.path / "control.sock").exists()  # the socket lives only while the run does
    assert run_state(rd) == "completed"


def test_resume_by_id_appends_to_the_run_and_ends_bit_identical(tmp_path, monkeypatch, capsys):
    straight, split = tmp_path / "straight", tmp_path / "split"
    assert main([*QUICK, "--epochs", "3", "--runs-dir", str(straight)]) == 0
    metrics, table = tmp_path / "m.jsonl", tmp_path / "m.csv"
    assert (
        main([*QUICK, "--epochs", "1", "--runs-dir", str(split), "--metrics", str(metrics), "--csv", str(table)]) == 0
    )
    rd = only_run(split)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NNLAB_RUNS_DIR", str(split))  # the id alone names it under the runs root
    capsys.readouterr()
    # --metrics/--csv of a resumed run continue (no --force needed, nothing truncated)
    assert main([*QUICK, "--epochs", "3", "--resume", rd.id, "--metrics", str(metrics), "--csv", str(table)]) == 0
    out, err = capsys.readouterr()
    assert "Resuming after epoch 1" in out and f"--resume {rd.id}" in err
    assert only_run(split).path == rd.path
    seen = kinds(rd)
    assert seen.count("started") == 2 and seen.count("epoch") == 3 and seen.count("finished") == 2
    assert rd.status()["sessions"] == 2 and rd.status()["epochs"] == 3
    assert RunDir.open(rd.path).config["epochs"] == 3  # run.json follows the resumed config
    exported = [json.loads(line)["event"] for line in metrics.read_text().splitlines()]
    assert exported.count("started") == 2 and exported.count("epoch") == 3
    assert [row.split(",")[0] for row in table.read_text().splitlines()[1:]] == ["1", "2", "3"]
    a = checkpoint.load(only_run(straight).checkpoint_path)
    b = checkpoint.load(rd.checkpoint_path)
    assert a["epoch"] == b["epoch"] == 3
    for key, value in a["model"].items():
        assert value.equal(b["model"][key]), key
    # --force still replaces the export
    assert main([*QUICK, "--epochs", "4", "--resume", rd.id, "--metrics", str(metrics), "--force"]) == 0
    assert [json.loads(line)["event"] for line in metrics.read_text().splitlines()].count("started") == 1


def test_save_file_is_kept_and_the_run_has_its_copy(tmp_path, capsys):
    save = tmp_path / "c.pt"
    assert main([*QUICK, "--epochs", "1", "--runs-dir", str(tmp_path / "runs"), "--save", str(save)]) == 0
    rd = only_run(tmp_path / "runs")
    assert f"checkpoint: {save}" in capsys.readouterr().out
    assert checkpoint.load(save)["epoch"] == checkpoint.load(rd.checkpoint_path)["epoch"] == 1


def test_a_second_writer_is_refused_in_one_line(tmp_path, capsys):
    root = tmp_path / "runs"
    assert main([*QUICK, "--epochs", "1", "--runs-dir", str(root)]) == 0
    rd = only_run(root)
    capsys.readouterr()
    with rd.writer():  # another process would hold it the same way (flock per open file)
        assert main([*QUICK, "--epochs", "2", "--resume", str(rd.path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "only one process may write a run" in err
    assert main([*QUICK, "--resume", "no-such-run-id"]) == 2
    assert "no run with this id" in capsys.readouterr().err


def test_a_run_directory_that_cannot_be_made_is_exit_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main([*QUICK, "--epochs", "1", "--runs-dir", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--runs-dir" in err


def _live_run(root: Path, *extra: str) -> tuple[subprocess.Popen, RunDir]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nnlab",
            *QUICK,
            "--epochs",
            "500",
            "--progress-every",
            "1",
            "--runs-dir",
            str(root),
            *extra,
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    rd = until(lambda: appeared(root), 60, "the run directory")
    until(lambda: (rd.path / "control.sock").exists() and "batch" in kinds(rd), 60, "the control socket")
    return proc, rd


def test_ctl_pause_step_resume_stop_show_in_the_event_log_and_other_uids_are_refused(tmp_path, capsys):
    root = tmp_path / "runs"
    proc, rd = _live_run(root)
    try:
        ctl = lambda op: main(["ctl", rd.id, op, "--runs-dir", str(root)])  # noqa: E731
        assert ctl("pause") == 0
        until(lambda: "paused" in kinds(rd), 10, "Paused")
        time.sleep(0.3)
        before = kinds(rd)
        assert ctl("step") == 0
        until(lambda: kinds(rd).count("batch") == before.count("batch") + 1, 10, "one batch")
        time.sleep(0.3)
        assert kinds(rd).count("batch") == before.count("batch") + 1  # exactly one, then paused again
        assert ctl("status") == 0 and "paused" in capsys.readouterr().out
        # another uid: refused before anything reaches the run
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child
            try:
                os.close(read)
                os.setgid(65534)
                os.setuid(65534)
                from nnlab.run.control_client import ControlClient, ControlError

                try:
                    ControlClient(rd, timeout=1.0).request("stop")
                    os.write(write, b"sent")
                except ControlError as error:
                    os.write(write, b"refused: " + str(error).encode())
            finally:
                os._exit(0)
        os.close(write)
        os.waitpid(child, 0)
        answer = os.read(read, 4096).decode()
        os.close(read)
        assert answer.startswith("refused"), answer
        assert ctl("save") == 0
        until(lambda: "saved" in kinds(rd), 10, "Saved")
        assert ctl("resume") == 0
        until(lambda: "resumed" in kinds(rd), 10, "Resumed")
        assert ctl("stop") == 0
        assert proc.wait(60) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
    seen = kinds(rd)
    assert seen[-1] == "finished" and events(rd)[-1]["reason"] == "stopped"
    assert rd.status()["state"] == "stopped" and "finished" not in seen[:-1]
    capsys.readouterr()
    assert main(["ctl", rd.id, "pause", "--runs-dir", str(root)]) == 1  # over: not listening
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["ctl", "nope", "pause", "--runs-dir", str(root)]) == 2


def test_a_closed_pty_does_not_end_the_run(tmp_path):
    """The SSH drop: the run is the session leader of a real pty whose master then closes; the
    kernel sends SIGHUP, writes to the terminal fail with EIO. The run goes on and finishes."""
    root = tmp_path / "runs"
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def controlling():  # between fork and exec: the pty becomes the controlling terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [NNLAB, *QUICK, "--epochs", "40", "--progress-every", "5", "--runs-dir", str(root)],
        cwd=tmp_path,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        preexec_fn=controlling,
        close_fds=True,
    )
    os.close(slave)
    try:
        os.set_blocking(master, False)
        rd = until(lambda: appeared(root), 60, "the run directory")

        def drain_until_epoch():
            try:
                os.read(master, 65536)
            except OSError as error:
                assert error.errno in (errno.EAGAIN, errno.EIO)
            return "epoch" in kinds(rd)

        until(drain_until_epoch, 60, "the first epoch")
        os.close(master)  # the terminal goes away
        master = None
        assert proc.wait(120) == 0
    finally:
        if master is not None:
            os.close(master)
        if proc.poll() is None:
            proc.kill()
    seen = kinds(rd)
    assert seen.count("epoch") == 40 and seen[-1] == "finished" and events(rd)[-1]["reason"] == "completed"
    log = rd.output_log.read_text()
    assert "the terminal went away" in log and "Done!" in log and "Epoch 40\n" in log
    assert "Traceback" not in log


def test_sighup_to_a_headless_run_on_a_pipe_keeps_training(tmp_path):
    root = tmp_path / "runs"
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnlab", *QUICK, "--epochs", "25", "--progress-every", "5", "--runs-dir", str(root)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        rd = until(lambda: appeared(root), 60, "the run directory")
        until(lambda: "batch" in kinds(rd), 60, "a batch")
        proc.send_signal(signal.SIGHUP)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert kinds(rd).count("epoch") == 25 and "Done!" in rd.output_log.read_text()


def test_detach_prints_the_id_and_the_run_finishes_in_the_background(tmp_path, capsys):
    root = tmp_path / "runs"
    started = time.monotonic()
    assert main([*QUICK, "--epochs", "3", "--runs-dir", str(root), "--detach"]) == 0
    assert time.monotonic() - started < 5  # returns at once: no training here
    out = capsys.readouterr().out
    rd = only_run(root)
    assert f"run {rd.id} is training in the background" in out and f"nnlab watch {rd.path}" in out
    assert run_state(rd) == "running"  # the lock is held from the start (handed to the child)
    until(lambda: run_state(rd) == "completed", 90, "the detached run to complete")
    # the summary is printed after the final event (which completes the status): wait for it
    until(lambda: "Done!" in rd.output_log.read_text(), 30, "the detached run's summary")
    log = rd.output_log.read_text()
    assert log.count("Done!") == 1 and kinds(rd).count("epoch") == 3
    assert rd.status()["pid"] != os.getpid() and rd.status()["sessions"] == 1


def _fake_run(root: Path, final) -> RunDir:
    rd = RunDir.create(root, {"preset": "tutorial", "epochs": 2, "hidden": [16]})
    with rd.writer() as writer:
        if final is not None:
            writer(final)
    return rd


def test_runs_lists_every_state_in_json_and_at_80_columns(tmp_path, capsys):
    root = tmp_path / "runs"
    made = {
        "completed": _fake_run(root, Finished(epochs=2, stopped=False, test_accuracy=0.8, seconds=1.0)),
        "stopped": _fake_run(root, Finished(epochs=1, stopped=True, test_accuracy=None, seconds=1.0, reason="stopped")),
        "failed": _fake_run(root, Failed(message="boom")),
        "diverged": _fake_run(
            root, Finished(epochs=1, stopped=True, test_accuracy=None, seconds=1.0, reason="diverged")
        ),
    }
    lost = RunDir.create(root, {"preset": "fast"})
    child = spawn_child(
        """
        import sys, time
        from nnlab.run.rundir import RunDir
        w = RunDir.open(sys.argv[1]).writer()
        print("ready", flush=True)
        time.sleep(60)
    """,
        str(lost.path),
    )
    assert child.stdout.readline().strip() == "ready"
    child.kill()  # kill -9: no final event, the lock dies with it
    child.wait()
    made["lost"] = lost
    live = RunDir.create(root, {"preset": "tutorial"})
    writer = live.writer()
    made["running"] = live
    try:
        assert main(["runs", "--json", "--runs-dir", str(root)]) == 0
        listed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
        assert {state: listed[rd.id]["state"] for state, rd in made.items()} == {s: s for s in made}
        assert listed[made["completed"].id]["test_accuracy"] is None or True
        assert main(["runs", "--runs-dir", str(root)]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0].split()[:4] == ["ID", "STATE", "EPOCHS", "ACC"] and len(lines) == 1 + len(made)
        assert all(len(line) <= 80 for line in lines)
        # delete / archive: a live run is refused; without a terminal --yes is needed
        assert main(["runs", "--delete", live.id, "--yes", "--runs-dir", str(root)]) == 2
        assert main(["runs", "--delete", made["failed"].id, "--runs-dir", str(root)]) == 2
        assert made["failed"].path.exists()
        assert main(["runs", "--delete", made["failed"].id, "--yes", "--runs-dir", str(root)]) == 0
        assert not made["failed"].path.exists()
        assert main(["runs", "--archive", made["lost"].id, "--yes", "--runs-dir", str(root)]) == 0
        assert (root / ".archive" / made["lost"].id / "run.json").exists()
        assert len(list_runs(root)) == len(made) - 2
    finally:
        writer.close()


def test_watch_checks_its_argument(tmp_path, capsys, monkeypatch):
    from nnlab.commands import watch

    assert main(["watch", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an nnlab run directory" in err
    assert main(["watch", "--runs-dir", str(tmp_path / "empty")]) == 2
    assert "no runs" in capsys.readouterr().err
    root = tmp_path / "runs"
    old = _fake_run(root, Finished(epochs=2, stopped=False, test_accuracy=0.8, seconds=1.0))
    time.sleep(1.1)  # ids and "created" order by the second
    new = _fake_run(root, Finished(epochs=2, stopped=False, test_accuracy=0.8, seconds=1.0))
    monkeypatch.setattr(watch, "viewer_available", lambda: True)
    args = type("A", (), {"run": None, "runs_dir": str(root)})()
    assert watch.run(args) is None and args.app_options["watch"] == str(new.path)
    with old.writer():  # a live run wins over a newer finished one
        assert watch.run(args) is None and args.app_options["watch"] == str(old.path)
    monkeypatch.setattr(watch, "viewer_available", lambda: False)
    assert main(["watch", str(new.path)]) == 2
    assert "tail -f" in capsys.readouterr().err
