"""The owner-only steering channel: where the socket lives and its modes, the peer check against another
uid, bounded and malformed requests, stale sockets, two viewers, and steering a real engine run whose
effects come back through the event log."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
from pathlib import Path

import pytest

from nnlab.run.control import Control
from nnlab.run.control_client import ControlClient, ControlError, send
from nnlab.run.control_server import MAX_REQUEST, ControlServer
from nnlab.run.rundir import RunDir, RunDirError


@pytest.fixture
def served(root):
    rd = RunDir.create(root, {})
    control = Control()
    saves = []
    server = ControlServer(rd, control, on_save=lambda: saves.append(1), on_status=lambda: {"epoch": 2}).start()
    yield rd, control, server, saves
    server.close()


def raw(path, payload: bytes, timeout: float = 2.0) -> list:
    """Send bytes on a fresh connection; the reply lines until the server stops answering or closes."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(os.fspath(path))
    sock.sendall(payload)
    expected = max(1, payload.count(b"\n"))
    data = b""
    try:
        while data.count(b"\n") < expected:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    return [json.loads(line) for line in data.splitlines()]


def test_the_socket_is_0600_inside_the_0700_run_directory(served):
    rd, _, server, _ = served
    assert server.socket_path == rd.path.absolute() / "control.sock"
    assert stat.S_ISSOCK(os.lstat(server.socket_path).st_mode)
    assert stat.S_IMODE(os.lstat(server.socket_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(rd.path).st_mode) == 0o700
    server.close()
    assert not os.path.lexists(server.socket_path)


def test_each_op_calls_control_and_answers_ok(served):
    rd, control, _, saves = served
    assert send(rd.path, "step")["code"] == "not_paused"
    assert send(rd.path, "pause") == {"ok": True, "id": 1} and control.paused
    assert send(rd, "step")["ok"] and control._steps == 1
    assert send(rd, "snapshot")["ok"] and control.snapshot_requested
    assert send(rd, "save")["ok"] and saves == [1]
    status = send(rd, "status")
    assert status["ok"] and status["paused"] is True and status["epoch"] == 2 and status["pid"] == os.getpid()
    assert send(rd, "resume")["ok"] and not control.paused
    assert send(rd, "stop")["ok"] and control.stopped


def test_malformed_and_unknown_requests_get_an_error_and_nothing_else(served):
    rd, control, server, _ = served
    replies = raw(server.socket_path, b'not json\n[1, 2]\n{"op": 3}\n{"op": "rm -rf"}\n\n{"op": "pause", "id": "a"}\n')
    assert [r.get("code") for r in replies] == ["malformed", "malformed", "malformed", "unknown_op", "malformed", None]
    assert replies[-1] == {"ok": True, "id": "a"}  # the connection still works after errors
    assert all(isinstance(r["error"], str) and "\n" not in r["error"] for r in replies[:-1])
    assert "pause, resume, step" in replies[3]["error"]
    assert control.paused and not control.stopped


def test_a_request_longer_than_the_limit_is_refused_and_the_connection_closed(served):
    rd, control, server, _ = served
    replies = raw(server.socket_path, b'{"op": "stop", "pad": "' + b"x" * (MAX_REQUEST + 100))
    assert replies[0]["code"] == "too_long" and not control.stopped
    fits = b'{"op": "pause", "pad": "' + b"x" * (MAX_REQUEST - 40) + b'"}\n'
    assert len(fits) <= MAX_REQUEST and raw(server.socket_path, fits)[0]["ok"]
    assert send(rd, "status")["ok"]  # the server goes on


def test_a_save_callback_that_fails_is_reported(root):
    rd = RunDir.create(root, {})

    def broken():
        raise RuntimeError("no checkpoint yet")

    with ControlServer(rd, Control(), on_save=broken):
        reply = send(rd, "save")
    assert reply["code"] == "failed" and "no checkpoint yet" in reply["error"]
    with ControlServer(rd, Control()):
        assert send(rd, "save")["code"] == "no_save"


def test_two_viewers_steer_one_run(served):
    rd, control, _, _ = served
    with ControlClient(rd) as first, ControlClient(rd) as second:
        assert first.request("pause")["ok"] and control.paused
        assert second.request("step")["ok"] and control._steps == 1
        assert first.request("resume")["ok"] and not control.paused
        assert second.request("status")["id"] == 2


def _as_nobody(job) -> str:
    """Run ``job()`` in a forked child that dropped to uid/gid 65534; its returned text."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: only syscalls and os._exit
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            text = job()
        except BaseException as error:  # noqa: BLE001
            text = f"child error {type(error).__name__}: {error}"
        os.write(write_end, text.encode()[:4000])
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as handle:
        text = handle.read().decode()
    os.waitpid(pid, 0)
    return text


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping to another uid needs root")
def test_another_uid_is_refused_by_the_directory_and_by_the_peer_check(tmp_path):
    import shutil
    import tempfile

    top = tempfile.mkdtemp(prefix="nnlab-peer-", dir="/tmp")  # pytest's tmp_path is 0700: no way in at all
    os.chmod(top, 0o711)
    rd = RunDir.create(top, {})
    control = Control()
    server = ControlServer(rd, control).start()
    try:
        _refused_twice(rd, control, server)
    finally:
        server.close()
        shutil.rmtree(top, ignore_errors=True)


def _refused_twice(rd, control, server):
    path = os.fspath(server.socket_path)

    def connect_and_pause() -> str:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(2)
        try:
            sock.connect(path)
        except PermissionError:
            return "EACCES"
        except OSError as error:
            return f"connect: {error!r}"
        sock.sendall(b'{"op": "pause"}\n')
        reply = sock.recv(4096)
        closed = sock.recv(4096) == b""
        return json.dumps({"reply": json.loads(reply), "closed": closed})

    assert _as_nobody(connect_and_pause) == "EACCES"  # the 0700 directory stops it at connect()
    os.chmod(rd.path, 0o755)  # opened up by mistake: the uid check still refuses
    os.chmod(path, 0o666)
    text = _as_nobody(connect_and_pause)
    assert text.startswith("{"), text
    seen = json.loads(text)
    assert seen["closed"] and seen["reply"]["ok"] is False and seen["reply"]["code"] == "refused"
    assert "uid 65534" in seen["reply"]["error"] and server.refused == 1
    assert not control.paused

    def client_send() -> str:
        try:
            send(rd.path, "pause")
        except ControlError as error:
            return str(error)
        return "sent"

    assert "belongs to uid 0, not to you (uid 65534)" in _as_nobody(client_send)
    assert not control.paused


@pytest.fixture
def short_runtime():
    """A private (0700) runtime directory with a short path, removed afterwards."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="xdg", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_run_directory_that_is_not_private_gets_its_socket_in_a_private_runtime_dir(
    root, tmp_path, monkeypatch, short_runtime
):
    runtime = short_runtime  # pytest's tmp paths can exceed AF_UNIX's 107 bytes by themselves
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    rd = RunDir.create(root, {})
    os.chmod(rd.path, 0o755)
    control = Control()
    server = ControlServer(rd, control).start()
    path = server.socket_path
    assert path == runtime / f"nnlab-{os.geteuid()}" / rd.id / "control.sock"
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path.parent.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600
    assert json.loads((rd.path / "control.json").read_text())["socket"] == str(path)
    assert send(rd.path, "pause")["ok"] and control.paused
    server.close()
    assert not (rd.path / "control.json").exists() and not path.parent.exists()


