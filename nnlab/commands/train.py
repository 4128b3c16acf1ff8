"""`nnlab train`: the dashboard (default) or, with --headless, the tutorial's loop in the terminal.

Every value is parsed strictly and range-checked before any work; a bad one is a one-line error
and exit 2. Ctrl+C (SIGINT) and SIGTERM stop at the next batch boundary, write the checkpoint
and exit 130 / 143. A headless run lives in a run directory (--runs-dir, $NNLAB_RUNS_DIR,
./runs); --resume takes a run id, a run directory or a checkpoint file; --detach starts the
run in the background (nnlab.commands.detach).
"""

from __future__ import annotations

import argparse
import os

from nnlab.commands.sweep_input import add_branch_arguments, add_sweep_arguments
from nnlab.commands.usage import UsageError
from nnlab.core.numbers import Bounds, NumberError, parse_number
from nnlab.i18n import t
from nnlab.run.config import ACTIVATIONS, BOUNDS, DEVICE_PATTERN, MAX_LAYERS, OPTIMIZERS, PRESETS, SCHEDULES


def _help(key: str) -> str:
    return t(key).replace("%", "%%")  # argparse formats help with %: "88%" must stay literal


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--headless", action="store_true", help=_help("train.cli.headless"))
    add("--preset", choices=tuple(PRESETS), default=None, help=_help("train.cli.preset"))
    add("--epochs", metavar="N", help=_help("train.cli.epochs"))
    add("--batch-size", metavar="N", help=_help("train.cli.batch_size"))
    add("--lr", metavar="X", help=_help("train.cli.lr"))
    add("--optimizer", choices=OPTIMIZERS, default=None, help=_help("train.cli.optimizer"))
    add("--hidden", metavar="W,W", help=_help("train.cli.hidden"))
    add("--activation", choices=ACTIVATIONS, default=None, help=_help("train.cli.activation"))
    add("--device", metavar="auto|cpu|cuda:N", help=_help("train.cli.device"))
    add("--seed", metavar="N", help=_help("train.cli.seed"))
    add("--threads", metavar="N", help=_help("train.cli.threads"))
    add("--metrics", metavar="FILE.jsonl", help=_help("train.cli.metrics"))
    add("--csv", metavar="FILE.csv", help=_help("train.cli.csv"))
    add("--save", metavar="FILE", help=_help("train.cli.save"))
    add("--resume", metavar="RUN|FILE", help=_help("train.cli.resume"))
    add("--force", action="store_true", help=_help("train.cli.force"))
    add("--progress-every", metavar="N", help=_help("train.cli.progress_every"))
    add("--on-save-error", choices=("stop", "continue"), default=None, help=_help("safe.cli.on_save_error"))
    add("--notify", action=argparse.BooleanOptionalAction, default=True, help=_help("dash.cli.notify"))
    add("--runs-dir", metavar="DIR", default=None, help=_help("train.cli.runs_dir"))
    add("--name", metavar="TEXT", default=None, help=_help("train.cli.name"))
    add("--epoch-checkpoints", action="store_true", help=_help("train.cli.epoch_checkpoints"))
    add("--detach", action="store_true", help=_help("train.cli.detach"))
    # a detached child: the run directory its parent made, and the lock it handed over
    add("--run-dir", metavar="DIR", default=None, help=argparse.SUPPRESS)
    add("--lock-fd", type=int, default=None, help=argparse.SUPPRESS)
    # the app's overlapped hand-off (nnlab.run.handoff): start up, say ready, wait for "go" and the lock
    add("--handoff", type=int, default=None, help=argparse.SUPPRESS)
    # learning-rate schedules and early stopping (nnlab.run.schedule), sweeps and branches (commands/sweep.py)
    add("--schedule", choices=SCHEDULES, default=None, help=_help("train.cli.schedule"))
    add("--step-every", metavar="N", help=_help("train.cli.step_every"))
    add("--step-gamma", metavar="X", help=_help("train.cli.step_gamma"))
    add("--warmup-steps", metavar="N", help=_help("train.cli.warmup_steps"))
    add("--early-stop", metavar="N", help=_help("train.cli.early_stop"))
    add_sweep_arguments(parser)
    add_branch_arguments(parser)


def _number(flag: str, text: str, bounds: Bounds):
    try:
        return parse_number(text, bounds)
    except NumberError as error:
        raise UsageError(f"{flag} {text}: {error.message()}") from None


