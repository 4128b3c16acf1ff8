"""`nnlab train --headless --detach`: the same run, started in the background; this process returns at once.

The parent makes (or, for ``--resume RUN``, finds) the run directory, takes the run's writer
lock, and starts ``python -m nnlab <the same arguments> --run-dir DIR --lock-fd N`` in a new
session (``start_new_session``: no controlling terminal, so no SIGHUP when this one closes),
stdin from /dev/null, stdout and stderr appended to the run's output.log, the lock's fd passed
along (``pass_fds``): the lock belongs to the open file, so it is held without a gap from here
to the child's end, and no second writer can slip in between. Torch-free: the parent only
spawns; the child is exactly the foreground code path.
"""

from __future__ import annotations

import os
import subprocess
import sys

from nnlab.commands.usage import UsageError
from nnlab.i18n import t

STRIP = ("--detach",)


def child_argv(argv: list[str], run_dir: str, lock_fd: int) -> list[str]:
    """The parent's arguments without --detach, plus the hidden flags of the child."""
    kept = [a for a in argv if a not in STRIP]
    return [sys.executable, "-m", "nnlab", *kept, "--run-dir", run_dir, "--lock-fd", str(lock_fd)]


def detach(args, config) -> int:
    from nnlab.commands.headless_printer import run_ref
    from nnlab.run.rundir import RunDir
    from nnlab.run.rundir_common import RunDirError
    from nnlab.run.rundir_lock import take_lock

    argv = getattr(args, "argv", None)
    if argv is None:
        raise UsageError(t("runs.cli.detach_no_argv"))
    try:
        if args.resume_run:
            rd = RunDir.open(args.resume_run)
        else:
            try:
                rd = RunDir.create(args.runs_dir, config, kind="nnlab", name=args.name or "")
            except RunDirError as error:
                raise UsageError(t("runs.cli.create_hint", message=str(error))) from None
        lock_fd = take_lock(rd, inheritable=True)
    except RunDirError as error:
        raise UsageError(str(error)) from None
    try:
        log = os.open(rd.output_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            proc = subprocess.Popen(
                child_argv(list(argv), str(rd.path.absolute()), lock_fd),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                pass_fds=(lock_fd,),
                close_fds=True,
            )
        finally:
            os.close(log)
    finally:
        os.close(lock_fd)  # the child's copy of the open file keeps the lock
    ref = run_ref(rd)
    print(t("runs.cli.detached", run=rd.id, pid=proc.pid, path=rd.path))
    print(t("runs.cli.detached_next", ref=ref, log=rd.output_log))
    sys.stdout.flush()
    return 0
