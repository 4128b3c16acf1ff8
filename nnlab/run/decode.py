"""Event dicts back into the frozen event dataclasses: the inverse of ``Event.to_dict()``.

    from_dict(data) -> Event            DecodeError (one line) for an unknown kind or bad fields
    KINDS: dict[str, type[Event]]       "batch" -> BatchProgress, ...

What strict JSON changed is undone: ``null`` in a float field is NaN again (``float | None``
fields keep None), lists become tuples (``confusion`` a tuple of tuples). Keys the class does
not know (``"t"``, ``"event"``, fields a newer nnlab added) are ignored, so a log written by a
newer minor version still decodes; a missing field without a default is an error.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, fields
from typing import Any

from nnlab.run.events import (
    BatchProgress,
    Diverged,
    EpochEnd,
    Event,
    Failed,
    Finished,
    Paused,
    Resumed,
    Saved,
    SaveFailed,
    Started,
)

KINDS: dict[str, type[Event]] = {
    cls.KIND: cls
    for cls in (  # type: ignore[attr-defined]
        Started,
        BatchProgress,
        EpochEnd,
        Paused,
        Resumed,
        Saved,
        Diverged,
        SaveFailed,
        Finished,
        Failed,
    )
}


class DecodeError(ValueError):
    """Not an event this nnlab knows; the message says why in one line."""


def _float(value: Any) -> float:
    if type(value) is float:
        return value
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def _optional_float(value: Any) -> float | None:
    return None if value is None else _float(value)


def _int(value: Any) -> int:
    if type(value) is int:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"not an integer: {value!r}")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"not a string: {value!r}")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"not true/false: {value!r}")
    return value


def _dict(value: Any) -> dict:
    if not isinstance(value, dict):
        raise TypeError(f"not an object: {value!r}")
    return value


def _floats(value: Any) -> tuple[float, ...]:
    return tuple(_float(v) for v in value)


def _ints(value: Any) -> tuple[int, ...]:
    return tuple(_int(v) for v in value)


def _matrix(value: Any) -> tuple[tuple[int, ...], ...]:
    return tuple(_ints(row) for row in value)


def _same(value: Any) -> Any:
    return value  # a field type added later: passed through as JSON gave it


# The annotations as written in events.py (strings: it uses ``from __future__ import annotations``).
_CONVERT = {
    "float": _float,
    "float | None": _optional_float,
    "int": _int,
    "str": _str,
    "bool": _bool,
    "dict": _dict,
    "tuple[float, ...]": _floats,
    "tuple[int, ...]": _ints,
    "tuple[tuple[int, ...], ...]": _matrix,
}

_REQUIRED = object()


def _default(f) -> Any:
    if f.default is not MISSING:
        return lambda: f.default
    if f.default_factory is not MISSING:  # type: ignore[misc]
        return f.default_factory  # type: ignore[misc]
    return _REQUIRED


# Per class: (name, converter, default maker or _REQUIRED) for each field, computed once.
_PLAN = {
    kind: tuple((f.name, _CONVERT.get(str(f.type), _same), _default(f)) for f in fields(cls))
    for kind, cls in KINDS.items()
}


def from_dict(data: dict) -> Event:
    """The event ``data`` describes (``data["event"]`` is its kind)."""
    kind = data.get("event") if isinstance(data, dict) else None
    cls = KINDS.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise DecodeError(f"unknown event {kind!r}")
    values = {}
    for name, convert, default in _PLAN[kind]:
        if name in data:
            try:
                values[name] = convert(data[name])
            except (TypeError, ValueError) as error:
                raise DecodeError(f"{name}: {error}") from None
        elif default is _REQUIRED:
            raise DecodeError(f"{name}: missing")
        else:
            values[name] = default()
    # Every field converted and present: what the frozen __init__ would store, at a third of
    # its cost (it sets each field through object.__setattr__); events define no __post_init__.
    event = object.__new__(cls)
    event.__dict__.update(values)
    return event