def test_a_run_path_too_long_for_af_unix_uses_the_runtime_dir(tmp_path, monkeypatch, short_runtime):
    runtime = short_runtime  # pytest's tmp paths can exceed AF_UNIX's 107 bytes by themselves
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    rd = RunDir.create(deep, {})
    with ControlServer(rd, Control()) as server:
        assert len(os.fsencode(str(server.socket_path))) <= 107 and server.socket_path.is_relative_to(runtime)
        assert send(rd.path, "status")["ok"]


def test_a_fallback_directory_someone_else_could_write_is_refused(root, tmp_path, monkeypatch, short_runtime):
    runtime = short_runtime  # pytest's tmp paths can exceed AF_UNIX's 107 bytes by themselves
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    shared = runtime / f"nnlab-{os.geteuid()}"
    shared.mkdir()
    os.chmod(shared, 0o777)
    rd = RunDir.create(root, {})
    os.chmod(rd.path, 0o755)
    with pytest.raises(RunDirError, match="not a private directory"):
        ControlServer(rd, Control()).start()


def _dead_socket(path) -> None:
    """What a killed server leaves: a socket file nobody accepts on."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(os.fspath(path))
    sock.close()


def test_a_stale_socket_is_cleaned_by_the_next_server_and_by_a_client(root):
    rd = RunDir.create(root, {})
    _dead_socket(rd.path / "control.sock")
    with ControlServer(rd, Control()):
        assert send(rd, "status")["ok"]
    _dead_socket(rd.path / "control.sock")
    with pytest.raises(ControlError, match="stale control socket was removed"):
        send(rd, "pause")
    assert not os.path.lexists(rd.path / "control.sock")
    with pytest.raises(ControlError, match="is not listening"):
        send(rd, "pause")


def test_a_client_does_not_remove_the_socket_of_a_run_whose_writer_lives(root):
    rd = RunDir.create(root, {})
    with rd.writer():
        _dead_socket(rd.path / "control.sock")
        with pytest.raises(ControlError, match="is not listening"):
            send(rd, "pause")
        assert os.path.lexists(rd.path / "control.sock")


def test_a_live_socket_is_never_taken_over(served):
    rd, _, _, _ = served
    with pytest.raises(RunDirError, match="already there"):
        ControlServer(rd, Control()).start()
    assert send(rd, "status")["ok"]


def test_a_server_that_stops_answering_times_out_in_one_line(root):
    rd = RunDir.create(root, {})
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(os.fspath(rd.path / "control.sock"))
    listener.listen(1)  # accepts (the kernel does), never answers
    try:
        started = time.monotonic()
        with pytest.raises(ControlError, match="did not answer within 0.3 s"):
            send(rd, "status", timeout=0.3)
        assert time.monotonic() - started < 2
    finally:
        listener.close()


def test_steering_a_real_engine_run_shows_in_the_event_log(root):
    """The writer in the engine's emit, the server on its Control: pause, step, resume, stop from a
    client, each answered at once and each effect read back from events.jsonl."""
    from nnlab.run.config import TrainConfig
    from nnlab.run.reader import EventLog
    from nnlab.train import data as data_mod
    from nnlab.train.engine import run

    config = TrainConfig(epochs=50, batch_size=8, lr=0.05, hidden=(16,), seed=1, threads=1, device="cpu")
    rd = RunDir.create(root, config)
    control = Control()
    writer = rd.writer()
    log = EventLog(rd.events_path, decode=True)
    seen: list = []

    def wait_for(kind, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen.extend(log.read_new())
            if any(e.KIND == kind for e in seen):
                return True
            time.sleep(0.005)
        return False

    with ControlServer(rd, control):
        thread = threading.Thread(
            target=run,
            args=(config, data_mod.synthetic(256, 64, 0), writer, control),
            kwargs={"progress_every": 1},
            daemon=True,
        )
        thread.start()
        assert wait_for("batch")
        assert send(rd, "pause")["ok"] and wait_for("paused")
        seen.clear()
        assert send(rd, "step")["ok"] and wait_for("batch")
        assert send(rd, "resume")["ok"] and wait_for("resumed"), (
            [e.KIND for e in seen],
            control.paused,
            control._steps,
            writer.failed,
            thread.is_alive(),
        )
        assert send(rd, "stop")["ok"] and wait_for("finished")
        thread.join(timeout=20)
    writer.close()
    assert rd.status()["state"] == "stopped" and log.problems == []
