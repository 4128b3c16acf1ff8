"""What every part of a run directory shares: formats and version, errors, timestamps, ids, the root, JSON."""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nnlab.run.events import finite

RUN_FORMAT, EVENTS_FORMAT, STATUS_FORMAT = "nnlab-run", "nnlab-events", "nnlab-status"
VERSION = 1
KINDS = ("nnlab", "track", "sweep-member")
STATES = ("running", "completed", "stopped", "failed", "diverged")  # "lost" is derived (reader)
FINAL_KINDS = ("finished", "failed")
STATUS_EVERY_S = 2.0  # progress (epochs, accuracy) rewrites status.json at most this often
ID_PATTERN = re.compile(r"\d{8}-\d{6}-[0-9a-f]{4,}")


class RunDirError(Exception):
    """A path that is not a usable run directory; the message is one line naming it."""


class RunBusy(RunDirError):
    """Another live process writes this run; ``pid`` and ``host`` name it when known."""

    def __init__(self, message: str, pid: int | None = None, host: str = ""):
        super().__init__(message)
        self.pid, self.host = pid, host


def now_iso(when: float | None = None) -> str:
    """ISO 8601 UTC with milliseconds and an explicit offset (readable by Python 3.10's fromisoformat)."""
    stamp = datetime.fromtimestamp(time.time() if when is None else when, timezone.utc)
    return stamp.isoformat(timespec="milliseconds")


def parse_iso(text: Any) -> float | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except (TypeError, ValueError):
        return None


def new_id(when: float | None = None) -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime(when)) + "-" + secrets.token_hex(2)


def runs_root(explicit: str | os.PathLike | None = None) -> Path:
    """The runs root: an explicit path (``--runs-dir``), else $NNLAB_RUNS_DIR, else ./runs."""
    chosen = explicit or os.environ.get("NNLAB_RUNS_DIR") or "runs"
    return Path(os.path.expanduser(os.fspath(chosen)))


def read_json(path: Path) -> Any:
    with open(path, "rb") as handle:
        return json.loads(handle.read(1 << 20))


def dumps(data: Any) -> str:
    return json.dumps(finite(data), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
