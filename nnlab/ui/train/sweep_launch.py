"""The dashboard's sweep: ``nnlab train --headless --sweep ...`` started as a background process.

The Setup page states a sweep (``nnlab.run.sweep.plan``); ``launch`` makes the sweep directory
under the runs root (``sweep-<id>``, so the Sweep page can watch it before the child writes
sweep.json), then starts ``python -m nnlab train --headless <the base config as flags> --sweep ...
--sweep-dir DIR`` in a new session (no controlling terminal: quitting the app or losing the SSH
session does not stop it), stdin from /dev/null, stdout and stderr into ``DIR/output.log``. The
child is exactly the headless path (torch, the data, the batched groups, every member's run
directory and control socket); this process only spawns it and never waits for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from nnlab.i18n import get_lang, t
from nnlab.run.config import TrainConfig
from nnlab.run.sweep import MAX_MEMBERS, Plan

FLAGS = (  # TrainConfig field -> the `nnlab train` flag that sets it
    "epochs",
    "batch_size",
    "lr",
    "optimizer",
    "seed",
    "device",
    "activation",
    "threads",
    "schedule",
    "step_every",
    "step_gamma",
    "warmup_steps",
    "early_stop",
)


@dataclass
class Launched:
    """A sweep started in the background: its directory, its process and where it writes."""

    path: Path
    proc: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def exit_code(self) -> int | None:
        """None while it runs (polling also reaps it once it ended)."""
        return self.proc.poll()

    def last_line(self) -> str:
        """The last non-empty line of its output (why it ended, when it ended early)."""
        try:
            with open(self.log, "rb") as f:
                f.seek(max(0, os.fstat(f.fileno()).st_size - 4096))
                lines = [line.strip() for line in f.read().decode("utf-8", "replace").splitlines()]
        except OSError:
            return ""
        return next((line for line in reversed(lines) if line), "")


def config_flags(config: TrainConfig) -> list[str]:
    """``config`` as `nnlab train` flags (the preset first, so every other flag overrides it)."""
    out = ["--preset", config.preset] if config.preset in ("tutorial", "fast") else []
    for name in FLAGS:
        value = getattr(config, name)
        out += ["--" + name.replace("_", "-"), repr(value) if isinstance(value, float) else str(value)]
    return out + ["--hidden", ",".join(map(str, config.hidden))]


def argv(base: TrainConfig, plan: Plan, path: Path, runs_root: Path, data_dir: str | None) -> list[str]:
    head = [sys.executable, "-m", "nnlab", "--lang", get_lang()]
    if data_dir:
        head += ["--data-dir", os.path.abspath(os.path.expanduser(str(data_dir)))]
    cmd = [*head, "train", "--headless", *config_flags(base)]
    for axis in plan.axes:
        cmd += ["--sweep", axis]
    if plan.random is not None:
        cmd += ["--sweep-random", str(plan.random)]
    if plan.max_members != MAX_MEMBERS:
        cmd += ["--max-members", str(plan.max_members)]
    return [*cmd, "--runs-dir", str(runs_root.absolute()), "--sweep-dir", str(path.absolute())]


def launch(base: TrainConfig, plan: Plan, runs_dir=None, data_dir: str | None = None) -> Launched:
    """Make the sweep directory and start the sweep in it; OSError (said by the caller) when
    either fails."""
    from nnlab.run.rundir import new_id, runs_root

    root = runs_root(runs_dir)
    root.mkdir(parents=True, exist_ok=True)
    for _ in range(50):
        path = root / ("sweep-" + new_id())
        try:
            path.mkdir(mode=0o700)
            break
        except FileExistsError:
            continue
    else:
        raise OSError(t("lab.sweep.no_dir", root=root))
    log_path = path / "output.log"
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        proc = subprocess.Popen(
            argv(base, plan, path, root, data_dir),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
        )
    finally:
        os.close(log)
    return Launched(path.absolute(), proc, log_path.absolute())
