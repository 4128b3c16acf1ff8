"""The run's steering channel: a Unix socket only its owner can use, served by one thread.

    server = ControlServer(rd, control, on_save=None, on_status=None).start()
    server.socket_path; server.close()
    socket_location(rd) -> Path          # where a server of this run binds (and clients look)

Where the socket lives. ``<run>/control.sock`` when the run directory is ours and private
(mode 0700, as ``RunDir.create`` makes it) and the path fits AF_UNIX's 108 bytes; otherwise
``$XDG_RUNTIME_DIR/nnlab-<uid>/<run id>/control.sock`` (else ``/tmp/nnlab-<uid>/...``), each
directory created 0700 and checked to be ours (lstat: no symlink, our uid, no group/other bits),
with a pointer ``control.json`` {"socket", "pid", "host"} in the run directory. The socket is
chmod 0600 right after bind; the 0700 directory above it keeps the moment between the two safe.
Nothing listens on the network (no TCP, no abstract-namespace socket).

Who may steer. Only a peer whose uid (``SO_PEERCRED``, Linux) equals the server's effective
uid. Not root either: root could steer anyway through ptrace or signals, so letting it in adds
no power, but refusing it keeps a root daemon (a relay, a web UI) from becoming a way for
someone else to steer your run; root can act as the owner (``sudo -u``) when it means to.
The 0700 directory stops other users at connect(); the uid check stops root and anyone for
whom the directory was opened up.

Protocol: one JSON object per line, at most MAX_REQUEST bytes with its newline:
``{"op": "pause"|"resume"|"step"|"stop"|"save"|"snapshot"|"status", "id": any?}``, answered by
one line ``{"ok": true, "id": ...}`` or ``{"ok": false, "code": "...", "error": "one line"}``
("status" adds paused/stopped/pid/run and whatever ``on_status()`` returns). A line too long
closes the connection after its error; malformed or unknown requests get an error and
nothing else happens. A connection may carry many requests. The effects of a request show in
the event log (Paused, Resumed, ...), not in the reply, so every viewer sees every steer.

``on_save()`` asks the caller to save the true current state at the next batch boundary
(return False when it cannot). A socket left by a dead run (connect refused) is removed at
start; a live one makes ``start`` raise RunDirError.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import stat
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nnlab.fs import atomic
from nnlab.i18n import t
from nnlab.run.rundir import RunDir
from nnlab.run.rundir_common import RunDirError

MAX_REQUEST = 4096  # bytes per request line, newline included
MAX_CLIENTS = 32  # connections at once; more are closed at once
LINGER_S = 1.0  # how long a connection told its last word is drained before closing
SUN_PATH_MAX = 107  # sockaddr_un.sun_path is 108 bytes with its terminating NUL
OPS = ("pause", "resume", "step", "stop", "save", "snapshot", "status")
_CRED = struct.Struct("3i")  # struct ucred: pid, uid, gid


def peer_uid(sock: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end of a connected Unix socket."""
    pid, uid, _gid = _CRED.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _CRED.size))
    return pid, uid


def private_dir(path: Path) -> bool:
    """``path`` is a real directory owned by us with no group/other permission bits."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o077


def _make_private(path: Path) -> Path:
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    if not private_dir(path):
        raise RunDirError(t("runs.ctl.unsafe_dir", path=path, uid=os.geteuid()))
    return path


def _fits(path: Path) -> bool:
    return len(os.fsencode(os.fspath(path))) <= SUN_PATH_MAX


def fallback_base() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and private_dir(Path(runtime)):
        return Path(runtime) / f"nnlab-{os.geteuid()}"
    return Path("/tmp") / f"nnlab-{os.geteuid()}"


def socket_location(rd: RunDir) -> Path:
    """Where the server of ``rd`` binds: in the run directory when private and short enough."""
    inside = rd.path.absolute() / "control.sock"
    if private_dir(rd.path) and _fits(inside):
        return inside
    outside = fallback_base() / rd.id / "control.sock"
    if _fits(outside):
        return outside
    return Path("/tmp") / f"nnlab-{os.geteuid()}" / rd.id / "control.sock"  # a long $XDG_RUNTIME_DIR


def _stale(path: Path) -> bool:
    """True when nothing accepts at ``path`` (its server died); False when one answers."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(0.5)
    try:
        probe.connect(os.fspath(path))
        return False
    except (ConnectionRefusedError, FileNotFoundError):
        return True
    except OSError:
        return False  # cannot tell (a timeout: a live but busy server): keep it
    finally:
        probe.close()


