"""`nnlab ctl RUN_ID|DIR pause|resume|step|stop|save|status [--json]`: steer a run from any terminal of its owner.

One request over the run's control socket (``nnlab.run.control_client``), one line printed.
Its effect shows in the run's event log (Paused, Resumed, Saved, Finished), where every viewer
sees it. Exit codes: 0 accepted; 1 refused by the run (step while not paused, ...) or the run
cannot be reached (not running, stale socket, another uid); 2 a bad argument or no such run.
``--json`` prints the server's reply (or ``{"ok": false, "error": ...}``) instead. Torch-free.
"""

from __future__ import annotations

import argparse
import json

from nnlab.commands.usage import UsageError
from nnlab.i18n import t

OPS = ("pause", "resume", "step", "stop", "save", "status", "snapshot")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", metavar="RUN", help=t("runs.cli.run_ref"))
    parser.add_argument("op", choices=OPS, help=t("runs.cli.op"))
    parser.add_argument("--json", action="store_true", help=t("cli.json"))
    parser.add_argument("--runs-dir", metavar="DIR", default=None, help=t("train.cli.runs_dir"))
    parser.add_argument("--timeout", type=float, default=2.0, help=argparse.SUPPRESS)


def status_line(rd, reply: dict) -> str:
    state = "paused" if reply.get("paused") else str(reply.get("state") or "running")
    return t(
        "runs.ctl.status_line",
        run=rd.id,
        state=state,
        epoch=reply.get("epoch", "?"),
        epochs=reply.get("epochs", "?"),
        batch=reply.get("batch", "?"),
        pid=reply.get("pid", "?"),
    )


def run(args: argparse.Namespace) -> int:
    from nnlab.run.control_client import ControlError, send
    from nnlab.run.rundir import resolve
    from nnlab.run.rundir_common import RunDirError

    try:
        rd = resolve(args.run, args.runs_dir)
    except RunDirError as error:
        raise UsageError(str(error)) from None
    try:
        reply = send(rd, args.op, timeout=max(0.1, min(args.timeout, 60.0)))
    except (ControlError, RunDirError) as error:
        if args.json:
            print(json.dumps({"ok": False, "code": "unreachable", "error": str(error), "run": rd.id}))
        else:
            from nnlab.commands.usage import say

            say(t("cli.error", message=str(error)))
        return 1
    if args.json:
        print(json.dumps({**reply, "run": rd.id}, ensure_ascii=False))
    elif not reply.get("ok"):
        from nnlab.commands.usage import say

        say(t("cli.error", message=t("runs.ctl.answer_error", run=rd.id, op=args.op, error=reply.get("error", "?"))))
    elif args.op == "status":
        print(status_line(rd, reply))
    else:
        print(t("runs.ctl.sent", run=rd.id, op=args.op))
    return 0 if reply.get("ok") else 1
