"""The passes chart: E_total falling pass after pass, and the outputs closing on their targets."""

from __future__ import annotations

import math

from textual_plotext import PlotextPlot

from nnlab.core.netlab_run import LabRecord as PassRecord
from nnlab.i18n import t

LOG_ABOVE = 100.0  # a log y axis once E_total has fallen by more than this factor
MAX_POINTS = 400
COLORS = (
    "orange",
    "green",
    "magenta",
    "blue",
)  # out_o1 … out_o4  # a 100,000-pass history is drawn from evenly spaced passes (first and last kept)


def thin(records: list[PassRecord], points: int = MAX_POINTS) -> list[PassRecord]:
    n = len(records)
    if n <= points:
        return list(records)
    picks = sorted({round(k * (n - 1) / (points - 1)) for k in range(points)})
    return [records[k] for k in picks]


class LossHistory(PlotextPlot):
    """``kind`` "error" plots E_total per pass; "outputs" plots out_o1, out_o2, … and t1, t2, …"""

    DEFAULT_CSS = "LossHistory { height: 1fr; min-height: 6; }"

    def __init__(self, kind: str = "error", **kwargs) -> None:
        super().__init__(**kwargs)
        self.kind = kind
        self.records: list[PassRecord] = []
        self.targets: tuple[float, ...] = (0.0, 0.0)

    def show(self, records: list[PassRecord], targets: tuple[float, ...]) -> None:
        self.records, self.targets = thin(records), targets
        self.refresh()

    def render(self):
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel(t("bp.chart.pass"))
        if self.records:
            xs = [r.index for r in self.records]
            if self.kind == "error":
                errors = [r.E_total for r in self.records]
                # a long run falls over decades: a log axis keeps the tail readable
                log = min(errors) > 0 and max(errors) / min(errors) > LOG_ABOVE
                plt.plot(xs, errors, marker="braille", color="cyan", label="E_total")
                if log:
                    plt.yscale("log")
                    lo, hi = math.floor(math.log10(min(errors))), math.ceil(math.log10(max(errors)))
                    stride = max(1, math.ceil((hi - lo) / 5))
                    decades = list(range(hi, lo - 1, -stride))
                    plt.yticks([10.0**k for k in decades], [f"1e{k}" for k in decades])
                plt.title(t("bp.chart.error_log" if log else "bp.chart.error"))
            else:
                plt.title(t("bp.chart.outputs"))
                for k, target in enumerate(self.targets):
                    plt.plot(xs, [target] * len(xs), marker="braille", color="gray", label=f"t{k + 1}")
                for k in range(len(self.targets)):
                    plt.plot(
                        xs,
                        [r.outputs[k] for r in self.records],
                        marker="braille",
                        color=COLORS[k % len(COLORS)],
                        label=f"out_o{k + 1}",
                    )
        return super().render()
