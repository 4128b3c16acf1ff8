"""A sweep's command line: its flags, the members they make, the export kind and the memory check before any work."""

from __future__ import annotations

import argparse
import os

from nnlab.commands.usage import UsageError
from nnlab.i18n import t


def add_sweep_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--sweep", action="append", metavar="SETTING=V,V", default=None, help=_help("sweep.cli.sweep"))
    add("--sweep-random", metavar="N", default=None, help=_help("sweep.cli.random"))
    add("--max-members", metavar="N", default=None, help=_help("sweep.cli.max_members"))
    add("--sweep-export", metavar="FILE.csv|FILE.md", default=None, help=_help("sweep.cli.export"))
    # the dashboard's sweep (nnlab.ui.train.sweep_launch): the sweep directory it made and is watching
    add("--sweep-dir", metavar="DIR", default=None, help=argparse.SUPPRESS)


def add_branch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--branch", metavar="RUN[@EPOCH]", default=None, help=_help("sweep.cli.branch"))


def _help(key: str) -> str:
    return t(key).replace("%", "%%")


# --- input -----------------------------------------------------------------------------------
def parse_members(args, base, train_size):
    from nnlab.run.errors import ConfigError
    from nnlab.run.sweep import MAX_MEMBERS, parse_max_members, parse_sweep

    limit = parse_max_members(args.max_members) if getattr(args, "max_members", None) is not None else MAX_MEMBERS
    count = getattr(args, "sweep_random", None)
    if count is not None:
        text = str(count).strip()
        if not text.isdigit():
            raise ConfigError(t("sweep.bad_count", value=count, max=limit))
        count = int(text)
    return parse_sweep(base, list(args.sweep or []), count, limit, seed=base.seed, train_size=train_size)


def export_kind(path: str | None) -> str | None:
    if not path:
        return None
    kind = os.path.splitext(path)[1].lower().lstrip(".")
    if kind not in ("csv", "md"):
        raise UsageError(t("sweep.cli.bad_export", path=path))
    return kind


def check_fit(groups, train_size: int, test_size: int) -> None:
    """Every member, and every group as one batched step, fits in its device's memory: else
    ConfigError naming the member (or the group's members) before any work."""
    from nnlab.run.errors import ConfigError
    from nnlab.train import memory
    from nnlab.train.device import resolve_device
    from nnlab.train.sweep import check_group_fits

    for group in groups:
        device = resolve_device(group[0].config.device)
        for m in group:
            try:
                memory.check_fits(m.config, train_size, test_size, device)
            except ConfigError as error:
                raise ConfigError(t("sweep.member_invalid", member=m.id, changes=m.label(), why=error)) from None
        try:
            check_group_fits([m.config for m in group], train_size, test_size, device)
        except ConfigError as error:
            names = ", ".join(m.id for m in group)
            raise ConfigError(t("sweep.group_too_big", members=names, why=error)) from None


def random_count(args):
    value = getattr(args, "sweep_random", None)
    return int(value) if value is not None and str(value).strip().isdigit() else None


def progress_every_of(args) -> int:
    from nnlab.core.numbers import Bounds, NumberError, parse_number

    text = getattr(args, "progress_every", None)
    if text is None:
        return 100
    try:
        return int(parse_number(str(text), Bounds(1, 1_000_000, integer=True)))
    except NumberError:
        return 100
