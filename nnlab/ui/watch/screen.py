"""The watch mode: ``WatchScreen`` opens the viewer that fits what ``app.options`` names.

``nnlab watch RUN|LOGDIR`` opens the "watch" mode; so does the app itself after ``d`` (the run went to
the background). ``open_viewer()`` makes the mode's screen: for a run nnlab trained a
``RunWatchScreen`` (nnlab.ui.watch.run_screen: the dashboard's Live, Insight and Runs pages; a
``WatchScreen``, nnlab.ui.watch.base), for a script's ``nnlab.track`` run or a
TensorBoard logdir (``options["source"]`` "track" or "tensorboard") a ``ForeignScreen``
(nnlab.ui.watch.foreign). This module imports neither: each viewer's module is imported only when it
is chosen, so a foreign run's first frame does not wait for the dashboard's pages (~60 ms of imports
here) and a run's for none of the foreign viewer's (numpy).
"""

from __future__ import annotations

from textual.screen import Screen

from nnlab.ui.watch.base import BENCH_OUT, CHART_S, PAGES, POLL_S, WatchScreen

__all__ = ["BENCH_OUT", "CHART_S", "PAGES", "POLL_S", "WatchScreen", "open_viewer"]


def _source() -> str | None:
    from textual._context import active_app

    try:
        return active_app.get().options.get("source")
    except (LookupError, AttributeError):
        return None


def open_viewer(*args, **kwargs) -> Screen:
    """The viewer for the run the app watches (the module docstring)."""
    if _source() in ("track", "tensorboard"):
        from nnlab.ui.watch.foreign import ForeignScreen

        return ForeignScreen(*args, **kwargs)
    from nnlab.ui.watch.run_screen import RunWatchScreen

    return RunWatchScreen(*args, **kwargs)
