"""Garbage collection around torch imports and training runs (full collections hold the GIL)."""

from __future__ import annotations

import gc
import threading
import weakref

from _engine_helpers import SMALL, tiny

from nnlab.run.gc_pause import collections_paused
from nnlab.train import engine


def test_collections_are_off_inside_then_what_exists_is_frozen_and_collection_is_back_on():
    gc.unfreeze()
    assert gc.isenabled()
    with collections_paused():
        assert not gc.isenabled()
        with collections_paused():  # nested (or another thread): the last one out switches back
            assert not gc.isenabled()
        assert not gc.isenabled()
        made = [object() for _ in range(10)], {"a": [1]}
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    assert not any(o is made for o in gc.get_objects())  # frozen objects are no longer scanned
    gc.unfreeze()


def test_a_disabled_collector_stays_disabled():
    gc.disable()
    try:
        with collections_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_two_threads_overlapping_leave_collection_on():
    inside = threading.Barrier(2)

    def work():
        with collections_paused():
            inside.wait(timeout=5)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=5)
    assert gc.isenabled()
    gc.unfreeze()


class _Cycle:
    def __init__(self) -> None:
        self.me = self  # only the cycle collector frees it


def test_a_run_freezes_what_exists_while_it_trains_collects_once_and_refreezes_at_the_end():
    """Frozen while training; at the end what the run left behind (here a cycle made before the
    run, frozen with everything, dropped mid-run) is collected, and the survivors frozen again,
    so no later full collection walks torch's objects while the dashboard idles."""
    gc.unfreeze()
    frozen_during: list[int] = []
    holder = [_Cycle()]
    gone = weakref.ref(holder[0])

    def emit(event):
        if event.KIND == "batch":
            frozen_during.append(gc.get_freeze_count())
            holder.clear()

    gc.disable()  # only the engine's own collection may free the cycle
    try:
        engine.run(SMALL.with_(epochs=1), tiny(), emit, progress_every=2)
        assert frozen_during and min(frozen_during) > 1000  # the model, torch's modules, ...
        assert gone() is None  # collected at the end of the run
        assert gc.get_freeze_count() > 1000  # what survived is frozen again
    finally:
        gc.enable()
        gc.unfreeze()


def test_a_failing_run_unfreezes_too():
    gc.unfreeze()
    events = []
    engine.run(SMALL.with_(device="nosuchdevice"), tiny(), events.append)
    assert events[-1].KIND == "failed"
    assert gc.isenabled()
    gc.unfreeze()
