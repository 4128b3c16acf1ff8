"""Steering a run from any terminal of its owner: the client side of control_server.

    send(run, op, timeout=2.0) -> dict          # one request; the server's reply ({"ok": ...})
    ControlClient(run, timeout=2.0)             # one connection for many requests (a viewer)
        .request(op) -> dict; .close()
    find_socket(rd) -> Path | None              # the live socket of a run, if it has one
    ControlError                                # one line: not listening, stale, timeout, ...

``run`` is a RunDir, a run directory's path, or anything ``rundir.resolve`` accepts. A reply
with ``"ok": false`` (unknown op, not paused, refused) is returned, not raised: the channel
worked. ControlError means the channel did not: nothing listens (the run ended, or has no
control channel), the server did not answer within ``timeout``, or the socket or the process
behind it belongs to another uid (checked before sending: the socket's owner, then the server's
``SO_PEERCRED``). A socket left by a dead run (connect refused and the run's lock free) is
removed, and the error says so.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import socket
from pathlib import Path
from typing import Any

from nnlab.i18n import t
from nnlab.run.control_server import MAX_REQUEST, fallback_base, peer_uid
from nnlab.run.rundir import RunDir, resolve
from nnlab.run.rundir_common import read_json
from nnlab.run.rundir_lock import lock_is_held

MAX_REPLY = 64 * 1024


class ControlError(Exception):
    """The control channel of a run could not be used; the message is one line."""


def _as_run(run: Any) -> RunDir:
    if isinstance(run, RunDir):
        return run
    return resolve(run)


def find_socket(rd: RunDir) -> Path | None:
    """The run's control socket path when one exists: in the run, through control.json, or
    in this user's fallback directory."""
    inside = rd.path / "control.sock"
    if os.path.lexists(inside):
        return inside
    try:
        pointer = read_json(rd.path / "control.json")
        if isinstance(pointer, dict) and isinstance(pointer.get("socket"), str):
            return Path(pointer["socket"])
    except (OSError, ValueError):
        pass
    guess = fallback_base() / rd.id / "control.sock"
    return guess if os.path.lexists(guess) else None


def _clean_stale(rd: RunDir, path: Path) -> bool:
    """Remove a dead run's socket (and pointer) when no writer holds the run; True if removed."""
    if lock_is_held(rd.lock_path):
        return False
    removed = False
    with contextlib.suppress(OSError):
        os.unlink(path)
        removed = True
    if path.parent != rd.path:
        with contextlib.suppress(OSError):
            os.unlink(rd.path / "control.json")
        with contextlib.suppress(OSError):
            os.rmdir(path.parent)
    return removed


class ControlClient:
    """A connection to one run's control socket."""

    def __init__(self, run: Any, timeout: float = 2.0):
        self.rd = _as_run(run)
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._buffer = b""
        self.sock = self._connect()

    def _connect(self) -> socket.socket:
        rd, me = self.rd, os.geteuid()
        path = find_socket(rd)
        if path is None:
            raise ControlError(t("runs.ctl.not_listening", run=rd.id))
        try:
            owner = os.lstat(path).st_uid
        except FileNotFoundError:
            raise ControlError(t("runs.ctl.not_listening", run=rd.id)) from None
        except OSError as error:
            raise ControlError(t("runs.ctl.io", run=rd.id, why=error.strerror or error)) from None
        if owner != me:
            raise ControlError(t("runs.ctl.not_owner", run=rd.id, uid=owner, me=me))
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(os.fspath(path))
        except (ConnectionRefusedError, FileNotFoundError):
            sock.close()
            if _clean_stale(rd, path):
                raise ControlError(t("runs.ctl.stale_cleaned", run=rd.id)) from None
            raise ControlError(t("runs.ctl.not_listening", run=rd.id)) from None
        except TimeoutError:
            sock.close()
            raise ControlError(t("runs.ctl.timeout", run=rd.id, seconds=self.timeout)) from None
        except OSError as error:
            sock.close()
            raise ControlError(t("runs.ctl.io", run=rd.id, why=error.strerror or error)) from None
        try:
            _pid, uid = peer_uid(sock)
        except OSError:
            uid = -1
        if uid != me:
            sock.close()
            raise ControlError(t("runs.ctl.not_owner", run=rd.id, uid=uid, me=me))
        return sock

    def request(self, op: str, **fields: Any) -> dict:
        """Send ``{"op": op, ...}`` and return the reply to it."""
        request_id = next(self._ids)
        line = (json.dumps({"op": op, "id": request_id, **fields}) + "\n").encode()
        if len(line) > MAX_REQUEST:
            raise ControlError(t("runs.ctl.too_long", limit=MAX_REQUEST))
        try:
            self.sock.sendall(line)
            while True:
                reply = self._read_line()
                if not isinstance(reply, dict) or "ok" not in reply:
                    raise ControlError(t("runs.ctl.bad_reply", run=self.rd.id))
                if reply.get("id") in (request_id, None):
                    return reply
        except TimeoutError:
            raise ControlError(t("runs.ctl.timeout", run=self.rd.id, seconds=self.timeout)) from None
        except OSError as error:
            raise ControlError(t("runs.ctl.io", run=self.rd.id, why=error.strerror or error)) from None

    def _read_line(self) -> Any:
        while b"\n" not in self._buffer:
            data = self.sock.recv(4096)
            if not data:
                if self._buffer.strip():
                    break  # a last reply without newline (the server closed after it)
                raise ControlError(t("runs.ctl.io", run=self.rd.id, why="connection closed"))
            self._buffer += data
            if len(self._buffer) > MAX_REPLY:
                raise ControlError(t("runs.ctl.bad_reply", run=self.rd.id))
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError:
            raise ControlError(t("runs.ctl.bad_reply", run=self.rd.id)) from None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()

    def __enter__(self) -> ControlClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def send(run: Any, op: str, timeout: float = 2.0, **fields: Any) -> dict:
    """One request to a run's control socket; its reply. ControlError (one line) when unusable."""
    with ControlClient(run, timeout=timeout) as client:
        return client.request(op, **fields)
