"""The Runs page's overlay charts: each marked run in the colour it keeps while marked, a branch's
parents in grey, and a vertical line at each branch point (``marks``)."""

from __future__ import annotations

from nnlab.ui.train.epoch_chart import EpochChart
from nnlab.ui.train.loss_chart import LossChart
from nnlab.ui.train.runs_table import OVERLAY_COLORS


class OverlayLossChart(LossChart):
    """The loss chart of the overlay: each series drawn in the colour its run keeps while marked."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.colour_by_label: dict[str, str] = {}
        self.marks: list[tuple[float, str]] = []  # (x, colour): a branch point

    def draw(self, plt) -> None:
        drawn = self.series()
        for i, (label, xs, ys) in enumerate(drawn):
            plt.plot(
                xs,
                ys,
                marker="braille",
                color=self.colour_by_label.get(label, OVERLAY_COLORS[i % 6]),
                label=label if len(drawn) > 1 else None,
            )
        if drawn:
            for x, colour in self.marks:
                plt.vline(x, colour)
        if self.log_scale:
            plt.yscale("log")
        if not drawn:
            plt.xlim(0, 1)
            plt.ylim(0, 1)


class OverlayEpochChart(EpochChart):
    """Test accuracy per epoch of every marked run, in its colour."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.colour_by_label: dict[str, str] = {}
        self.marks: list[tuple[float, str]] = []  # (epoch, colour): a branch point

    def draw(self, plt) -> None:
        series = [(self.label, self.epochs, self.accuracy)] if self.epochs else []
        series += [s for s in self.overlays if s[1]]
        last = max([*(e for _, es, _ in series for e in es), 1])
        for i, (label, epochs, acc) in enumerate(series):
            plt.plot(
                epochs, acc, marker="hd", color=self.colour_by_label.get(label, OVERLAY_COLORS[i % 6]), label=label
            )
        for x, colour in self.marks if series else ():
            plt.vline(x, colour)
        plt.xlim(0.5, last + 0.5)
        if last <= 12:
            plt.xticks(list(range(1, last + 1)))
        if not series:
            plt.ylim(0, 100)
