"""A headless run's signals: SIGINT/SIGTERM stop it at the next batch (130/143); SIGHUP cuts the terminal off."""

from __future__ import annotations

import signal
import threading

from nnlab.commands.run_output import Hangup

EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Signals:
    """SIGINT/SIGTERM set the stop flag (the loop stops at the next batch boundary and saves;
    a second signal changes nothing); SIGHUP (a dropped SSH link) only cuts the terminal off:
    the run goes on, its output in output.log. Installed only on the main thread."""

    def __init__(self, control) -> None:
        self.control, self.caught, self.hup = control, [], Hangup()
        self.previous: dict = {}

    def __enter__(self) -> Signals:
        if threading.current_thread() is threading.main_thread():
            self.previous = {s: signal.signal(s, self._stop) for s in EXIT_SIGNAL}
            self.previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, self._hang_up)
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def _stop(self, signum, frame) -> None:  # only sets flags
        if not self.caught:
            self.caught.append(signum)
        self.control.stop()

    def _hang_up(self, signum, frame) -> None:  # the terminal is gone, the run is not
        self.hup.hang_up("SIGHUP")
