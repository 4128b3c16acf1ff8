"""The watch mode: ``WatchScreen`` opens the viewer that fits what ``app.options`` names.

``nnlab watch RUN|LOGDIR`` opens the "watch" mode; so does the app itself after ``d`` (the run went to
the background). ``WatchScreen()`` is the mode's screen: for a run nnlab trained it is a
``RunWatchScreen`` (nnlab.ui.watch.run_screen: the dashboard's Live, Insight and Runs pages; a
subclass, so ``isinstance(screen, WatchScreen)`` holds), for a script's ``nnlab.track`` run or a
TensorBoard logdir (``options["source"]`` "track" or "tensorboard") a ``ForeignScreen``
(nnlab.ui.watch.foreign). This module imports neither: each viewer's module is imported only when it
is chosen, so a foreign run's first frame does not wait for the dashboard's pages (~60 ms of imports
here) and a run's for none of the foreign viewer's (numpy).
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


def _source() -> str | None:
    from textual._context import active_app

    try:
        return active_app.get().options.get("source")
    except (LookupError, AttributeError):
        return None


class WatchScreen(LabScreen):
    MODE = "watch"
    HELP_CONCEPT = "help.concept.watch"

    def __new__(cls, *args, **kwargs):
        """The viewer for the run the app watches (the module docstring)."""
        if cls is not WatchScreen:
            return super().__new__(cls)
        if _source() in ("track", "tensorboard"):
            from nnlab.ui.watch.foreign import ForeignScreen

            return ForeignScreen(*args, **kwargs)  # not a WatchScreen: __init__ is not run again
        from nnlab.ui.watch.run_screen import RunWatchScreen

        return super().__new__(RunWatchScreen)  # a WatchScreen: Python runs its __init__
