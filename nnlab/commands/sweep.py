"""`nnlab train --headless --sweep ...` and `--branch RUN[@EPOCH]`: many runs, and runs from runs.

A sweep (``run_sweep``): the members of ``nnlab.run.sweep.parse_sweep``, grouped, each group
trained in one batched step (``nnlab.train.sweep.train_group``). Every member is a normal run
directory (kind "sweep-member", ``sweep`` = the sweep's id, name = its label) with its own
events.jsonl, status.json and checkpoint.pt, so ``nnlab train --headless --resume RUN``
continues one member alone. The sweep itself is ``runs/<sweep-id>/sweep.json`` (no run.json:
``nnlab runs`` lists the members, not the sweep), rewritten atomically as groups finish:

    {"format": "nnlab-sweep", "version": 1, "id", "created", "state", "base": config,
     "axes": [{"name", "values"} | {"name", "lo", "hi", "log"}], "random": N | null, "seed",
     "members": [{"member": "m00", "index", "label", "changes": {setting: value}, "group",
                  "run": run id | null, "state", "epochs", "test_accuracy", "test_loss",
                  "seconds", "diverged", "best", "tutorial"}]}

Printed: one compact line per member epoch, then the results sorted by final test accuracy (the
best marked *, the tutorial's setting marked T); ``--sweep-export FILE.csv|FILE.md`` writes them
(atomically). Bad input is one line and exit 2 before any work, a member that cannot fit in
memory included (named). SIGINT/SIGTERM stop the whole sweep at the next batch; every member
still training writes its checkpoint (exact to the batch); exit 130/143.

A branch (``run_branch``): ``nnlab.train.branch`` makes the new run directory; it then trains as
a resumed headless run of it would (``nnlab.commands.headless.run_headless``).

Where the parts live: the flags and the checks before any work in ``sweep_input``, the training
(``Sweep``, ``MemberControl``) in ``sweep_train``, the results, their table, export and sweep.json
record in ``sweep_results``.
"""

from __future__ import annotations

import sys

from nnlab.commands.sweep_input import check_fit, export_kind, parse_members
from nnlab.commands.sweep_train import Sweep
from nnlab.commands.usage import UsageError, say
from nnlab.i18n import t


# --- the sweep -------------------------------------------------------------------------------
def run_sweep(args, base_config, data=None, out=None) -> int:
    """Train the sweep headless (see the module docstring); the exit code. ``data``: a
    FashionData to use instead of ``--data-dir`` (tests)."""
    from nnlab.run.errors import ConfigError, DataError, DeviceError
    from nnlab.run.sweep import groups as make_groups
    from nnlab.train import data as data_mod

    out = out or sys.stdout
    try:
        export = export_kind(getattr(args, "sweep_export", None))
        if data is None:
            location = data_mod.locate(getattr(args, "data_dir", None))
            sizes = (location.train_size, location.test_size)
        else:
            sizes = (data.train_size, data.test_size)
        members = parse_members(args, base_config, sizes[0] or None)
        groups = make_groups(members)
        check_fit(groups, *sizes)
    except UsageError as error:
        say(t("cli.error", message=str(error)))
        return 2
    except (ConfigError, DeviceError) as error:
        say(t("cli.error", message=str(error)))
        return 2
    except DataError as error:
        say(t("cli.error", message=str(error)))
        return 2 if getattr(args, "data_dir", None) else 1
    if data is None:
        try:
            data = data_mod.load(getattr(args, "data_dir", None))
        except DataError as error:
            say(t("cli.error", message=str(error)))
            return 1
    return Sweep(args, base_config, members, groups, data, out, export).run()


# --- branches --------------------------------------------------------------------------------
def run_branch(args, overrides: dict, progress_every: int = 100) -> int:
    """``--branch RUN[@EPOCH]`` with the changed settings in ``overrides``: a new run directory
    (``nnlab.train.branch.create_branch``), trained by the headless path as a resume of it."""
    from nnlab.run.errors import CheckpointError, ConfigError

    try:
        from nnlab.train.branch import create_branch

        branch = create_branch(
            args.branch, overrides, getattr(args, "runs_dir", None), name=getattr(args, "name", None) or ""
        )
    except (CheckpointError, ConfigError, UsageError) as error:
        say(t("cli.error", message=str(error)))
        return 2
    say(
        t(
            "sweep.cli.branched",
            run=branch.rd.id,
            parent=branch.parent,
            epoch=branch.epoch,
            batch=branch.batch,
            optimizer=t("sweep.cli.optimizer_kept" if branch.optimizer_kept else "sweep.cli.optimizer_fresh"),
        )
    )
    from nnlab.commands.headless import run_headless

    args.resume, args.resume_run = str(branch.rd.checkpoint_path), str(branch.rd.path)
    return run_headless(args, branch.config, {}, progress_every)
