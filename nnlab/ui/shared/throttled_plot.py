"""ThrottledPlot: a PlotextPlot that redraws at most once per interval and only when visible;
Throttle: the one "at most once per interval" timer the UI uses (charts and the log pane).

Redrawing a chart costs CPU (plotext builds the canvas, Rich parses the ANSI) and terminal bytes
(every cell of the chart is re-sent), so data may change 10 times a second while the chart is
drawn at most every ``min_interval`` seconds, and not at all while it is on a hidden page.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual_plotext import PlotextPlot


class Throttle:
    """Runs ``action`` at most once per ``interval()`` seconds: at once when allowed (or asked),
    else once, on one timer of ``node``, when the interval has passed. Calls in between merge."""

    def __init__(self, node, action: Callable[[], None], interval: Callable[[], float]) -> None:
        self.node = node
        self.action = action
        self.interval = interval  # read at each call: tests and owners change it live
        self.last = 0.0  # time.monotonic() of the last run
        self._timer = None

    def __call__(self, now: bool = False) -> None:
        wait = self.interval() - (time.monotonic() - self.last)
        if now or wait <= 0:
            self.fire()
        elif self._timer is None:
            self._timer = self.node.set_timer(wait, self.fire)

    def fire(self) -> None:
        """Run the action now (the pending timer, if any, is dropped)."""
        self.cancel()
        self.last = time.monotonic()
        self.action()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None


def downsample(xs: list[float], ys: list[float], points: int) -> tuple[list[float], list[float]]:
    """At most ``points`` points: the mean of each of ``points`` equal runs (keeps the shape)."""
    n = len(xs)
    if n <= points or points <= 0:
        return list(xs), list(ys)
    out_x, out_y = [], []
    for i in range(points):
        a, b = i * n // points, (i + 1) * n // points
        if b > a:
            out_x.append(sum(xs[a:b]) / (b - a))
            out_y.append(sum(ys[a:b]) / (b - a))
    return out_x, out_y


class ThrottledPlot(PlotextPlot):
    """Subclasses implement ``draw(plt)``; call ``changed()`` when their data changes."""

    min_interval = 1.0  # seconds between redraws while data streams in

    # plotext counts characters, not terminal cells, so CJK text inside the canvas would push
    # its frame out of line: titles and explanations go in the widget's border title (Textual
    # measures cells), and only ASCII labels (run names such as "#1") go into the plot.
    DEFAULT_CSS = """
    ThrottledPlot { border-top: solid $primary-darken-2; border-title-align: center; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._throttle = Throttle(self, self.refresh, lambda: self.min_interval)
        self._title: str | None = None
        self.draws = 0  # how many times the chart was actually rebuilt (tests, bench)

    def changed(self, now: bool = False) -> None:
        """Data changed: redraw now if allowed, else once when the interval has passed."""
        self._throttle(now)

    def render(self):
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self.draw(plt)
        title = self.title()
        if title != self._title:  # setting border_title always refreshes: the chart would be sent twice
            self._title = title
            self.border_title = title
        self.draws += 1
        return super().render()

    def draw(self, plt) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def title(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError
