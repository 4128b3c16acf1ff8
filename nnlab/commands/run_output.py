"""What a headless run writes besides its event log: output.log, the terminal it may lose, checkpoint copies, exports that append.

Torch-free. ``Hangup`` is the state after a SIGHUP (a dropped SSH link) or a terminal write that
failed with EIO (a hung-up tty: the SIGHUP may arrive a moment later): the run goes on, the
terminal is never written again, and fds 1 and 2, when they were that terminal, are pointed at
/dev/null so no late write (Python's exit flush, native code) can fail or block. ``Tee`` is
a text stream for sys.stdout / sys.stderr: the terminal (until a hangup) plus output.log.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import os
import shutil
from pathlib import Path

from nnlab.i18n import t
from nnlab.run.writers import CSV_COLUMNS, CsvWriter, JsonlWriter

HUNG_UP = (errno.EIO, errno.ENXIO)  # what writing to a tty whose other end went away answers


class Hangup:
    """Shared by the Tees of one run: set once, never unset."""

    def __init__(self) -> None:
        self.happened = False
        self.log = None  # the output.log handle, for the one line saying so
        self.tty_fds = [fd for fd in (1, 2) if _isatty(fd)]

    def hang_up(self, why: str = "SIGHUP") -> None:
        if self.happened:
            return
        self.happened = True
        with contextlib.suppress(OSError):
            null = os.open(os.devnull, os.O_WRONLY)
            for fd in self.tty_fds:
                with contextlib.suppress(OSError):
                    os.dup2(null, fd)
            os.close(null)
        if self.log is not None:
            with contextlib.suppress(OSError, ValueError):
                self.log.write(t("runs.cli.hung_up", why=why) + "\n")
                self.log.flush()


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def same_file(stream, path: Path) -> bool:
    """True when ``stream`` writes into ``path`` already (a detached run's stdout is its log)."""
    try:
        a, b = os.fstat(stream.fileno()), os.stat(path)
    except (OSError, ValueError, AttributeError):
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


class Tee:
    """Writes to the terminal stream (until a hangup) and to output.log. The terminal's own
    errors other than a hangup are raised as before (a closed pipe still stops the run: issue 19
    case 14); the log's are swallowed (``log_failed``): the event log is the run's record."""

    def __init__(self, term, log, hup: Hangup):
        self.term, self.log, self.hup = term, log, hup
        self.encoding = getattr(term, "encoding", None) or "utf-8"
        self.errors = "backslashreplace"
        self.log_failed = False

    def write(self, text: str) -> int:
        term = None if self.hup.happened else self.term
        if term is not None:
            try:
                term.write(text)  # first: an encoding error is retried by the caller, logged once
            except OSError as error:
                if error.errno not in HUNG_UP:
                    raise
                self.hup.hang_up(os.strerror(error.errno))
        if self.log is not None:
            try:
                self.log.write(text)
            except (OSError, ValueError):
                self.log_failed = True
        return len(text)

    def flush(self) -> None:
        if self.term is not None and not self.hup.happened:
            try:
                self.term.flush()
            except OSError as error:
                if error.errno not in HUNG_UP:
                    raise
                self.hup.hang_up(os.strerror(error.errno))
        if self.log is not None:
            try:
                self.log.flush()
            except (OSError, ValueError):
                self.log_failed = True

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


def open_log(path: Path):
    """output.log for appending, line-buffered; None when it cannot be opened (said by the caller)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    return open(fd, "a", encoding="utf-8", errors="backslashreplace", buffering=1)


def link_or_copy(source: Path, target: Path) -> None:
    """``target`` becomes the file ``source`` is now, atomically: a hard link (no copy; the
    checkpoint writer replaces its file, so the link keeps this version), else a copy."""
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Checkpoints:
    """The run's checkpoint.pt (a copy of --save FILE when the engine writes there) and its
    epoch-NNN.pt (--epoch-checkpoints), kept after each save the event stream reports."""

    def __init__(self, rd, engine_path: str, keep_epochs: bool, warn):
        self.rd, self.engine_path, self.keep_epochs, self.warn = rd, Path(engine_path), keep_epochs, warn
        self.mirror = self.engine_path.absolute() != rd.checkpoint_path.absolute()
        self._seen: tuple | None = None
        self._warned = False

    def after(self, event) -> None:
        kind = event.KIND
        if kind not in ("epoch", "saved", "finished"):
            return
        try:
            if self.mirror:
                st = os.stat(self.engine_path)
                key = (st.st_ino, st.st_mtime_ns, st.st_size)
                if key != self._seen:
                    link_or_copy(self.engine_path, self.rd.checkpoint_path)
                    self._seen = key
            if kind == "epoch" and self.keep_epochs and self.rd.checkpoint_path.exists():
                link_or_copy(self.rd.checkpoint_path, self.rd.epoch_checkpoint(event.epoch))
        except FileNotFoundError:
            pass  # nothing saved yet (a failed save said so already)
        except OSError as error:
            if not self._warned:
                self._warned = True
                self.warn(t("runs.cli.copy_failed", path=self.rd.path, why=error.strerror or error))


class AppendJsonl(JsonlWriter):
    """--metrics on a resumed run: the earlier lines stay, this session's events follow."""

    def __init__(self, path):  # noqa: D107 - JsonlWriter's checks, without O_TRUNC
        import stat as _stat

        from nnlab.fs import atomic

        self.path = Path(path)
        atomic.refuse_special(self.path)
        fd = os.open(
            self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666
        )
        if not _stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise atomic.NotRegularFile(self.path)
        os.set_blocking(fd, True)
        self._handle = open(fd, "a", encoding="utf-8")
        self.failed = False


class AppendCsv(CsvWriter):
    """--csv on a resumed run: the rows of the epochs before ``start_epoch`` stay (a row of an
    epoch the checkpoint did not reach is dropped: that epoch is trained again)."""

    def __init__(self, path, start_epoch: int):
        self.path = Path(path)
        self.rows = []
        try:
            with open(self.path, newline="", encoding="utf-8") as handle:
                rows = list(csv.reader(handle))
        except (OSError, UnicodeDecodeError, csv.Error):
            rows = []
        if rows and rows[0] == CSV_COLUMNS:
            for row in rows[1:]:
                with contextlib.suppress(ValueError, IndexError):
                    if int(row[0]) <= start_epoch:
                        self.rows.append(row)
        self._write()
