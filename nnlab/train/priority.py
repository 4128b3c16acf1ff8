"""``yield_to_ui``: beside the dashboard, training's threads run at a lower priority than the UI's.

On a 2-core machine the dashboard trains on both cores (as headless does: a batch-64 step takes
2.4 ms on two threads, 4.2 on one), so torch's compute threads and the UI's event loop share two
cores and the scheduler splits them evenly: a page switch of ~15-20 ms of the UI thread's CPU
took 30-55 ms of wall time while training. Raising the nice value of the training thread and of
torch's compute threads (every thread of the process that is not one of the UI's Python threads)
lets the UI run first whenever it has work, and training use everything else. Lowering one's
own priority needs no privilege; it is never raised back (that would), and the next run finds
the same threads already lowered. Linux only; elsewhere nothing is done.
"""

from __future__ import annotations

import os
import sys
import threading

NICE_STEP = 5  # CFS weights 1024 : 335, the UI thread gets ~3/4 of a contested core when it wants it


def compute_threads() -> list[int]:
    """Native ids of this process's threads that are not Python threads other than the caller:
    the calling (training) thread and the threads torch/OpenMP started, never the UI's."""
    if not sys.platform.startswith("linux"):
        return []
    others = {t.native_id for t in threading.enumerate() if t is not threading.current_thread()}
    try:
        tids = [int(name) for name in os.listdir("/proc/self/task")]
    except OSError:
        return []
    return [tid for tid in tids if tid not in others and tid != os.getpid()]


def yield_to_ui(step: int = NICE_STEP) -> int:
    """Lower the priority of the training thread (the caller) and torch's compute threads to the
    process's nice value + ``step``; returns how many threads now run at it."""
    if not hasattr(os, "setpriority"):
        return 0
    try:
        target = min(19, os.getpriority(os.PRIO_PROCESS, os.getpid()) + step)
    except OSError:
        return 0
    done = 0
    for tid in compute_threads():
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) < target:
                os.setpriority(os.PRIO_PROCESS, tid, target)
            done += 1
        except OSError:  # the thread ended meanwhile, or the system refuses: nothing lost
            continue
    return done
