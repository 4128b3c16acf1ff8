"""``collections_paused()``: no garbage collection while a background thread imports torch.

Importing torch and torchvision creates hundreds of thousands of tracked objects, and while they
pile up Python runs full collections that walk all of them with the GIL held, stopping the UI
thread (figures: README, "How it stays light"). Nothing imported is garbage, so collection is
switched off for the import; afterwards everything alive is frozen (``gc.freeze``: later
collections skip it, the first young-generation pass included) and collection is switched back on. Nested or concurrent users share one counter: the last one out
does this. Objects freed by reference counting are freed as usual meanwhile, and the training
engine unfreezes everything when a run ends (``nnlab.train.engine``), so nothing is pinned for good.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def collections_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.freeze()
                if _was_enabled:
                    gc.enable()
