"""EpochChart: test accuracy (%) and test loss per epoch, with the tutorial's published accuracies."""

from __future__ import annotations

from nnlab.i18n import t
from nnlab.ui.train.loss_chart import SERIES_COLORS, KeptPlot

# The PyTorch quickstart's printed test accuracy after epochs 1..5 (SGD 1e-3, batch 64).
TUTORIAL_ACCURACY = (50.5, 56.0, 59.9, 63.1, 64.8)


class EpochChart(KeptPlot):
    """Accuracy on the left axis, loss on the right; ``overlays`` are other runs' accuracies."""

    min_interval = 0.0  # one point per epoch: draw at once

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.epochs: list[int] = []
        self.accuracy: list[float] = []  # percent
        self.loss: list[float] = []
        self.label = ""
        self.reference = False
        self.overlays: list[tuple[str, list[int], list[float]]] = []

    def add_epoch(self, epoch: int, accuracy_pct: float, loss: float) -> None:
        self.epochs.append(epoch)
        self.accuracy.append(accuracy_pct)
        self.loss.append(loss)
        self.changed()  # at once while min_interval is 0 (the dashboard); a viewer may set a floor

    def set_series(
        self,
        label: str,
        epochs: list[int],
        accuracy: list[float],
        loss: list[float],
        overlays: list[tuple[str, list[int], list[float]]] | None = None,
        reference: bool | None = None,
    ) -> None:
        self.label, self.epochs, self.accuracy, self.loss = label, list(epochs), list(accuracy), list(loss)
        self.overlays = list(overlays or [])
        if reference is not None:
            self.reference = reference
        self.changed(now=True)

    def clear(self) -> None:
        self.set_series("", [], [], [], [], reference=False)

    def title(self) -> str:
        if self.overlays:
            return t("dash.chart.compare")
        parts = [t("dash.chart.epochs")]
        if self.reference:
            parts.append(t("dash.chart.reference"))
        return " · ".join(parts)

    def draw(self, plt) -> None:
        last = max([*self.epochs, *(e for _, es, _ in self.overlays for e in es), 1])
        if self.reference:
            n = min(len(TUTORIAL_ACCURACY), max(last, len(TUTORIAL_ACCURACY)))
            plt.plot(list(range(1, n + 1)), list(TUTORIAL_ACCURACY[:n]), marker="•", color="gray")
        if self.epochs:
            plt.plot(
                self.epochs,
                self.accuracy,
                marker="hd",
                color=SERIES_COLORS[0],
                label=self.label if self.overlays else None,
            )
            if not self.overlays:
                plt.plot(self.epochs, self.loss, marker="hd", color="red", yside="right")
        for i, (label, epochs, acc) in enumerate(self.overlays, start=1):
            plt.plot(epochs, acc, marker="hd", color=SERIES_COLORS[i % len(SERIES_COLORS)], label=label)
        plt.xlim(0.5, last + 0.5)
        if last <= 12:
            plt.xticks(list(range(1, last + 1)))
        if not (self.epochs or self.reference or self.overlays):
            plt.ylim(0, 100)
