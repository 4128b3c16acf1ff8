"""ActivationPlot: activations and their derivatives over a z window, the current z marked."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual_plotext import PlotextPlot

from nnlab.core import activations
from nnlab.core.format import sig as fmt

DEFAULT_CENTER, DEFAULT_HALF = 0.0, 8.0
MIN_HALF, MAX_HALF = 1e-3, 1e6
MAX_CENTER = 1e13  # z itself is at most 6·1e6·1e6 + 1e6
SINGLE_COLORS = ("cyan", "orange")  # f, f'
COMPARE_COLORS = {"sigmoid": "cyan", "tanh": "magenta", "relu": "green"}
# Overlaid, ReLU's z up to 8 squashed sigmoid and tanh into two rows: the compare view opens on
# z ∈ [-4, 4] with y clipped to [-1.2, 2], where both S-shapes fill the height.
COMPARE_HALF, COMPARE_YLIM = 4.0, (-1.2, 2.0)
DERIVATIVE_MARKER = "·"  # f is a solid braille line, f' a dotted one: told apart without colour


class ZWindow:
    """The z range shown: a centre and a half-width, zoomed by 2× and panned by ¼ width."""

    def __init__(self, center: float = DEFAULT_CENTER, half: float = DEFAULT_HALF) -> None:
        self.center, self.half = center, half
        self.default_half = half

    @property
    def lo(self) -> float:
        return self.center - self.half

    @property
    def hi(self) -> float:
        return self.center + self.half

    def zoom(self, factor: float) -> None:
        # Never narrower than float64 can resolve around the centre (1e-6 of it, at least 1e-3).
        floor = max(MIN_HALF, abs(self.center) * 1e-6)
        self.half = min(max(self.half * factor, floor), MAX_HALF)

    def pan(self, fraction: float) -> None:
        self.center = min(max(self.center + fraction * self.half * 2, -MAX_CENTER), MAX_CENTER)

    def centre_on(self, z: float) -> None:
        self.center = min(max(z, -MAX_CENTER), MAX_CENTER)
        self.zoom(1.0)  # re-apply the resolution floor for the new centre

    def reset(self) -> None:
        self.center, self.half = DEFAULT_CENTER, self.default_half

    def contains(self, z: float) -> bool:
        return self.lo <= z <= self.hi

    def text(self) -> str:
        if self.half < abs(self.center) * 1e-3:  # [lo, hi] would print as two equal numbers
            return f"z ∈ {fmt(self.center)} ± {fmt(self.half, 3)}"
        return f"z ∈ [{fmt(self.lo, 4)}, {fmt(self.hi, 4)}]"


class ActivationPlot(PlotextPlot):
    """One activation with its derivative (``names`` of one), or several overlaid (compare).

    The parent sets what to draw with ``show``; the plot only draws."""

    DEFAULT_CSS = "ActivationPlot { height: 1fr; min-height: 6; }"

    def __init__(self, names: tuple[str, ...] = ("sigmoid",), derivatives: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.names = names
        self.derivatives = derivatives
        self.window = ZWindow(half=COMPARE_HALF if len(names) > 1 else DEFAULT_HALF)
        self.z: float | None = None
        # drawn as two green vertical lines at z = lo and z = hi: the band is on z, so the y axis
        # keeps the activation's own range (a band at a = 6, 13 flattened a sigmoid to one row)
        self.band: tuple[float, float] | None = None

    def show(
        self,
        *,
        names: tuple[str, ...] | None = None,
        z: float | None = None,
        derivatives: bool | None = None,
        band: tuple[float, float] | None = None,
    ) -> None:
        self.band = band
        if names is not None:
            self.names = names
        if derivatives is not None:
            self.derivatives = derivatives
        self.z = z
        self.refresh()

    def _colors(self, name: str) -> tuple[str, str]:
        if len(self.names) == 1:
            return SINGLE_COLORS
        color = COMPARE_COLORS.get(name, "white")
        return color, color

    def render(self) -> Text:
        plt = self.plt
        plt.clear_data()
        width = max(self.size.width, 10)
        lo, hi = self.window.lo, self.window.hi
        zs = np.linspace(lo, hi, 2 * width + 1)
        single = len(self.names) == 1
        for name in self.names:
            act = activations.get(name)
            f_color, df_color = self._colors(name)
            plt.plot(zs, act.f(zs), color=f_color, marker="braille", label=f"{act.label}(z)")
            if self.derivatives:
                plt.plot(zs, act.df(zs), color=df_color, marker=DERIVATIVE_MARKER, label=f"{act.label}'(z)")
        if self.band is not None:
            for edge in self.band:
                if self.window.contains(edge):
                    plt.vline(edge, "green")
        z = self.z
        if z is not None and self.window.contains(z):
            plt.vline(z, "gray")
            cell = (hi - lo) / max(width - 8, 1)  # one character, in z units
            for name in self.names:
                act = activations.get(name)
                f_color, df_color = self._colors(name)
                points = [(act.f(z), f_color, "●")]
                if self.derivatives:
                    points.append((act.df(z), df_color, "◆"))
                for _i, (y, color, marker) in enumerate(points):
                    plt.scatter([z], [y], color=color, marker=marker)
                    if single:  # label both points on the side of the line with more room
                        right = z < self.window.center
                        plt.text(
                            f"({fmt(z, 3)}, {fmt(y, 3)})",
                            z + (2 if right else -2) * cell,
                            y,
                            color=color,
                            background="default",
                            alignment="left" if right else "right",
                        )
        plt.xlim(lo, hi)
        if not single:
            plt.ylim(*COMPARE_YLIM)
        return super().render()