def parse_overrides(args: argparse.Namespace) -> dict:
    """The config fields given on the command line, parsed and range-checked (UsageError if not)."""
    out: dict = {}
    for name in (
        "epochs",
        "batch_size",
        "lr",
        "seed",
        "threads",
        "step_every",
        "step_gamma",
        "warmup_steps",
        "early_stop",
    ):
        text = getattr(args, name)
        if text is not None:
            value = _number("--" + name.replace("_", "-"), text, BOUNDS[name])
            out[name] = value if BOUNDS[name].integer else float(value)
    if args.hidden is not None:
        parts = args.hidden.split(",")
        if not 1 <= len(parts) <= MAX_LAYERS:
            raise UsageError(t("train.cli.bad_hidden", value=args.hidden, layers=MAX_LAYERS))
        out["hidden"] = tuple(_number("--hidden", p, BOUNDS["hidden"]) for p in parts)
    if args.device is not None:
        if not DEVICE_PATTERN.fullmatch(args.device):
            raise UsageError(t("train.cli.bad_device", value=args.device))
        out["device"] = args.device
    for name in ("optimizer", "activation", "schedule"):
        if getattr(args, name) is not None:
            out[name] = getattr(args, name)
    return out


OUTPUT_FLAGS = (("--metrics", "metrics"), ("--csv", "csv"), ("--save", "save"))


def _inputs(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(flag, path) of every file the run reads: --resume and the files in --data-dir."""
    found = [("--resume", args.resume)] if args.resume else []
    data_dir = getattr(args, "data_dir", None)
    if data_dir:
        for sub in ("", os.path.join("FashionMNIST", "raw")):
            try:
                with os.scandir(os.path.join(os.path.expanduser(data_dir), sub)) as entries:
                    found += [("--data-dir", e.path) for e in entries if e.name.endswith(("ubyte", "ubyte.gz"))]
            except OSError:
                pass
    return found


def _check_outputs(args: argparse.Namespace, refuse_existing: bool) -> None:
    """Every output checked before any work (issue 19 Deliver 2): a regular file or a new name
    (never a device, FIFO or directory), in a directory that can be written, a name within the
    file system's limits, distinct by inode from every input (--resume included: --save may
    replace it, since it is read first; --metrics and --csv may not) and from each other; an
    existing one is refused headless without --force (the dashboard asks instead), except that
    a resumed run continues its --metrics / --csv files (issue 14). Paths are
    resolved like open() will (nnlab.fs.paths), ``~`` expanded, and the args updated to the
    expanded names so the check and the writer see the same file."""
    from nnlab.fs.paths import NotRegularFile, OutputExists, check_output, file_id, same_file

    for name in ("metrics", "csv", "save", "resume"):
        value = getattr(args, name)
        if value:
            setattr(args, name, os.path.expanduser(value))
    inputs = [(flag, path, file_id(path)) for flag, path in _inputs(args)]
    targets = []
    for flag, name in OUTPUT_FLAGS:
        path = getattr(args, name)
        if not path:
            continue
        into_resume = flag == "--save" and bool(args.resume) and same_file(path, args.resume)
        for other, source, ident in inputs:
            if (ident is not None and ident == file_id(path)) or (other == "--resume" and same_file(path, source)):
                if not (into_resume and other == "--resume"):
                    raise UsageError(t("err.out.is_input", flag=flag, path=path, other=other, input=source))
        try:
            continued = flag in ("--metrics", "--csv") and bool(args.resume)
            target = check_output(path, overwrite=args.force or into_resume or continued or not refuse_existing)
        except OutputExists:
            raise UsageError(t("train.cli.exists", flag=flag, path=path)) from None
        except NotRegularFile:
            raise UsageError(t("err.out.not_regular", flag=flag, path=path)) from None
        except IsADirectoryError:
            raise UsageError(t("train.cli.is_dir", flag=flag, path=path)) from None
        except NotADirectoryError:
            raise UsageError(t("train.cli.no_parent", flag=flag, path=path)) from None
        except OSError as error:  # no permission, a name too long, a loop of links
            raise UsageError(t("err.out.os", flag=flag, path=path, why=error.strerror or error)) from None
        targets.append((target, file_id(path)))
    names = [target for target, _ in targets]
    idents = [ident for _, ident in targets if ident is not None]
    if len(names) != len(set(names)) or len(idents) != len(set(idents)):
        raise UsageError(t("train.cli.same_file"))


def lock_save(args: argparse.Namespace):
    """The --save file's lock (case 7), or None without --save; UsageError when another run holds it."""
    if not args.save:
        return None
    from nnlab.fs.lock import Busy, OutputLock

    try:
        return OutputLock(args.save).acquire()
    except Busy as busy:
        raise UsageError(t("err.out.busy", flag="--save", path=args.save, pid=busy.holder or "?")) from None
    except OSError as error:
        raise UsageError(t("err.out.os", flag="--save", path=args.save, why=error.strerror or error)) from None


