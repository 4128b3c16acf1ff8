"""`nnlab backprop`: the stepper app, or the whole pass printed as JSON or Markdown (no textual)."""

from __future__ import annotations

import argparse
import json
import math
import os
import stat
from pathlib import Path

from nnlab.commands.usage import UsageError
from nnlab.core.netlab import Lab, NetError, draw, parse_net, tutorial_lab
from nnlab.core.netlab import compute as lab_compute
from nnlab.core.netlab import update as lab_update
from nnlab.core.netlab_handout import handout
from nnlab.core.netlab_run import showable
from nnlab.core.netlab_steps import ORDERS
from nnlab.core.netlab_steps import counts as lab_counts
from nnlab.core.netlab_steps import steps as lab_steps
from nnlab.core.numbers import Bounds, NumberError, parse_number
from nnlab.core.tinynet import steps
from nnlab.core.tinynet_net import (
    BIASES,
    PARAM_BOUNDS,
    PARAM_NAMES,
    TUTORIAL,
    WEIGHTS,
    Params,
    compute,
    run_passes,
    update,
)
from nnlab.i18n import t

MAX_PASSES = 100_000
MAX_PARAMS_BYTES = 1 << 20  # a parameters file is a few hundred bytes; more is not one


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=t("bp.cli.json"))
    parser.add_argument("--markdown", action="store_true", help=t("bp.cli.markdown"))
    parser.add_argument("--worksheet", action="store_true", help=t("bp.cli.worksheet"))
    parser.add_argument("--params", metavar="FILE.json", default=None, help=t("bp.cli.params"))
    parser.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help=t("bp.cli.set"))
    parser.add_argument("--bias-updates", action="store_true", help=t("bp.cli.bias"))
    parser.add_argument("--passes", metavar="N", default=None, help=t("bp.cli.passes"))
    parser.add_argument("--net", metavar="2-2-2", default=None, help=t("bp.cli.net"))
    parser.add_argument("--act", metavar="NAME[,NAME…]", default=None, help=t("bp.cli.act"))
    parser.add_argument("--loss", metavar="sse|mse|ce|bce", default=None, help=t("bp.cli.loss"))
    parser.add_argument("--biases", metavar="layer|neuron", default=None, help=t("bp.cli.biases"))
    parser.add_argument("--seed", metavar="N", default=None, help=t("bp.cli.seed"))
    parser.add_argument("--order", metavar="weight|node", default=None, help=t("bp.cli.order"))


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
    data = _read_params(args)
    if data is not None:
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


def markdown(p: Params, bias_updates: bool = False, passes: int | None = None, worksheet: bool = False) -> str:
    """The whole walk-through of the tutorial's network (its own steps, biases included), for a teacher."""
    lab = tutorial_lab(p)
    history = [r.E_total for r in run_passes(p, passes, bias_updates)[1]] if passes is not None else None
    return handout(
        lab, steps(p, bias_updates), "weight", lab_counts(lab, bias_updates), bias_updates, history, worksheet
    )


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


# --------------------------------------------------------------------------------------
# any network of the lab (--net, --act, --loss, --biases, --seed, --order, or a lab --params file)

LAB_FLAGS = ("net", "act", "loss", "biases", "seed", "order")


def _lab_requested(args: argparse.Namespace, data: dict | None) -> bool:
    return any(getattr(args, name, None) is not None for name in LAB_FLAGS) or (
        data is not None and ("layers" in data or "net" in data)
    )


def _read_params(args: argparse.Namespace) -> dict | None:
    if args.params is None:
        return None
    path = Path(args.params).expanduser()
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block read_text for ever, a device never end
            raise UsageError(t("bp.cli.bad_file", path=path, reason=t("bp.cli.not_regular")))
        if info.st_size > MAX_PARAMS_BYTES:
            raise UsageError(t("bp.cli.bad_file", path=path, reason=t("bp.cli.too_big", limit=MAX_PARAMS_BYTES)))
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error).splitlines()[0]
        raise UsageError(t("bp.cli.bad_file", path=path, reason=reason)) from None
    if not isinstance(data, dict):
        raise UsageError(t("bp.cli.not_object", path=path))
    return data


def _numbers(value, path: Path, key: str) -> tuple[float, ...]:
    ok = isinstance(value, list) and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in value
    )
    if not ok:
        raise UsageError(t("bp.cli.lab_key", path=path, field=key))
    return tuple(float(x) + 0.0 for x in value)


def _lab_from_file(data: dict, path: Path, bias_mode: str | None) -> Lab:
    """A lab file: the shape of ``--json``'s own output (net, inputs, targets, layers, lr)."""
    spec = data.get("net", {})
    if not isinstance(spec, dict) or not isinstance(spec.get("widths"), list):
        raise UsageError(t("bp.cli.lab_key", path=path, field="net.widths"))
    widths = "-".join(str(w) for w in spec["widths"])
    acts = spec.get("activations")
    try:
        net = parse_net(
            widths,
            ",".join(acts) if isinstance(acts, list) else None,
            str(spec.get("loss", "sse")),
            bias_mode or str(spec.get("biases", "layer")),
        )
        layers = data.get("layers")
        if not isinstance(layers, list) or len(layers) != net.depth:
            raise UsageError(t("bp.cli.lab_key", path=path, field="layers"))
        W, b = [], []
        for n, layer in enumerate(layers):
            rows = layer.get("W") if isinstance(layer, dict) else None
            if not isinstance(rows, list):
                raise UsageError(t("bp.cli.lab_key", path=path, field=f"layers[{n}].W"))
            W.append(tuple(_numbers(r, path, f"layers[{n}].W") for r in rows))
            b.append(_numbers(layer.get("b"), path, f"layers[{n}].b"))
        lr = data.get("lr", 1.0)
        lr_ok = isinstance(lr, (int, float)) and not isinstance(lr, bool) and math.isfinite(lr) and lr > 0
        if not lr_ok:
            raise UsageError(t("bp.cli.lab_key", path=path, field="lr"))
        return Lab(
            net,
            _numbers(data.get("inputs"), path, "inputs"),
            _numbers(data.get("targets"), path, "targets"),
            tuple(W),
            tuple(b),
            float(lr),
        )
    except NetError as error:
        raise UsageError(t("bp.cli.bad_lab", path=path, reason=error.message())) from None


def lab_from(args: argparse.Namespace, data: dict | None) -> Lab:
    """The lab network the flags describe: a file, a seed, or the tutorial's numbers for 2-2-2."""
    if args.seed is not None and data is not None:
        raise UsageError(t("bp.cli.seed_params"))
    try:
        if data is not None and ("layers" in data or "net" in data):
            lab = _lab_from_file(data, Path(args.params), args.biases)
        else:
            net = parse_net(args.net or "2-2-2", args.act, args.loss or "sse", args.biases or "layer")
            if args.seed is not None:
                try:
                    seed = int(parse_number(args.seed, Bounds(0, 2**32 - 1, integer=True)))
                except NumberError as error:
                    raise UsageError(t("bp.cli.not_number", name="--seed", reason=error.message())) from None
                lab = draw(net, seed)
            elif net == tutorial_lab().net:
                lab = tutorial_lab(TUTORIAL.with_values(**(_flat(data) if data else {})))
            else:
                lab = draw(net, 0)
        values = {}
        for item in args.set:
            name, sep, text = item.partition("=")
            if not sep:
                raise UsageError(t("bp.cli.set_syntax", text=item))
            bounds = PARAM_BOUNDS["lr"] if name.strip() == "lr" else Bounds(-100.0, 100.0)
            try:
                values[name.strip()] = float(parse_number(text, bounds))
            except NumberError as error:
                raise UsageError(t("bp.cli.not_number", name=name.strip(), reason=error.message())) from None
        lab = lab.with_values(**values) if values else lab
        if not showable(lab, args.bias_updates):
            raise UsageError(t("bp.net.overflow"))
        return lab
    except NetError as error:
        raise UsageError(error.message()) from None


def _flat(data: dict) -> dict[str, float]:
    out = {}
    for name, raw in data.items():
        out[name] = _value(name, json.dumps(raw))
    return out


def _layers(W, b) -> list[dict]:
    return [{"W": [list(r) for r in m], "b": list(v)} for m, v in zip(W, b)]


