"""What a sweep is, torch-free: ``--sweep`` axes → member configs → groups that train together.

``parse_axis("lr=1e-3,1e-2")`` reads one ``--sweep``; ``members(base, axes)`` is the grid (the
product, first axis slowest), ``random_members(base, axes, n, seed)`` draws ``n`` members from
ranges (``lr=1e-4..1e-1:log``, ``batch_size=32..256``) or lists; both refuse more than
``max_members`` (64 unless raised) with the count. Every value goes through the strict
``parse_number`` and the one ``BOUNDS`` table, so a sweep accepts exactly what ``nnlab train``'s
flags accept, and every member config is validated. Each refusal is one line naming the input.

``groups(members)`` puts together members that can train in one batched step: the same batch
size, seed (the data order and the initial weights), architecture (hidden widths, activation),
epochs, device and threads; lr, optimizer, the lr schedule and early stopping may differ inside a
group (each member's lr is its own tensor; an early-stopped member leaves the stack alone).
"""

from __future__ import annotations

import itertools
import math
import random
import threading
from dataclasses import dataclass, replace

from nnlab.core.numbers import NumberError, parse_number
from nnlab.i18n import t
from nnlab.run.config import ACTIVATIONS, BOUNDS, MAX_LAYERS, MAX_WIDTH, OPTIMIZERS, SCHEDULES, TrainConfig
from nnlab.run.control import Control
from nnlab.run.errors import ConfigError

MAX_MEMBERS = 64  # the default --max-members
HARD_MAX_MEMBERS = 4096  # what --max-members itself may be raised to
NUMERIC = ("lr", "batch_size", "epochs", "seed", "step_every", "step_gamma", "warmup_steps", "early_stop")
CHOICES = {"optimizer": OPTIMIZERS, "activation": ACTIVATIONS, "schedule": SCHEDULES}
AXES = (*NUMERIC, *CHOICES, "hidden")  # the settings a sweep may vary
GROUP_FIELDS = ("batch_size", "seed", "hidden", "activation", "epochs", "device", "threads")


@dataclass(frozen=True)
class Axis:
    name: str  # a TrainConfig field
    values: tuple = ()  # a list (grid, or sampled from in a random sweep)
    lo: float | None = None  # a range (random sweeps only): lo..hi
    hi: float | None = None
    log: bool = False  # sample log-uniformly

    @property
    def is_range(self) -> bool:
        return self.lo is not None


@dataclass(frozen=True)
class Member:
    index: int  # 0-based, in grid order
    config: TrainConfig
    changes: tuple[tuple[str, object], ...]  # (setting, value) this member sets

    @property
    def id(self) -> str:
        return f"m{self.index:02d}"

    def label(self) -> str:
        return " ".join(f"{k}={format_value(k, v)}" for k, v in self.changes)


