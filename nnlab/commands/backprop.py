"""`nnlab backprop`: the stepper app, or the whole pass printed as JSON or Markdown (no textual)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from nnlab.core.numbers import Bounds, NumberError, parse_number
from nnlab.core.tinynet import (
    BIASES, PARAM_BOUNDS, PARAM_NAMES, PHASES, TUTORIAL, WEIGHTS, Params, compute, num, run_passes, steps, update,
)
from nnlab.commands.usage import UsageError
from nnlab.i18n import t

MAX_PASSES = 100_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=t("bp.cli.json"))
    parser.add_argument("--markdown", action="store_true", help=t("bp.cli.markdown"))
    parser.add_argument("--params", metavar="FILE.json", default=None, help=t("bp.cli.params"))
    parser.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help=t("bp.cli.set"))
    parser.add_argument("--bias-updates", action="store_true", help=t("bp.cli.bias"))
    parser.add_argument("--passes", metavar="N", default=None, help=t("bp.cli.passes"))


def _value(name: str, text: str) -> float:
    if name not in PARAM_NAMES:
        raise UsageError(t("bp.cli.unknown", name=name, known=" ".join(PARAM_NAMES)))
    try:
        return float(parse_number(text, PARAM_BOUNDS[name]))
    except NumberError as error:
        raise UsageError(t("bp.cli.not_number", name=name, reason=error.message())) from None


def params_from(args: argparse.Namespace) -> Params:
    """``--params FILE.json`` then each ``--set NAME=VALUE`` over the tutorial's network."""
    values: dict[str, float] = {}
    if args.params is not None:
        path = Path(args.params)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            reason = getattr(error, "strerror", None) or str(error).splitlines()[0]
            raise UsageError(t("bp.cli.bad_file", path=path, reason=reason)) from None
        if not isinstance(data, dict):
            raise UsageError(t("bp.cli.not_object", path=path))
        for name, raw in data.items():
            if name not in PARAM_NAMES:
                _value(name, "")  # raises "unknown parameter"
            is_number = isinstance(raw, (int, float)) and not isinstance(raw, bool)
            if is_number and not math.isfinite(raw):
                is_number = False
            # a JSON number goes through the same strict parser as a typed one (bounds, -0, …)
            values[name] = _value(name, json.dumps(raw))
    for item in args.set:
        name, sep, text = item.partition("=")
        if not sep:
            raise UsageError(t("bp.cli.set_syntax", text=item))
        values[name.strip()] = _value(name.strip(), text)
    return TUTORIAL.with_values(**values)


def passes_arg(args: argparse.Namespace) -> int | None:
    if args.passes is None:
        return None
    try:
        return int(parse_number(args.passes, Bounds(1, MAX_PASSES, integer=True)))
    except NumberError as error:
        raise UsageError(t("bp.cli.not_number", name="--passes", reason=error.message())) from None


def report(p: Params, bias_updates: bool = False, passes: int | None = None) -> dict:
    """The object `--json` prints."""
    P = compute(p)
    out = {
        "params": p.as_dict(),
        "bias_updates": bias_updates,
        "forward": P.forward,
        "gradients": {name: P.gradients[name] for name in WEIGHTS + BIASES},
        "updated": update(p, P.gradients, bias_updates).as_dict(),
        "steps": [step.as_dict() for step in steps(p, bias_updates)],
    }
    if passes is not None:
        _, history = run_passes(p, passes, bias_updates)
        out["history"] = [r.E_total for r in history]
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(p: Params, bias_updates: bool = False, passes: int | None = None) -> str:
    """The whole walk-through, formulas and numbers, for a teacher to paste."""
    P = compute(p)
    lines = [f"# {t('bp.md.title')}", "", f"## {t('bp.md.params')}", ""]
    lines += ["| " + " | ".join(PARAM_NAMES).replace("lr", "η") + " |", "|" + "---|" * len(PARAM_NAMES)]
    lines += ["| " + " | ".join(num(getattr(p, n)) for n in PARAM_NAMES) + " |", ""]
    lines += [t("bp.md.bias", state=t("bp.md.on" if bias_updates else "bp.md.off")), ""]
    all_steps = steps(p, bias_updates)
    number = 0
    for phase in PHASES:
        chunk = [s for s in all_steps if s.phase == phase]
        if not chunk:
            continue
        lines += [f"## {t('bp.phase.' + phase)}", "", t("bp.md.cols"), "|---:|---|---|---|---:|---|"]
        for step in chunk:
            number += 1
            lines.append(
                f"| {number} | {_cell(step.symbol)} | {_cell(step.formula)} | {_cell(step.substituted)} "
                f"| {step.value:.9f} | {_cell(step.explanation())} |"
            )
        lines.append("")
    lines += [f"## {t('bp.md.gradients')}", "", "| ∂E_total/∂· | " + " | ".join(WEIGHTS + BIASES) + " |",
              "|---|" + "---:|" * len(WEIGHTS + BIASES),
              "| | " + " | ".join(f"{P.gradients[n]:.9f}" for n in WEIGHTS + BIASES) + " |", ""]
    after = update(p, P.gradients, bias_updates)
    lines += [f"## {t('bp.md.updated')}", "", "| " + " | ".join(WEIGHTS + BIASES) + " |",
              "|" + "---:|" * len(WEIGHTS + BIASES),
              "| " + " | ".join(f"{getattr(after, n):.9f}" for n in WEIGHTS + BIASES) + " |", ""]
    if passes is not None:
        _, history = run_passes(p, passes, bias_updates)
        lines += [f"## {t('bp.md.history')}", "", "| # | E_total |", "|---:|---:|"]
        lines += [f"| {r.index} | {r.E_total:.9f} |" for r in history]
        lines.append("")
    return "\n".join(lines)


def _emit(text: str) -> int:
    """Print ``text``; a reader that closes the pipe early (``| head``) is not an error."""
    import os
    import sys

    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
    return 0


def run(args: argparse.Namespace) -> int | None:
    if args.json and args.markdown:
        raise UsageError(t("bp.cli.both"))
    p = params_from(args)
    passes = passes_arg(args)
    if args.json:
        return _emit(json.dumps(report(p, args.bias_updates, passes), ensure_ascii=False, allow_nan=False))
    if args.markdown:
        return _emit(markdown(p, args.bias_updates, passes))
    args.app_options = {"backprop_params": p.as_dict(), "backprop_bias_updates": bool(args.bias_updates)}
    return None  # open the app in the backprop mode
