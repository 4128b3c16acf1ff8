"""Run directories on disk: ids, run.json, the events.jsonl format, appends and resumes, the one-writer
lock, a writer killed mid-line, and a full disk that never raises into training."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import signal
import stat
import time

import pytest
from _run_helpers import batch, epoch_end, one_of_each, run_child, spawn_child, started

from nnlab.run import rundir as rundir_mod
from nnlab.run.config import TrainConfig
from nnlab.run.events import Finished
from nnlab.run.reader import EventLog
from nnlab.run.rundir import RunBusy, RunDir, RunDirError, resolve, runs_root


def lines(rd):
    return rd.events_path.read_text().splitlines()


def test_create_makes_a_private_directory_with_an_id_and_run_json(root):
    rd = RunDir.create(root, TrainConfig(), name="first", parent="p1")
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{4}", rd.id) and rd.path == root / rd.id
    assert stat.S_IMODE(os.stat(rd.path).st_mode) == 0o700
    info = json.loads(rd.run_json.read_text())
    assert info["format"] == "nnlab-run" and info["version"] == 1 and info["kind"] == "nnlab"
    assert info["name"] == "first" and info["parent"] == "p1" and info["sweep"] is None
    assert info["config"] == TrainConfig().to_dict() and info["host"] and info["created"].endswith("+00:00")
    assert rd.checkpoint_path.name == "checkpoint.pt" and rd.epoch_checkpoint(3).name == "epoch-003.pt"
    assert rd.output_log == rd.path / "output.log"
    assert RunDir.open(rd.path).info == info


def test_ids_are_unique_even_within_one_second(root):
    ids = {RunDir.create(root, {}).id for _ in range(40)}
    assert len(ids) == 40


def test_runs_root_explicit_then_environment_then_cwd(monkeypatch, tmp_path):
    monkeypatch.delenv("NNLAB_RUNS_DIR", raising=False)
    assert str(runs_root()) == "runs"
    monkeypatch.setenv("NNLAB_RUNS_DIR", str(tmp_path / "env"))
    assert runs_root() == tmp_path / "env"
    assert runs_root(tmp_path / "flag") == tmp_path / "flag"


def test_events_jsonl_header_then_one_strict_json_event_per_line(root):
    rd = RunDir.create(root, {})
    with rd.writer() as writer:
        for event in one_of_each():
            writer(event)
            assert rd.events_path.read_bytes().endswith(b"\n")  # flushed per event, whole lines
    text = lines(rd)
    header = json.loads(text[0])
    assert header == {"format": "nnlab-events", "version": 1, "run": rd.id, "created": header["created"]}
    records = [json.loads(line) for line in text[1:]]  # strict: json.loads would accept NaN, so check the text
    assert "NaN" not in rd.events_path.read_text() and "Infinity" not in rd.events_path.read_text()
    assert [r["event"] for r in records] == [e.KIND for e in one_of_each()]
    for record, event in zip(records, one_of_each()):
        assert isinstance(record["t"], float) and abs(record["t"] - time.time()) < 60
        expected = json.loads(event.to_json())
        assert {k: v for k, v in record.items() if k != "t"} == expected
    assert records[4]["loss"] is None and records[7]["loss"] is None  # NaN and inf → null


def test_status_follows_the_run(root):
    rd = RunDir.create(root, {})
    writer = rd.writer()
    status = rd.status()
    assert status["state"] == "running" and status["pid"] == os.getpid() and status["sessions"] == 1
    writer(started())
    writer(epoch_end(1, 0.75))
    writer(Finished(epochs=1, stopped=True, test_accuracy=0.75, seconds=1.0, reason="stopped"))
    status = rd.status()
    assert status["state"] == "stopped" and status["epochs"] == 1 and status["test_accuracy"] == 0.75
    writer.close()
    writer.close()  # twice is harmless


def test_a_resumed_run_appends_to_the_same_log(root):
    rd = RunDir.create(root, {})
    with rd.writer() as writer:
        writer(started())
        writer(batch())
    first = rd.events_path.read_bytes()
    with RunDir.open(rd.path).writer() as writer:
        writer(started(start_epoch=1))
        writer(batch(2, 1))
    text = lines(rd)
    assert rd.events_path.read_bytes().startswith(first)
    assert sum('"nnlab-events"' in line for line in text) == 1 and len(text) == 5
    assert json.loads(text[3])["start_epoch"] == 1
    assert rd.status()["sessions"] == 2


def test_a_writer_killed_mid_line_leaves_a_line_the_reader_waits_on_and_the_next_writer_drops(root):
    """A real kill -9 between the two halves of a line: the reader never parses the half line."""
    rd = RunDir.create(root, {})
    child = spawn_child(
        """
        import os, sys, time
        from nnlab.run.rundir import RunDir
        from nnlab.run.events import Resumed
        w = RunDir.open(sys.argv[1]).writer()
        w(Resumed())
        os.write(w._fd, b'{"event": "batch", "epoch": 1, "ba')
        print("half", flush=True)
        time.sleep(60)
    """,
        str(rd.path),
    )
    assert child.stdout.readline().strip() == "half"
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert not rd.events_path.read_bytes().endswith(b"\n")
    log = EventLog(rd.events_path)
    assert [e["event"] for e in log.read_new()] == ["resumed"] and log.problems == []
    assert log.read_new() == []  # still incomplete: still skipped
    with rd.writer() as writer:  # the lock died with the child; the half line is cut away
        writer(batch())
    assert [e["event"] for e in log.read_new()] == ["batch"] and log.problems == []
    assert all(json.loads(line) for line in lines(rd))


def test_two_writers_the_second_is_refused_naming_the_holder(root):
    rd = RunDir.create(root, {})
    writer = rd.writer()
    with pytest.raises(RunBusy) as refused:
        RunDir.open(rd.path).writer()
    message = str(refused.value)
    assert f"pid {os.getpid()}" in message and os.uname().nodename in message and "\n" not in message
    assert refused.value.pid == os.getpid()
    writer.close()
    RunDir.open(rd.path).writer().close()  # released on close


def test_the_lock_of_a_crashed_writer_is_free_and_another_process_is_refused_while_it_lives(root):
    rd = RunDir.create(root, {})
    child = spawn_child(
        """
        import sys, time
        from nnlab.run.rundir import RunDir
        w = RunDir.open(sys.argv[1]).writer()
        print("holding", flush=True)
        time.sleep(60)
    """,
        str(rd.path),
    )
    try:
        assert child.stdout.readline().strip() == "holding"
        with pytest.raises(RunBusy, match=f"pid {child.pid} on "):
            rd.writer()
    finally:
        child.kill()
        child.wait()
    rd.writer().close()  # the kernel dropped the dead writer's lock


def test_the_lock_is_handed_to_a_successor_without_a_gap(root):
    """Detach: the successor inherits the locked file; the run is never writable by a third party."""
    import subprocess
    import sys

    rd = RunDir.create(root, {})
    writer = rd.writer()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time\nfrom nnlab.run.rundir import RunDir\n"
                "w = RunDir.open(sys.argv[1]).writer(lock_fd=int(sys.argv[2]))\nprint('took', flush=True)\n"
                "sys.stdin.readline()\nw.close()\n"
            ),
            str(rd.path),
            str(writer.lock_fd),
        ],
        pass_fds=[writer.lock_fd],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "took"
        writer.close()
        with pytest.raises(RunBusy):
            rd.writer()
        assert rd.status()["pid"] == child.pid and rd.status()["sessions"] == 2
    finally:
        child.stdin.write("\n")
        child.stdin.close()
        child.wait(timeout=10)
    rd.writer().close()


def test_open_refuses_what_is_not_a_run_in_one_line(root, tmp_path):
    (tmp_path / "plain").mkdir()
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "run.json").write_text('{"format": "wandb"}')
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "run.json").write_text("{not json")
    (tmp_path / "future").mkdir()
    (tmp_path / "future" / "run.json").write_text('{"format": "nnlab-run", "version": 9}')
    cases = {
        "plain": "no run.json",
        "foreign": "not an nnlab run record",
        "broken": "cannot be read",
        "future": "format version 9",
        "missing": "no such run directory",
    }
    for name, words in cases.items():
        with pytest.raises(RunDirError) as error:
            RunDir.open(tmp_path / name)
        assert words in str(error.value) and "\n" not in str(error.value)


def test_a_foreign_event_log_is_never_appended_to(root):
    rd = RunDir.create(root, {})
    rd.events_path.write_text("time,loss\n1,2\n")
    with pytest.raises(RunDirError, match="not an nnlab event log"):
        rd.writer()
    assert rd.events_path.read_text() == "time,loss\n1,2\n"
    rd.events_path.unlink()
    rd.writer().close()


def test_resolve_by_path_id_and_unique_prefix(root):
    a = RunDir.create(root, {})
    assert resolve(a.path).path == a.path
    assert resolve(a.id, root).path == a.path
    assert resolve(a.id[:-1], root).path == a.path
    with pytest.raises(RunDirError, match="no run"):
        resolve("19990101", root)
    b = RunDir.create(root, {})
    common = os.path.commonprefix([a.id, b.id])
    with pytest.raises(RunDirError, match="matches 2 runs"):
        resolve(common, root)


def test_disk_full_while_appending_is_reported_once_and_never_raises(root, monkeypatch):
    rd = RunDir.create(root, {})
    errors = []
    writer = rd.writer(on_error=errors.append)
    writer(batch(1, 1))
    real_write = os.write
    state = {"full": True}

    def full_disk(fd, data):
        if fd == writer._fd and state["full"]:
            real_write(fd, bytes(data[:7]))  # a short write, then ENOSPC: as a full disk does
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(rundir_mod.os, "write", full_disk)
    for number in range(2, 6):
        writer(batch(1, number))  # never raises
    assert writer.failed and writer.error.errno == errno.ENOSPC and len(errors) == 1
    assert rd.events_path.read_bytes().endswith(b"\n")  # the short write was cut away: whole lines only
    state["full"] = False
    writer(batch(1, 6))
    writer.close()
    records = [json.loads(line) for line in lines(rd)[1:]]
    assert [r["event"] for r in records] == ["batch", "gap", "batch"]
    assert records[1]["dropped"] == 4 and records[2]["batch"] == 6
    log = EventLog(rd.events_path, decode=True)
    assert [e.batch for e in log.read_new()] == [1, 6]
    assert any("4 events were lost" in p for p in log.problems)


def test_a_status_that_cannot_be_written_is_reported_not_raised(root, monkeypatch):
    rd = RunDir.create(root, {})
    errors = []
    writer = rd.writer(on_error=errors.append)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rundir_mod.atomic, "write_text", no_space)
    writer(Finished(epochs=1, stopped=False, test_accuracy=0.5, seconds=1.0))
    assert errors and writer.failed
    writer.close()


def test_nan_in_a_record_appended_by_a_tracker_becomes_null(root):
    rd = RunDir.create(root, {}, kind="track")
    with rd.writer() as writer:
        assert writer.append({"event": "log", "step": 1, "loss": math.nan})
    assert json.loads(lines(rd)[1])["loss"] is None


def test_a_child_process_sees_the_same_run(root):
    rd = RunDir.create(root, {"preset": "fast"})
    result = run_child(
        """
        import sys
        from nnlab.run.rundir import RunDir
        print(RunDir.open(sys.argv[1]).config["preset"])
    """,
        str(rd.path),
    )
    assert result.stdout.strip() == "fast", result.stderr
