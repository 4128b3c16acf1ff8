"""Follower: reads a watched run directory — its new events, its state, whether it still exists.

Widget-free; ``poll()`` runs on the viewer's reading thread. The first poll reads the whole
history in one go (parsed once: the charts downsample when they draw); later polls read only
the lines added since (``EventLog`` tails by byte offset). Problems (a truncated last line is
not one: it is left for later; a corrupt line, a foreign or unknown-version file, a gap) are
returned once each, as one line. The state (``run_state``: running, completed, lost, ...) is
read at most every ``STATE_EVERY_S`` and when a final event arrives. A directory that is gone
is said once; nothing is read from it after. The first poll (the whole history: a long run's
tens of thousands of events) runs with garbage collection paused (``collections_paused``): the
events it builds are not garbage, and full collections walking them would only delay the first frame.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from nnlab.run.reader import EventLog, run_state
from nnlab.run.rundir import RunDir

STATE_EVERY_S = 1.0


@dataclass
class Poll:
    events: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    state: str | None = None
    gone: bool = False

    @property
    def empty(self) -> bool:
        return not (self.events or self.problems or self.state is not None or self.gone)


class Follower:
    def __init__(self, rd: RunDir, clock=time.monotonic) -> None:
        self.rd = rd
        self.log = EventLog(rd.events_path, decode=True)
        self.clock = clock
        self.state: str | None = None
        self.gone = False
        self._state_at = -1e9
        self._problems_said = 0
        self._first = True

    def poll(self) -> Poll:
        if self._first:
            self._first = False
            from nnlab.run.gc_pause import collections_paused

            with collections_paused():
                return self._poll()
        return self._poll()

    def _poll(self) -> Poll:
        out = Poll()
        if self.gone:
            return out
        if not self.rd.path.exists():
            self.gone = out.gone = True
            return out
        out.events = self.log.read_new()
        if self.log.restarted:
            self.log.restarted = False
        new = self.log.problems[self._problems_said :]
        self._problems_said = len(self.log.problems)
        out.problems = list(new)
        now = self.clock()
        final = any(getattr(e, "KIND", "") in ("finished", "failed") for e in out.events)
        if final or now - self._state_at >= STATE_EVERY_S:
            self._state_at = now
            state = run_state(self.rd)
            if state != self.state:
                self.state = out.state = state
        return out
