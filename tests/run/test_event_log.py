"""Reading an event log while it grows: by byte offset, incomplete lines left for later, every kind of
bad content reported and skipped (never a crash), events decoded back to the dataclasses, and a run on
a read-only file system still readable."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from _run_helpers import REPO, batch, one_of_each

from nnlab.run import decode
from nnlab.run.reader import MAX_LINE, EventLog, list_runs
from nnlab.run.rundir import RunDir

HEADER = b'{"format": "nnlab-events", "version": 1, "run": "x"}\n'


def same(a, b) -> bool:
    """Events equal as strict JSON has them (NaN and inf both null)."""
    return a.to_json() == b.to_json()


def test_read_new_returns_only_what_was_added(root):
    rd = RunDir.create(root, {})
    log = EventLog(rd.events_path)
    assert log.read_new() == []  # no log yet: nothing, no problem
    writer = rd.writer()
    assert log.read_new() == [] and log.header["format"] == "nnlab-events"
    writer(batch(1, 1))
    writer(batch(1, 2))
    assert [e["batch"] for e in log.read_new()] == [1, 2]
    writer(batch(1, 3))
    assert [e["batch"] for e in log.read_new()] == [3]
    assert log.read_new() == [] and log.problems == [] and log.line == 4
    writer.close()


def test_every_event_decodes_back_to_its_dataclass(root):
    rd = RunDir.create(root, {})
    with rd.writer() as writer:
        for event in one_of_each():
            writer(event)
    decoded = EventLog(rd.events_path, decode=True).read_new()
    assert [type(e) for e in decoded] == [type(e) for e in one_of_each()]
    for got, want in zip(decoded, one_of_each()):
        assert same(got, want), (got, want)
    assert math.isnan(decoded[4].loss) and math.isnan(decoded[7].loss)  # null back to NaN (inf too)
    assert decoded[8].test_accuracy is None  # float | None keeps None
    assert isinstance(decoded[5].confusion[0], tuple)


def test_an_incomplete_last_line_waits_until_it_is_complete(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(HEADER + b'{"event": "resumed"}\n{"event": "paused", "epoch": 1,')
    log = EventLog(path, decode=True)
    assert [e.KIND for e in log.read_new()] == ["resumed"]
    assert log.read_new() == [] and log.problems == []
    with open(path, "ab") as handle:
        handle.write(b' "batch": 2}\n')
    assert [(e.KIND, e.batch) for e in log.read_new()] == [("paused", 2)] and log.problems == []


def test_corrupt_lines_are_reported_with_their_number_and_skipped(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(
        HEADER + b'{"event": "resumed"}\n{"event": "res\n\xff\xfe garbage\n[1, 2]\n{"no": "kind"}\n\n'
        b'{"event": "resumed"}\n'
    )
    log = EventLog(path)
    assert [e["event"] for e in log.read_new()] == ["resumed", "resumed"]
    assert len(log.problems) == 4 and all("\n" not in p for p in log.problems)
    assert "line 3 is not valid JSON" in log.problems[0] and "line 6" in log.problems[3]


def test_unknown_kinds_and_bad_fields_are_reported_when_decoding(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(
        HEADER + b'{"event": "hologram", "x": 1}\n{"event": "hologram"}\n'
        b'{"event": "paused", "epoch": "one", "batch": 1}\n{"event": "paused", "epoch": 1}\n'
        b'{"event": "resumed", "future_field": 3}\n'
    )
    log = EventLog(path, decode=True)
    assert [e.KIND for e in log.read_new()] == ["resumed"]  # a field added later is ignored
    assert len(log.problems) == 3  # the unknown kind once, then two bad "paused"
    assert "unknown event 'hologram'" in log.problems[0] and "epoch" in log.problems[1]
    assert [e["event"] for e in EventLog(path).read_new()][:2] == ["hologram", "hologram"]  # raw: kept


def test_a_foreign_file_is_reported_once_and_skipped(tmp_path):
    for content in (b"epoch,loss\n1,2.3\n", b"\x89PNG\r\n\x1a\n\x00\x00binary", b'{"format": "wandb"}\n{}\n'):
        path = tmp_path / "events.jsonl"
        path.write_bytes(content)
        log = EventLog(path)
        assert log.read_new() == [] and log.read_new() == []
        assert len(log.problems) == 1 and "not an nnlab event log" in log.problems[0] and log.skipped


def test_an_unknown_format_version_is_reported_and_skipped(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"format": "nnlab-events", "version": 2}\n{"event": "resumed"}\n')
    log = EventLog(path)
    assert log.read_new() == [] and log.skipped
    assert log.problems == [
        f"{path}: events.jsonl has format version 2; this nnlab reads version 1. Upgrade nnlab to read it."
    ]


def test_an_over_long_line_is_skipped_without_holding_it_in_memory(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(HEADER + b'{"event": "resumed"}\n' + b"x" * (MAX_LINE + 10))
    log = EventLog(path)
    assert [e["event"] for e in log.read_new()] == ["resumed"]
    assert log.read_new() == [] and "longer than" in log.problems[0]
    with open(path, "ab") as handle:
        handle.write(b'yyy\n{"event": "resumed"}\n')
    assert [e["event"] for e in log.read_new()] == ["resumed"] and len(log.problems) == 1


def test_a_log_that_shrank_or_was_replaced_is_read_again_from_the_start(tmp_path):
    import os

    path = tmp_path / "events.jsonl"
    path.write_bytes(HEADER + b'{"event": "resumed"}\n{"event": "resumed"}\n')
    log = EventLog(path)
    assert len(log.read_new()) == 2
    path.write_bytes(HEADER + b'{"event": "paused"}\n')  # truncated in place, shorter
    assert [e["event"] for e in log.read_new()] == ["paused"] and log.restarted
    assert "shorter" in log.problems[0]
    log.restarted = False
    other = tmp_path / "other"
    other.write_bytes(HEADER + b'{"event": "stepped"}\n')  # same size, another file renamed over it
    os.replace(other, path)
    assert [e["event"] for e in log.read_new()] == ["stepped"] and log.restarted


def test_a_fifo_in_place_of_the_log_never_blocks(tmp_path):
    import os

    path = tmp_path / "events.jsonl"
    os.mkfifo(path)
    log = EventLog(path)
    assert log.read_new() == [] and "not a regular file" in log.problems[0]


def test_decode_refuses_what_it_does_not_know():
    with pytest.raises(decode.DecodeError, match="unknown event"):
        decode.from_dict({"event": "nope"})
    with pytest.raises(decode.DecodeError, match="batch: missing"):
        decode.from_dict({"event": "paused", "epoch": 1})
    with pytest.raises(decode.DecodeError, match="stopped"):
        decode.from_dict({"event": "finished", "epochs": 1, "stopped": 1, "test_accuracy": None, "seconds": 1})
    assert set(decode.KINDS) == {e.KIND for e in one_of_each()}


def test_a_run_on_a_read_only_file_system_can_be_watched_and_listed(root):
    """A bind mount made read-only in a private mount namespace (root only): the reader never writes."""
    rd = RunDir.create(root, {"preset": "tutorial", "epochs": 1})
    with rd.writer() as writer:
        for event in one_of_each()[:6]:
            writer(event)
    code = (
        "import sys\nfrom nnlab.run.reader import EventLog, list_runs, run_state\nfrom nnlab.run.rundir import RunDir\n"
        "rd = RunDir.open(sys.argv[1])\nlog = EventLog(rd.events_path, decode=True)\n"
        "events = log.read_new()\nruns = list_runs(sys.argv[2])\n"
        "try:\n    open(rd.path / 'probe', 'w')\n    writable = True\nexcept OSError:\n    writable = False\n"
        "print(len(events), len(log.problems), runs[0].state, writable)\n"
    )
    script = (
        f'mount --bind {root} {root} && mount -o remount,bind,ro {root} && {sys.executable} -c "$0" {rd.path} {root}'
    )
    try:
        result = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", script, code],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=20,
        )
    except FileNotFoundError:
        pytest.skip("unshare is not installed")
    if result.returncode != 0 and "mount" in result.stderr + result.stdout:
        pytest.skip(f"no private mount namespace here: {result.stderr.strip()}")
    assert result.stdout.split() == ["6", "0", "lost", "False"], result.stderr
    assert list_runs(root)[0].state == "lost"  # status says running, the writer closed without a final event
