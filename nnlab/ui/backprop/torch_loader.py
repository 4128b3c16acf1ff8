"""torch imported once per process off the UI thread, for the autograd check and the matrix form."""

from __future__ import annotations

import threading


class _TorchLoader:
    """Imports torch once per process in a daemon thread: it takes seconds, and a daemon thread
    (unlike a Textual worker, whose executor is joined at exit) never makes quitting wait for it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.error = ""
        self._lock = threading.Lock()
        self._started = False
        self._waiting: list = []

    def when_loaded(self, callback) -> None:
        """Call ``callback()`` (from the loader thread, or now) once torch is imported."""
        with self._lock:
            if not self.done.is_set():
                self._waiting.append(callback)
                if not self._started:
                    self._started = True
                    threading.Thread(target=self._load, name="nnlab-torch-import", daemon=True).start()
                return
        callback()

    def _load(self) -> None:
        from nnlab.run.gc_pause import collections_paused

        try:
            with collections_paused():  # no full collections stalling the UI mid-import
                import nnlab.train.autograd_check  # noqa: F401 - the import is the work: torch loads here
        except Exception as error:  # noqa: BLE001 - reported on the check line
            self.error = f"{type(error).__name__}: {error}"
        with self._lock:
            self.done.set()
            waiting, self._waiting = self._waiting, []
        for callback in waiting:
            callback()


TORCH = _TorchLoader()
