"""The GPU check's JSON report, rewritten after every stage, and the child processes its stages run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from nnlab.bench.gpu_check_files import ROOT
from nnlab.i18n import t


# --- the report -------------------------------------------------------------------------------
class Report:
    def __init__(self, path: Path, dry_run: bool, budget: float):
        self.path, self.t0, self.budget = path, time.monotonic(), budget
        self.data: dict = {
            "schema": 1,
            "dry_run": dry_run,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "budget_s": budget,
            "stages": {},
            "summary": {},
            "ok": None,
        }

    def left(self) -> float:
        return self.budget - (time.monotonic() - self.t0)

    def stage(self, name: str, status: str, seconds: float, **fields) -> dict:
        entry = {"status": status, "seconds": round(seconds, 2), **fields}
        self.data["stages"][name] = entry
        self.write()
        detail = f": {fields['why']}" if fields.get("why") else ""
        print(
            t("gpu.check.stage", stage=name, status=status, seconds=f"{seconds:.1f}", detail=detail),
            file=sys.stderr,
            flush=True,
        )
        return entry

    def write(self) -> None:
        self.data["seconds"] = round(time.monotonic() - self.t0, 2)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, default=str))
        os.replace(tmp, self.path)


def _tail(text: str, limit: int = 3000) -> str:
    return text if len(text) <= limit else "…" + text[-limit:]


def _child(cmd: list[str], env: dict, timeout: float) -> tuple[int | None, str, str, float]:
    """(returncode or None on timeout, stdout, stderr, seconds)."""
    start = time.monotonic()
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=max(5.0, timeout), check=False
        )
        return done.returncode, done.stdout, done.stderr, time.monotonic() - start
    except subprocess.TimeoutExpired as error:
        out = error.stdout.decode(errors="replace") if isinstance(error.stdout, bytes) else (error.stdout or "")
        err = error.stderr.decode(errors="replace") if isinstance(error.stderr, bytes) else (error.stderr or "")
        return None, out, err, time.monotonic() - start


def _last_json(text: str) -> dict | None:
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None
