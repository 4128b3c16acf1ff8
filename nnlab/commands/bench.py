"""`nnlab bench startup|train|dashboard|sweep|watch`: measurements printed side by side in one run."""

from __future__ import annotations

import argparse
import json
import re
import sys

from nnlab.i18n import t


def terminal_size(text: str) -> tuple[int, int]:
    """``80x24`` → (80, 24); 40-400 columns, 12-200 lines."""
    m = re.fullmatch(r"\s*(\d{1,3})\s*[xX]\s*(\d{1,3})\s*", text)
    if not m or not (40 <= int(m[1]) <= 400 and 12 <= int(m[2]) <= 200):
        raise argparse.ArgumentTypeError(t("cli.bench.bad_size", value=text))
    return int(m[1]), int(m[2])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "what",
        choices=("startup", "train", "dashboard", "sweep", "watch", "track", "foreign"),
        help=t("cli.bench.what"),
    )
    parser.add_argument("--runs", default=None, help=t("cli.bench.runs"))
    parser.add_argument("--json", action="store_true", help=t("cli.json"))
    parser.add_argument("--device", default="auto", help=t("cli.bench.device"))
    parser.add_argument("--epochs", type=int, default=None, help=t("cli.bench.epochs"))
    parser.add_argument("--size", type=terminal_size, default=(80, 24), metavar="COLSxLINES", help=t("cli.bench.size"))
    parser.add_argument("--max-seconds", type=float, default=None, help=t("cli.bench.max_seconds"))
    parser.add_argument("--members", default=None, help=t("cli.bench.members"))
    parser.add_argument("--impl", choices=("bmm", "vmap", "both"), default=None, help=t("cli.bench.impl"))
    parser.add_argument("--threads", type=int, default=0, help=t("cli.bench.threads"))
    parser.add_argument("--ab-ui-turns", action="store_true", help=t("cli.bench.ab_ui_turns"))


MAX_RUNS = 1000  # `bench startup --runs 99999999` ran for hours; 0 silently ran 1 (issue 19 case 24)


def runs(args: argparse.Namespace, default: int) -> int:
    """--runs parsed by the strict number parser, 1..MAX_RUNS (UsageError, exit 2, otherwise)."""
    if args.runs is None:
        return default
    from nnlab.commands.usage import UsageError
    from nnlab.core.numbers import Bounds, NumberError, parse_number

    try:
        return int(parse_number(str(args.runs), Bounds(1, MAX_RUNS, integer=True)))
    except NumberError as error:
        raise UsageError(t("err.bench.runs", value=args.runs, why=error.message())) from None


def run(args: argparse.Namespace) -> int:
    if args.runs is not None:
        args.runs = runs(args, 5)
    if args.what == "startup":
        from nnlab.bench.startup import measure_startup

        try:
            result = measure_startup(runs=args.runs if args.runs is not None else 5, lang=args.lang)
        except (RuntimeError, OSError) as error:
            print(t("bench.startup.failed", why=error), file=sys.stderr)
            return 1
        if args.json:
            print(json.dumps(result))
        else:
            print(
                t(
                    "bench.startup.line",
                    median=result["first_frame_s_median"],
                    runs=result["runs"],
                    min=min(result["first_frame_s"]),
                    max=max(result["first_frame_s"]),
                )
            )
        return 0
    if args.what == "train":
        from nnlab.bench.train import run_bench  # torch only on this path
    elif args.what == "sweep":
        from nnlab.bench.sweep import run_bench
    elif args.what == "track":
        from nnlab.bench.track import run_bench
    elif args.what == "watch":
        from nnlab.bench.watch import run_bench
    elif args.what == "foreign":
        from nnlab.bench.foreign import run_bench
    else:
        from nnlab.bench.dashboard import run_bench
    return run_bench(args)
