"""FitPlot: the (x, y) points, the line y = w·x + b and each point's residual."""

from __future__ import annotations

from rich.text import Text
from textual_plotext import PlotextPlot


class FitPlot(PlotextPlot):
    DEFAULT_CSS = "FitPlot { height: 1fr; min-height: 6; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.w = 0.0
        self.b = 0.0

    def show(self, xs: list[float], ys: list[float], w: float, b: float) -> None:
        self.xs, self.ys, self.w, self.b = list(xs), list(ys), w, b
        self.refresh()

    def render(self) -> Text:
        plt = self.plt
        plt.clear_data()
        if self.xs:
            lo, hi = min(self.xs), max(self.xs)
            pad = max((hi - lo) * 0.1, 0.5)
            lo, hi = lo - pad, hi + pad
            for x, y in zip(self.xs, self.ys):  # residuals first, so points and line draw over them
                plt.plot([x, x], [y, self.w * x + self.b], color="gray", marker="braille")
            plt.plot(
                [lo, hi],
                [self.w * lo + self.b, self.w * hi + self.b],
                color="cyan",
                marker="braille",
                label="y = w·x + b",
            )
            plt.scatter(self.xs, self.ys, color="orange", marker="●", label="(xᵢ, yᵢ)")
            plt.xlim(lo, hi)
        return super().render()