class _Client:
    __slots__ = ("sock", "buffer", "ending")

    def __init__(self, sock: socket.socket):
        self.sock, self.buffer = sock, b""
        self.ending: float | None = None  # answered for the last time: input is drained, then closed


class ControlServer:
    """Serves one run's control socket on a daemon thread until ``close()``."""

    def __init__(
        self,
        rd: RunDir,
        control: Any,
        *,
        on_save: Callable[[], Any] | None = None,
        on_status: Callable[[], dict] | None = None,
        max_request: int = MAX_REQUEST,
    ):
        self.rd, self.control, self.on_save, self.on_status = rd, control, on_save, on_status
        self.max_request = max_request
        self.socket_path = socket_location(rd)
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._closing = False
        self._ino: int | None = None
        self.refused = 0  # connections refused by the uid check (for tests and logs)

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> ControlServer:
        path = self.socket_path
        if path.parent != self.rd.path.absolute():
            _make_private(path.parent.parent)
            _make_private(path.parent)
        if os.path.lexists(path):
            if not stat.S_ISSOCK(os.lstat(path).st_mode) or not _stale(path):
                raise RunDirError(t("runs.ctl.busy_socket", path=path))
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(os.fspath(path))
            os.chmod(path, 0o600)
            listener.listen(16)
            listener.setblocking(False)
            self._ino = os.lstat(path).st_ino
        except OSError:
            listener.close()
            raise
        self._listener = listener
        if path.parent != self.rd.path.absolute():
            pointer = {"socket": os.fspath(path), "pid": os.getpid(), "host": socket.gethostname()}
            atomic.write_text(self.rd.path / "control.json", json.dumps(pointer) + "\n")
        self._thread = threading.Thread(target=self._serve, name=f"nnlab-control-{self.rd.id}", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving; remove the socket (if still ours), the pointer and the fallback directory."""
        if self._closing:
            return
        self._closing = True
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        path = self.socket_path
        with contextlib.suppress(OSError):
            if self._ino is not None and os.lstat(path).st_ino == self._ino:
                os.unlink(path)
        if path.parent != self.rd.path.absolute():
            with contextlib.suppress(OSError):
                os.unlink(self.rd.path / "control.json")
            with contextlib.suppress(OSError):
                os.rmdir(path.parent)
        for sock in (self._listener, self._wake_r, self._wake_w):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()

    def __enter__(self) -> ControlServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # --- the loop -----------------------------------------------------------------------------
    def _serve(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ, None)
        selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        clients: dict[int, _Client] = {}
        try:
            while not self._closing:
                now = time.monotonic()
                for client in [c for c in clients.values() if c.ending is not None and now - c.ending > LINGER_S]:
                    self._drop(selector, clients, client)
                for key, _ in selector.select(timeout=LINGER_S / 2):
                    if key.data == "wake":
                        return
                    if key.data is None:
                        self._accept(selector, clients)
                    else:
                        self._readable(selector, clients, key.data)
        finally:
            for client in clients.values():
                with contextlib.suppress(OSError):
                    client.sock.close()
            selector.close()

    def _accept(self, selector, clients: dict[int, _Client]) -> None:
        try:
            sock, _ = self._listener.accept()  # type: ignore[union-attr]
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        try:
            _pid, uid = peer_uid(sock)
        except OSError:
            uid = -1
        if len(clients) >= MAX_CLIENTS:
            with contextlib.suppress(OSError):
                sock.close()
            return
        sock.setblocking(False)
        client = _Client(sock)
        clients[sock.fileno()] = client
        selector.register(sock, selectors.EVENT_READ, client)
        if uid != os.geteuid():
            self.refused += 1
            self._last_word(client, self._error("refused", t("runs.ctl.refused_uid", uid=uid, owner=os.geteuid())))

    def _last_word(self, client: _Client, reply: dict) -> None:
        """Answer, close our side for writing, and drain what the peer still sends until it
        closes (or LINGER_S): closing with unread input would reset the connection, and the
        peer would lose the answer."""
        self._send(client, reply)
        with contextlib.suppress(OSError):
            client.sock.shutdown(socket.SHUT_WR)
        client.ending, client.buffer = time.monotonic(), b""

    def _drop(self, selector, clients: dict[int, _Client], client: _Client) -> None:
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(client.sock)
        clients.pop(client.sock.fileno(), None)
        with contextlib.suppress(OSError):
            client.sock.close()

    def _readable(self, selector, clients: dict[int, _Client], client: _Client) -> None:
        try:
            data = client.sock.recv(self.max_request)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            return self._drop(selector, clients, client)
        if client.ending is not None:
            return  # drained, never read
        client.buffer += data
        while True:
            cut = client.buffer.find(b"\n")
            if cut < 0 or cut + 1 > self.max_request:
                break
            line, client.buffer = client.buffer[:cut], client.buffer[cut + 1 :]
            if not self._send(client, self.handle_line(line)):
                return self._drop(selector, clients, client)
        if len(client.buffer) >= self.max_request:  # no newline within the limit: not a request
            self._last_word(client, self._too_long())

    def _too_long(self) -> dict:
        return self._error("too_long", t("runs.ctl.too_long", limit=self.max_request))

    @staticmethod
    def _send(client: _Client, reply: dict) -> bool:
        try:
            client.sock.send((json.dumps(reply, ensure_ascii=False) + "\n").encode())
            return True
        except OSError:  # a client that does not read its replies is dropped, never waited for
            return False

    # --- requests -----------------------------------------------------------------------------
    @staticmethod
    def _error(code: str, message: str, request_id: Any = None) -> dict:
        reply = {"ok": False, "code": code, "error": message}
        if request_id is not None:
            reply["id"] = request_id
        return reply

    def handle_line(self, line: bytes) -> dict:
        """The reply to one request line (also usable without a socket, in tests)."""
        try:
            request = json.loads(line)
        except ValueError:
            request = None
        if not isinstance(request, dict) or not isinstance(request.get("op"), str):
            return self._error("malformed", t("runs.ctl.malformed"))
        op, request_id = request["op"], request.get("id")
        if not isinstance(request_id, (str, int, type(None))) or isinstance(request_id, bool):
            request_id = None
        if op not in OPS:
            return self._error("unknown_op", t("runs.ctl.unknown_op", op=op[:40], known=", ".join(OPS)), request_id)
        try:
            reply = self._do(op)
        except Exception as error:  # noqa: BLE001 - the caller's callback failed: say so, keep serving
            return self._error("failed", t("runs.ctl.failed", why=f"{type(error).__name__}: {error}"[:200]), request_id)
        if request_id is not None:
            reply["id"] = request_id
        return reply

    def _do(self, op: str) -> dict:
        control = self.control
        if op == "pause":
            control.pause()
        elif op == "resume":
            control.resume()
        elif op == "stop":
            control.stop()
        elif op == "step":
            if control.step() is False:
                return self._error("not_paused", t("runs.ctl.not_paused"))
        elif op == "snapshot":
            control.request_snapshot()
        elif op == "save":
            if self.on_save is None or self.on_save() is False:
                return self._error("no_save", t("runs.ctl.no_save"))
        elif op == "status":
            extra = dict(self.on_status() or {}) if self.on_status else {}
            return {
                "ok": True,
                **extra,
                "run": self.rd.id,
                "pid": os.getpid(),
                "paused": bool(getattr(control, "paused", False)),
                "stopped": bool(getattr(control, "stopped", False)),
            }
        return {"ok": True}


__all__ = ["ControlServer", "MAX_REQUEST", "OPS", "peer_uid", "private_dir", "socket_location"]
