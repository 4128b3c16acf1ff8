"""Parsing numbers typed by a person: strict, bounded, and with a reason when refused.

Python's own ``float`` accepts things a field must not: "nan", "inf", "1_0", "٥٠"
(Arabic-Indic digits), "1e309" (→ inf), "1e-400" (→ 0.0, silently). ``parse_number``
accepts only ASCII decimal notation with an optional exponent, finite, within bounds,
with no spaces and no negative zero.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from nnlab.core.format import bound

# Optional sign, digits with an optional fraction (or a leading-dot fraction), optional exponent.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
MAX_CHARS = 64  # a 5,000-digit paste is refused before any conversion


class NumberError(ValueError):
    """Why a text is not an acceptable number: a catalog key plus its fields."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields

    def message(self) -> str:
        from nnlab.i18n import t

        return t(self.key, **self.fields)


@dataclass(frozen=True)
class Bounds:
    lo: float = -1e6
    hi: float = 1e6
    integer: bool = False
    nonzero: bool = False


def parse_number(text: str, bounds: Bounds = Bounds()) -> float | int:
    """The number in ``text`` (surrounding spaces allowed), or NumberError saying why not."""
    if text is None or not text.strip():
        raise NumberError("num.empty")
    if len(text) > MAX_CHARS:
        raise NumberError("num.too_long", limit=MAX_CHARS)
    if any(c.isspace() for c in text):
        raise NumberError("num.spaces")  # "1 0" or a pasted " 5": say so rather than guess
    s = text
    pattern = _INTEGER if bounds.integer else _NUMBER
    if not pattern.fullmatch(s):
        if bounds.integer and _NUMBER.fullmatch(s):
            raise NumberError("num.not_integer", text=s)
        raise NumberError("num.not_number", text=s)
    if bounds.integer and s.startswith("-") and int(s) == 0:
        raise NumberError("num.negative_zero")
    value: float | int = int(s) if bounds.integer else float(s)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError("num.range", lo=bound(bounds.lo), hi=bound(bounds.hi))
        if value == 0.0 and any(c in "123456789" for c in s.lower().split("e")[0]):
            raise NumberError("num.underflow", text=s)  # e.g. 1e-400 rounds to 0
        if value == 0.0 and s.startswith("-"):
            raise NumberError("num.negative_zero")  # -0 would print as "-0" in every formula
    if not (bounds.lo <= value <= bounds.hi):
        raise NumberError("num.range", lo=bound(bounds.lo), hi=bound(bounds.hi))
    if bounds.nonzero and value == 0:
        raise NumberError("num.nonzero")
    return value
