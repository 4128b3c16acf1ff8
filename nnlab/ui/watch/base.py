"""WatchScreen: what every viewer of an nnlab run shares (the watch mode's name, help, timings).

The viewer itself is ``RunWatchScreen`` (nnlab.ui.watch.run_screen); ``open_viewer`` in
nnlab.ui.watch.screen chooses it or the foreign viewer. Kept apart so the viewer's module and the
chooser import this one and not each other.
"""

from __future__ import annotations

from nnlab.ui.shared.base import LabScreen

PAGES = ("live", "insight", "runs")
BENCH_OUT = "NNLAB_BENCH_WATCH_OUT"  # a file the first full frame's times are appended to (the bench)
POLL_S = 0.25  # 4 reads a second: a line's delay stays under a frame or two
# The charts redraw at most every CHART_S (the dashboard: loss 1 s, epochs at once). A redraw
# rebuilds the plotext canvas and re-sends every cell of the chart: on the bench's live run (an
# epoch every ~0.7 s) the two charts were half of the viewer's CPU and ~3/4 of its terminal bytes.
# The progress bars and the log still follow every read; a key (smoothing, log scale) redraws at once.
CHART_S = 2.0


class WatchScreen(LabScreen):
    """The watch mode's screen: a viewer of a run directory."""

    MODE = "watch"
    HELP_CONCEPT = "help.concept.watch"