def lab_report(lab: Lab, order: str = "weight", bias_updates: bool = False, passes: int | None = None) -> dict:
    """The object `--json` prints for any network (W: rows = units of the layer, columns = the layer before)."""
    P = lab_compute(lab)
    n = lab.net
    after = lab_update(lab, P, bias_updates)
    all_steps = lab_steps(lab, order, bias_updates)
    out = {
        "net": {"widths": list(n.widths), "activations": list(n.acts), "loss": n.loss, "biases": n.bias},
        "inputs": list(lab.inputs),
        "targets": list(lab.targets),
        "lr": lab.lr,
        "bias_updates": bias_updates,
        "order": order,
        "step_counts": lab_counts(lab, bias_updates),
        "layers": _layers(lab.W, lab.b),
        "forward": [{"z": list(z), "a": list(a)} for z, a in zip(P.z, P.a[1:])],
        "loss": P.E,
        "gradients": _layers(P.dW, P.db),
        "updated": _layers(after.W, after.b),
        "steps": [_lab_step(s) for s in all_steps],
    }
    if n.loss in ("ce", "bce"):
        out["probabilities"] = list(P.squashed)
    if passes is not None:
        history, current = [], lab
        for _ in range(passes):
            current = lab_update(current, None, bias_updates)
            history.append(lab_compute(current).E)
        out["history"] = history
    return out


def _lab_step(step) -> dict:
    d = step.as_dict()
    d["repeat_of"], d["reuses"] = step.repeat_of, list(step.reuses)
    return d


def lab_markdown(
    lab: Lab, order: str = "weight", bias_updates: bool = False, passes: int | None = None, worksheet: bool = False
) -> str:
    """The walk-through of any network for a teacher to paste (``worksheet``: blanks, then the key)."""
    if order == "weight" and lab.net == tutorial_lab().net:  # the tutorial's own steps, its bias steps too
        p = TUTORIAL.with_values(**{k: lab.values()[k] for k in PARAM_NAMES})
        all_steps = steps(p, bias_updates)
    else:
        all_steps = lab_steps(lab, order, bias_updates)
    history = None
    if passes is not None:
        history, current = [], lab
        for _ in range(passes):
            current = lab_update(current, None, bias_updates)
            history.append(lab_compute(current).E)
    return handout(lab, all_steps, order, lab_counts(lab, bias_updates), bias_updates, history, worksheet)


def run(args: argparse.Namespace) -> int | None:
    if args.json and args.markdown:
        raise UsageError(t("bp.cli.both"))
    if args.worksheet and not args.markdown:
        raise UsageError(t("bp.cli.worksheet_alone"))
    if args.order is not None and args.order not in ORDERS:
        raise UsageError(t("bp.cli.order_bad", name=args.order))
    if args.seed is not None and args.params is not None:
        raise UsageError(t("bp.cli.seed_params"))
    data = _read_params(args)
    if _lab_requested(args, data):
        lab = lab_from(args, data)
        passes = passes_arg(args)
        order = args.order or "weight"
        if args.json:
            return _emit(
                json.dumps(lab_report(lab, order, args.bias_updates, passes), ensure_ascii=False, allow_nan=False)
            )
        if args.markdown:
            return _emit(lab_markdown(lab, order, args.bias_updates, passes, args.worksheet))
        args.app_options = {
            "backprop_lab": lab,
            "backprop_bias_updates": bool(args.bias_updates),
            "backprop_order": order,
        }
        if lab.net == tutorial_lab().net:  # the tutorial's shape: its Params as well (older readers)
            p = TUTORIAL.with_values(**{k: lab.values()[k] for k in PARAM_NAMES})
            args.app_options["backprop_params"] = p.as_dict()
        return None
    p = params_from(args)
    passes = passes_arg(args)
    if args.json:
        out = report(p, args.bias_updates, passes)
        lab = tutorial_lab(p)
        extra = lab_report(lab, "weight", args.bias_updates)
        out.update({key: extra[key] for key in ("net", "inputs", "targets", "layers", "loss", "step_counts")})
        return _emit(json.dumps(out, ensure_ascii=False, allow_nan=False))
    if args.markdown:
        return _emit(markdown(p, args.bias_updates, passes, args.worksheet))
    args.app_options = {"backprop_params": p.as_dict(), "backprop_bias_updates": bool(args.bias_updates)}
    return None  # open the app in the backprop mode
