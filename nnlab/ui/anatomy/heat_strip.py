"""HeatStrip: every value of a layer's output as one half-block cell, blue < 0 < red."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

ZERO = (38, 38, 38)  # an exact 0 (what ReLU leaves): dark grey, not black, so it is visible
POSITIVE = (255, 96, 48)
NEGATIVE = (64, 156, 255)
EMPTY = Style()  # cells past the last value


def colour(value: float, scale: float) -> tuple[int, int, int]:
    """Linear diverging map: 0 → ZERO, +scale → POSITIVE, −scale → NEGATIVE (clamped); NaN → magenta."""
    if not math.isfinite(value):
        return (255, 0, 255)
    f = 0.0 if scale <= 0 else max(-1.0, min(1.0, value / scale))
    end = POSITIVE if f >= 0 else NEGATIVE
    f = abs(f)
    return tuple(round(z + (e - z) * f) for z, e in zip(ZERO, end))  # type: ignore[return-value]


def columns_for(n: int, width: int) -> int:
    """Columns of the map: a divisor of ``n`` in [width/2, width] when there is one (784 → 56,
    512 → 64 at 80 columns), so every row is full; otherwise as wide as fits."""
    width = max(1, width)
    if n <= width:
        return max(1, n)
    for d in range(width, width // 2 - 1, -1):
        if n % d == 0:
            return d
    return width


def _style(top: float | None, bottom: float | None, scale: float, cache: dict) -> Style:
    key = (top, bottom)
    style = cache.get(key)
    if style is None:
        fg = Color.from_rgb(*colour(top, scale)) if top is not None else None
        bg = Color.from_rgb(*colour(bottom, scale)) if bottom is not None else None
        style = cache[key] = Style(color=fg, bgcolor=bg)
    return style


class HeatStrip:
    """A rich renderable: ``values`` laid out row by row, two value rows per text line ("▀":
    foreground = upper value, background = lower one), ``indent`` spaces on the left."""

    def __init__(self, values: Sequence[float], scale: float, indent: int = 0, max_width: int | None = None) -> None:
        self.values = [float(v) for v in values]
        self.scale = float(scale)
        self.indent = indent
        self.max_width = max_width

    def shape(self, width: int) -> tuple[int, int]:
        """(columns, text lines) at ``width`` terminal columns."""
        room = width - self.indent
        if self.max_width:
            room = min(room, self.max_width)
        cols = columns_for(len(self.values), room)
        rows = math.ceil(len(self.values) / cols) if self.values else 0
        return cols, math.ceil(rows / 2)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        cols, _ = self.shape(options.max_width)
        return Measurement(self.indent + cols, self.indent + cols)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        cols, lines = self.shape(options.max_width)
        cache: dict = {}
        n = len(self.values)
        for line in range(lines):
            if self.indent:
                yield Segment(" " * self.indent)
            for c in range(cols):
                i, j = 2 * line * cols + c, (2 * line + 1) * cols + c
                top = self.values[i] if i < n else None
                bottom = self.values[j] if j < n else None
                if top is None and bottom is None:
                    yield Segment(" ")
                elif top is None:
                    yield Segment("▄", _style(bottom, None, self.scale, cache))
                else:
                    yield Segment("▀", _style(top, bottom, self.scale, cache))
            yield Segment.line()


def legend(scale: float, text: str) -> Text:
    """Three swatches (−scale, 0, +scale) and a caption."""
    out = Text(no_wrap=True, overflow="ellipsis")
    for value in (-scale, 0.0, scale):
        out.append("██", Style(color=Color.from_rgb(*colour(value, scale))))
        out.append(" ")
    out.append(text, style="dim")
    return out


def scale_of(*arrays) -> float:
    """The largest finite |value| over ``arrays`` (1.0 when there is none): one colour scale."""
    best = 0.0
    for array in arrays:
        for v in array.reshape(-1).tolist() if hasattr(array, "reshape") else array:
            if math.isfinite(v) and abs(v) > best:
                best = abs(v)
    return best or 1.0