def resolve_resume(args: argparse.Namespace) -> None:
    """--resume RUN_ID|DIR|FILE: an existing file is a checkpoint, as before; a run's id (or a
    unique prefix) under the runs root, or its directory, continues that run: ``args.resume``
    becomes its checkpoint.pt and ``args.resume_run`` its directory. Anything else stays a
    file name, refused later by the checkpoint loader in one line."""
    args.resume_run = None
    ref = args.resume
    if not ref or os.path.isfile(os.path.expanduser(ref)):
        return
    from nnlab.run.rundir import resolve
    from nnlab.run.rundir_common import RunDirError

    looks_like_file = ref.endswith((".pt", ".pth")) and not os.path.isdir(os.path.expanduser(ref))
    try:
        rd = resolve(ref, getattr(args, "runs_dir", None))
    except OSError:  # a name too long, a loop: the checkpoint loader says it in one line
        return
    except RunDirError as error:
        if looks_like_file:
            return
        raise UsageError(f"--resume {ref}: {error}") from None
    if not rd.checkpoint_path.is_file():
        raise UsageError(t("runs.cli.no_checkpoint_to_resume", run=rd.id, path=rd.checkpoint_path))
    args.resume, args.resume_run = str(rd.checkpoint_path), str(rd.path)


def run(args: argparse.Namespace) -> int | None:
    overrides = parse_overrides(args)
    progress_every = 100
    if args.progress_every is not None:
        progress_every = _number("--progress-every", args.progress_every, Bounds(1, 1_000_000, integer=True))
    base = PRESETS[args.preset or "tutorial"]
    config = base.with_(**overrides)
    if getattr(args, "detach", False) and not args.headless:
        raise UsageError(t("runs.cli.detach_needs_headless"))
    if getattr(args, "handoff", None) is not None and args.headless:
        from nnlab.commands.headless import await_handoff  # torch only on this path

        failed = await_handoff(args)  # the slow start-up, while the app still trains; then "go"
        if failed is not None:
            return failed
    resolve_resume(args)
    _check_outputs(args, refuse_existing=args.headless)
    if args.sweep or args.sweep_random is not None or args.branch:
        flag = "branch" if args.branch else "sweep"
        if not args.headless:
            raise UsageError(t("sweep.cli.needs_headless", flag=flag))
        from nnlab.commands import sweep as sweep_cmd

        if flag == "sweep":
            return sweep_cmd.run_sweep(args, config)
        return sweep_cmd.run_branch(args, overrides, progress_every)
    if not args.headless:
        args.app_options = {
            "config": config,
            "overrides": overrides,
            "preset": args.preset,
            "save_path": args.save,
            "resume_path": args.resume,
            "metrics_path": args.metrics,
            "csv_path": args.csv,
            "force": args.force,
            "data_dir": args.data_dir,
            "notify": args.notify,
            "resume_run": args.resume_run,
            "runs_dir": args.runs_dir,
        }
        if getattr(args, "max_members", None) is not None:  # the Setup page's sweeps may be this large
            from nnlab.run.errors import ConfigError
            from nnlab.run.sweep import parse_max_members

            try:
                args.app_options["max_members"] = parse_max_members(args.max_members)
            except ConfigError as error:
                raise UsageError(str(error)) from None
        return None  # the app opens in the train mode with these options
    if args.detach:
        from nnlab.commands.detach import detach

        return detach(args, config)
    lock = lock_save(args)
    try:
        from nnlab.commands.headless import run_headless  # torch only on this path

        return run_headless(args, config, overrides, progress_every)
    finally:
        if lock is not None:
            lock.release()
