"""LossChart: the training loss (x in epochs): each point the mean of the batches since the previous
one (``every`` batches: the engine's progress interval), with smoothing and log-scale toggles."""

from __future__ import annotations

import math

from nnlab.i18n import t
from nnlab.ui.shared.redraw_when_shown import RedrawWhenShown
from nnlab.ui.shared.throttled_plot import ThrottledPlot, downsample

SERIES_COLORS = ("cyan", "orange", "magenta", "green")


def ema(ys: list[float], alpha: float) -> list[float]:
    """Exponential moving average, started at the first value (no bias toward 0)."""
    out: list[float] = []
    acc = None
    for y in ys:
        acc = y if acc is None else alpha * y + (1 - alpha) * acc
        out.append(acc)
    return out


class KeptPlot(RedrawWhenShown, ThrottledPlot):
    """A ThrottledPlot that keeps its last drawing: rebuilding a plotext canvas (plus decoding its
    ANSI) takes 6-9 ms a chart while training. Redrawn only when the data changed (``changed``),
    the size or the theme; data that changes while its page is hidden is drawn just after the
    page shows again (``RedrawWhenShown``), so a page switch never waits for plotext (issue 13
    item 16)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.version = 0
        self._kept = None

    def changed(self, now: bool = False) -> None:
        self.version += 1
        super().changed(now)

    @property
    def is_current(self) -> bool:
        """Whether its drawing is of the latest data (a viewer's first full frame waits for it)."""
        return self._kept is not None and self._kept[0][1] == self.version

    def render(self):
        key = (self.size, self.version, self.app.current_theme.name)
        if self._kept is None or self._kept[0] != key:
            self._kept = (key, super().render())
        return self._kept[1]


class LossChart(KeptPlot):
    """``xs`` are fractional epochs (epoch - 1 + batch / batches), ``ys`` running losses.

    ``overlays`` holds (label, xs, ys) of other runs drawn on the same axes (run comparison).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.label = ""
        self.overlays: list[tuple[str, list[float], list[float]]] = []
        self.smooth = False
        self.log_scale = False
        self.every = 0  # batches per point (0: unknown, e.g. an overlay of past runs)

    def add_points(self, xs: list[float], ys: list[float], every: int = 0) -> None:
        if every and every != self.every:
            self.every = every
        self.xs.extend(xs)
        self.ys.extend(ys)
        self.changed()

    def set_series(
        self,
        label: str,
        xs: list[float],
        ys: list[float],
        overlays: list[tuple[str, list[float], list[float]]] | None = None,
    ) -> None:
        self.label, self.xs, self.ys = label, list(xs), list(ys)
        self.overlays = list(overlays or [])
        self.changed(now=True)

    def clear(self) -> None:
        self.every = 0
        self.set_series("", [], [], [])

    def toggle_smooth(self) -> bool:
        self.smooth = not self.smooth
        self.changed(now=True)
        return self.smooth

    def toggle_log(self) -> bool:
        self.log_scale = not self.log_scale
        self.changed(now=True)
        return self.log_scale

    def series(self) -> list[tuple[str, list[float], list[float]]]:
        """What is drawn: the run and its overlays, smoothed and thinned to the chart's width."""
        out = []
        width = max(10, self.size.width - 10) * 2  # braille markers: two points per cell
        for label, xs, ys in [(self.label, self.xs, self.ys), *self.overlays]:
            pts = [(x, y) for x, y in zip(xs, ys) if math.isfinite(y) and (y > 0 or not self.log_scale)]
            if not pts:
                continue
            px, py = [p[0] for p in pts], [p[1] for p in pts]
            if self.smooth:
                py = ema(py, alpha=max(0.02, min(0.3, 20 / len(py))))
            px, py = downsample(px, py, width)
            out.append((label, px, py))
        return out

    def title(self) -> str:
        flags = [t("dash.chart.smoothed")] if self.smooth else []
        if self.log_scale:
            flags.append(t("dash.chart.log"))
        if self.every == 1:
            head = t("dash.chart.loss_each")
        else:
            head = t("dash.chart.loss_every", n=self.every) if self.every > 1 else t("dash.chart.loss")
        return head + (f" ({', '.join(flags)})" if flags else "")

    def draw(self, plt) -> None:
        drawn = self.series()
        for i, (label, xs, ys) in enumerate(drawn):
            plt.plot(
                xs,
                ys,
                marker="braille",
                color=SERIES_COLORS[i % len(SERIES_COLORS)],
                label=label if len(drawn) > 1 else None,
            )
        if self.log_scale:
            plt.yscale("log")
        if not drawn:
            plt.xlim(0, 1)
            plt.ylim(0, 1)
