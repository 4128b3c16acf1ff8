"""The Sweep page's two charts: every shown member's training loss overlaid, and its test accuracy per
epoch. Each series keeps its member's colour (``model.color_of``); labels are member ids (ASCII)."""

from __future__ import annotations

import math

from nnlab.i18n import t
from nnlab.ui.shared.throttled_plot import downsample
from nnlab.ui.train.epoch_chart import TUTORIAL_ACCURACY
from nnlab.ui.train.loss_chart import KeptPlot

Series = tuple[str, str, list, list]  # label, colour, xs, ys


class SweepLossChart(KeptPlot):
    min_interval = 0.5

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.members: list[Series] = []

    def set_members(self, members: list[Series]) -> None:
        self.members = [(label, color, list(xs), list(ys)) for label, color, xs, ys in members]
        self.changed()

    def ceiling(self) -> float | None:
        """The top of the y axis: 4x the median of every finite point, so one diverging member (a loss
        of 1e20) does not flatten the others; its points are drawn at the top."""
        ys = sorted(y for _, _, _, s in self.members for y in s if math.isfinite(y))
        if not ys:
            return None
        return min(ys[-1], max(4 * ys[len(ys) // 2], 1e-9))

    def series(self) -> list[Series]:
        """What is drawn: the members with finite points, thinned to the chart's width, clipped."""
        width = max(10, self.size.width - 10) * 2
        top = self.ceiling()
        out = []
        for label, color, xs, ys in self.members:
            pts = [(x, min(y, top)) for x, y in zip(xs, ys) if math.isfinite(y)]
            if not pts:
                continue
            px, py = downsample([p[0] for p in pts], [p[1] for p in pts], width)
            out.append((label, color, px, py))
        return out

    def title(self) -> str:
        return t("sweepui.chart.loss", count=len(self.members))

    def draw(self, plt) -> None:
        drawn = self.series()
        for label, color, xs, ys in drawn:
            plt.plot(xs, ys, marker="braille", color=color, label=label if len(drawn) <= 8 else None)
        if not drawn:
            plt.xlim(0, 1)
            plt.ylim(0, 1)


class SweepAccuracyChart(KeptPlot):
    min_interval = 0.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.members: list[Series] = []
        self.reference = False  # the tutorial's published accuracies, when its setting is in the sweep

    def set_members(self, members: list[Series], reference: bool = False) -> None:
        self.members = [(label, color, list(xs), list(ys)) for label, color, xs, ys in members]
        self.reference = reference
        self.changed()

    def series(self) -> list[Series]:
        return [m for m in self.members if m[2]]

    def title(self) -> str:
        return t("sweepui.chart.accuracy")

    def draw(self, plt) -> None:
        drawn = self.series()
        last = max([1, *(e for _, _, es, _ in drawn for e in es)])
        if self.reference:
            n = min(len(TUTORIAL_ACCURACY), last)
            plt.plot(list(range(1, n + 1)), list(TUTORIAL_ACCURACY[:n]), marker="•", color="gray")
        for _label, color, epochs, acc in drawn:
            plt.plot(epochs, acc, marker="hd", color=color)
        plt.xlim(0.5, last + 0.5)
        if last <= 12:
            plt.xticks(list(range(1, last + 1)))
        plt.ylim(0, 100)  # percent: the same scale whichever members are drawn