def format_value(name: str, value) -> str:
    if name == "hidden":
        return "x".join(map(str, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


# --- parsing ----------------------------------------------------------------------------
def _value(name: str, text: str):
    if name in CHOICES:
        if text not in CHOICES[name]:
            raise ConfigError(t("sweep.bad_choice", name=name, value=text, allowed="|".join(CHOICES[name])))
        return text
    if name == "hidden":
        parts = text.split("x")
        try:
            widths = tuple(int(parse_number(p, BOUNDS["hidden"])) for p in parts)
        except NumberError:
            widths = ()
        if not (1 <= len(widths) <= MAX_LAYERS):
            raise ConfigError(t("sweep.bad_hidden", value=text, layers=MAX_LAYERS, max=MAX_WIDTH))
        return widths
    try:
        return parse_number(text, BOUNDS[name])
    except NumberError as error:
        raise ConfigError(t("sweep.bad_value", name=name, value=text, why=error.message())) from None


def parse_axis(text: str) -> Axis:
    """One ``--sweep SETTING=V1,V2,...`` or ``SETTING=LO..HI[:log]`` (ConfigError on bad input)."""
    name, sep, rest = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise ConfigError(t("sweep.bad_form", text=text))
    if name not in AXES:
        raise ConfigError(t("sweep.not_setting", name=name, allowed=", ".join(AXES)))
    if ".." in rest:
        return _parse_range(name, rest)
    values = []
    for position, part in enumerate(rest.split(","), start=1):
        if not part.strip():
            raise ConfigError(t("sweep.empty_value", name=name, position=position))
        value = _value(name, part)
        if value in values:
            raise ConfigError(t("sweep.duplicate", name=name, value=part))
        values.append(value)
    return Axis(name, tuple(values))


def _parse_range(name: str, text: str) -> Axis:
    if name not in NUMERIC:
        raise ConfigError(t("sweep.range_not_numeric", name=name))
    body, log = (text[:-4], True) if text.endswith(":log") else (text, False)
    lo_text, _, hi_text = body.partition("..")
    lo, hi = _value(name, lo_text), _value(name, hi_text)
    if not lo < hi or (log and lo <= 0):
        raise ConfigError(t("sweep.bad_range", name=name, value=text))
    return Axis(name, (), lo, hi, log)


def parse_axes(texts: list[str]) -> tuple[Axis, ...]:
    axes: list[Axis] = []
    for text in texts:
        axis = parse_axis(text)
        if any(a.name == axis.name for a in axes):
            raise ConfigError(t("sweep.twice", name=axis.name))
        axes.append(axis)
    return tuple(axes)


def parse_max_members(text) -> int:
    try:
        return int(parse_number(str(text), BOUNDS_MAX))
    except NumberError:
        raise ConfigError(t("sweep.bad_max", value=text, max=HARD_MAX_MEMBERS)) from None


BOUNDS_MAX = replace(BOUNDS["epochs"], lo=1, hi=HARD_MAX_MEMBERS)


# --- members ----------------------------------------------------------------------------
def _member(index: int, base: TrainConfig, changes: tuple, train_size: int | None) -> Member:
    config = base.with_(**dict(changes))
    try:
        config.validate(train_size=train_size)
    except ConfigError as error:
        label = " ".join(f"{k}={format_value(k, v)}" for k, v in changes)
        raise ConfigError(t("sweep.member_invalid", member=f"m{index:02d}", changes=label, why=error)) from None
    return Member(index, config, changes)


def members(
    base: TrainConfig, axes: tuple[Axis, ...], max_members: int = MAX_MEMBERS, train_size: int | None = None
) -> tuple[Member, ...]:
    """The grid: every combination of the axes' values, the first axis varying slowest."""
    if any(a.is_range for a in axes):
        axis = next(a for a in axes if a.is_range)
        raise ConfigError(
            t(
                "sweep.range_needs_random",
                name=axis.name,
                value=f"{format_value(axis.name, axis.lo)}..{format_value(axis.name, axis.hi)}",
            )
        )
    count = math.prod(len(a.values) for a in axes)
    if count > max_members:
        detail = " × ".join(f"{len(a.values)} {a.name}" for a in axes)
        raise ConfigError(t("sweep.too_many", count=count, detail=detail, limit=max_members))
    combos = itertools.product(*[[(a.name, v) for v in a.values] for a in axes])
    return tuple(_member(i, base, combo, train_size) for i, combo in enumerate(combos))


def random_members(
    base: TrainConfig,
    axes: tuple[Axis, ...],
    count: int,
    seed: int = 0,
    max_members: int = MAX_MEMBERS,
    train_size: int | None = None,
) -> tuple[Member, ...]:
    """``count`` members drawn from the axes (ranges uniformly or log-uniformly, lists uniformly),
    reproducibly from ``seed``; integer settings are rounded (log draws in log space)."""
    if not axes:
        raise ConfigError(t("sweep.no_axes", count=count))
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ConfigError(t("sweep.bad_count", value=count, max=max_members))
    if count > max_members:
        raise ConfigError(t("sweep.too_many", count=count, detail=f"--sweep-random {count}", limit=max_members))
    rng = random.Random(seed)
    drawn = []
    for i in range(count):
        changes = []
        for a in axes:
            if not a.is_range:
                changes.append((a.name, rng.choice(a.values)))
                continue
            u = rng.random()
            x = math.exp(math.log(a.lo) + u * (math.log(a.hi) - math.log(a.lo))) if a.log else a.lo + u * (a.hi - a.lo)
            if BOUNDS[a.name].integer:
                x = min(max(int(round(x)), int(a.lo)), int(a.hi))
            else:
                x = float(f"{x:.4g}")  # a value a person can type back: 0.003162, not 0.0031622776601683794
            changes.append((a.name, x))
        drawn.append(_member(i, base, tuple(changes), train_size))
    return tuple(drawn)


def parse_sweep(
    base: TrainConfig,
    texts: list[str],
    random_count: int | None = None,
    max_members: int = MAX_MEMBERS,
    seed: int = 0,
    train_size: int | None = None,
) -> tuple[Member, ...]:
    """``--sweep`` texts (+ ``--sweep-random N``) → the members (ConfigError naming bad input)."""
    axes = parse_axes(texts)
    if random_count is not None:
        return random_members(base, axes, random_count, seed, max_members, train_size)
    return members(base, axes, max_members, train_size)


@dataclass(frozen=True)
class Plan:
    """A sweep as the dashboard's Setup page states it: the ``--sweep`` texts, ``--sweep-random``
    (None: the grid) and what they make."""

    axes: tuple[str, ...]
    random: int | None
    members: tuple[Member, ...]
    groups: int  # batched groups (each trains in one step)
    max_members: int = MAX_MEMBERS  # the limit it was checked against (`nnlab train --max-members`)


def plan(base: TrainConfig, text: str, random_text: str = "", max_members: int = MAX_MEMBERS) -> Plan | None:
    """The Setup page's sweep: ``text`` holds the axes as ``--sweep`` takes them, separated by
    spaces (``lr=1e-3,1e-2 optimizer=sgd,adam``), ``random_text`` a member count for a random
    sweep or nothing. None when both are empty (a single run); ConfigError with the CLI's own
    message when anything is refused (a random count is checked as ``--sweep-random`` is)."""
    texts, count_text = text.split(), random_text.strip()
    if not texts and not count_text:
        return None
    count = None
    if count_text:
        if not count_text.isdecimal() or not count_text.isascii():
            raise ConfigError(t("sweep.bad_count", value=count_text, max=max_members))
        count = int(count_text)
    found = parse_sweep(base, texts, count, max_members, seed=base.seed)
    return Plan(tuple(texts), count, found, len(groups(found)), max_members)


def group_key(config: TrainConfig) -> tuple:
    return tuple(getattr(config, name) for name in GROUP_FIELDS)


def groups(all_members: tuple[Member, ...] | list[Member]) -> list[tuple[Member, ...]]:
    """Members that can train in one batched step, in order of each group's first member."""
    by_key: dict[tuple, list[Member]] = {}
    for m in all_members:
        by_key.setdefault(group_key(m.config), []).append(m)
    return [tuple(g) for g in by_key.values()]


# --- steering ---------------------------------------------------------------------------
class SweepControl(Control):
    """``Control`` for a whole group (pause, step, stop act on every member) plus a per-member
    stop: ``stop_member(i)`` takes member ``i`` (its index in the group's config list) out at the
    next batch; the others go on."""

    def __init__(self) -> None:
        super().__init__()
        self._member_lock = threading.Lock()
        self._member_stops: frozenset[int] = frozenset()

    def stop_member(self, member: int) -> None:
        with self._member_lock:
            self._member_stops = self._member_stops | {member}

    def member_stops(self) -> frozenset[int]:
        return self._member_stops
