"""`nnlab anatomy`: the model walk-through; `--json` prints it headless, otherwise the app opens it.

The headless path imports torch but never textual. Checkpoints are read only through
``nnlab.train.checkpoint.load`` (``weights_only=True``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nnlab.commands.usage import UsageError
from nnlab.core.numbers import Bounds, NumberError, parse_number
from nnlab.i18n import t
from nnlab.run.dataset import ANATOMY_MAX_IMAGES as MAX_IMAGES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=t("anat.cli.json"))
    parser.add_argument("--checkpoint", metavar="FILE", default=None, help=t("anat.cli.checkpoint"))
    parser.add_argument("--images", metavar="N", default=None, help=t("anat.cli.images"))
    parser.add_argument("--first", metavar="I", default=None, help=t("anat.cli.first"))
    parser.add_argument("--seed", metavar="N", default=None, help=t("anat.cli.seed"))


def _integer(flag: str, text: str | None, default: int, lo: int, hi: int) -> int:
    if text is None:
        return default
    try:
        return int(parse_number(text, Bounds(lo, hi, integer=True)))
    except NumberError as error:
        raise UsageError(t("anat.cli.bad", flag=flag, why=error.message())) from None


def options(args: argparse.Namespace) -> dict:
    """The validated flags (UsageError on a bad one), as the app's options for the anatomy view."""

    images = _integer("--images", args.images, 3, 1, MAX_IMAGES)
    first = _integer("--first", args.first, 0, 0, 10**6)
    seed = _integer("--seed", args.seed, 0, 0, 2**31 - 1)
    if args.checkpoint is not None and args.seed is not None:
        raise UsageError(t("anat.cli.seed_and_checkpoint"))
    return {"open": "anatomy", "checkpoint": args.checkpoint, "images": images, "first": first, "seed": seed}


def run(args: argparse.Namespace) -> int | None:
    opts = options(args)
    if not args.json:
        args.app_options = opts
        return None  # open the app: Train mode with the anatomy view on top
    print(json.dumps(walkthrough(opts, getattr(args, "data_dir", None)), ensure_ascii=False, allow_nan=False))
    return 0


def walkthrough(opts: dict, data_dir: str | None) -> dict:
    """The JSON object `--json` prints (torch is imported here, on the headless path only)."""
    from nnlab.run.config import PRESETS
    from nnlab.train import anatomy, checkpoint, data
    from nnlab.train.model import initial_state

    try:
        fashion = data.load(data_dir, allow_sample=True, allow_download=False)
    except data.DataError as error:
        raise UsageError(str(error)) from None
    n_test = fashion.test_size
    first, k = opts["first"], opts["images"]
    if first + k > n_test:
        raise UsageError(t("anat.cli.first_range", first=first, k=k, n=n_test))
    if opts["checkpoint"]:
        try:
            saved = checkpoint.load(opts["checkpoint"])
        except checkpoint.CheckpointError as error:
            raise UsageError(str(error)) from None
        config, state, epoch = saved["config_obj"], saved["model"], saved["epoch"]
        from nnlab.run.errors import ConfigError
        from nnlab.train import memory
        from nnlab.train.device import resolve_device

        try:  # the same check as train --resume (issue 19 case 10): refuse before allocating
            memory.check_fits(config, fashion.train_size, n_test, resolve_device("cpu"))
        except ConfigError as error:
            raise UsageError(str(error)) from None
        model_info = {
            "source": "checkpoint",
            "checkpoint": str(Path(opts["checkpoint"])),
            "epoch": epoch,
            "initial_weights": "rebuilt from config.seed, as the engine initialises a run",
        }
    else:
        config, state = PRESETS["tutorial"].with_(seed=opts["seed"]), None
        model_info = {"source": "untrained", "seed": opts["seed"], "epoch": 0}
    try:
        model = anatomy.model_from_state(config, state)
        initial = initial_state(config) if state is not None else None
        result = anatomy.walk(
            model,
            fashion.test_x,
            fashion.test_y,
            range(first, first + k),
            batch_size=config.batch_size,
            initial_state=initial,
            copy_model=False,
        )
    except anatomy.AnatomyError as error:
        raise UsageError(str(error)) from None
    out = anatomy.to_json(result, data.CLASSES)
    out["model_info"] = {**model_info, "config": config.to_dict()}
    out["data"]["source"] = fashion.source
    out["data"]["is_sample"] = fashion.is_sample
    out["data"]["test_size"] = n_test
    out["classes"] = list(data.CLASSES)
    return out
