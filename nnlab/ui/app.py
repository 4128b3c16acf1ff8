"""NNLabApp: three modes (neuron, backprop, train) and the run viewer (watch), global keys, palette, themes, signals."""

from __future__ import annotations

import importlib
import os
import signal
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Protocol

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from nnlab.i18n import t
from nnlab.ui.shared import linebreak
from nnlab.ui.shared.confirm_quit import BACKGROUND, ConfirmQuit
from nnlab.ui.shared.help import HelpScreen
from nnlab.ui.shared.keys import full_label, translate_bindings

THEMES = {"dark": "textual-dark", "light": "textual-light"}


def _mode_screen(module: str, name: str) -> Callable[[], Screen]:
    """A factory that imports ``nnlab.ui.<mode>.screen`` only when the mode is first shown."""

    def make() -> Screen:
        return getattr(importlib.import_module(f"nnlab.ui.{module}.screen"), name)()

    make.__name__ = make.__qualname__ = name
    return make


class ActiveRun(Protocol):
    """What the app needs to know of a training run to quit safely (set by the Train screen)."""

    @property
    def active(self) -> bool: ...

    def stop(self) -> None:
        """Ask the run to stop at the next batch boundary (saving if saving is on)."""

    # optional: ``hold_for_ui()`` -> bool and ``release_ui()``: training waits between two batches
    # while the screen a key asked for is drawn (TrainRun; see ``NNLabApp.on_event``)

    # optional: ``can_detach`` and ``detach()`` hand the run to a background process (TrainRun)


class NNLabApp(App[int]):
    """The nnlab app. ``options`` carries CLI settings that screens read (e.g. ``data_dir``)."""

    TITLE = "nnlab"
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: subclasses elsewhere (the bench) find it too
    # Each mode's module is imported when the mode first opens: the first frame pays for one.
    MODES = {
        "neuron": _mode_screen("neuron", "NeuronScreen"),
        "backprop": _mode_screen("backprop", "BackpropScreen"),
        "train": _mode_screen("train", "TrainScreen"),
        "watch": _mode_screen("watch", "open_viewer"),  # `nnlab watch RUN`, and the app after `d`
        "sweep": _mode_screen("sweep", "SweepScreen"),  # a sweep directory: app.options["sweep"]
    }
    BINDINGS = [
        # The mode bar at the top already shows 1 2 3: the footer keeps its width for the screen's
        # own keys (in Chinese the Backprop and Train footers were cut at 80 columns, "1 神").
        Binding("1", "switch_mode('neuron')", "key.mode_neuron", show=False),
        Binding("2", "switch_mode('backprop')", "key.mode_backprop", show=False),
        Binding("3", "switch_mode('train')", "key.mode_train", show=False),
        Binding("question_mark", "help", "key.help", key_display="?"),
        Binding("ctrl+t", "toggle_theme", "key.theme", show=False),
        Binding("f12", "screenshot", "key.screenshot", show=False),
        Binding("escape", "leave_field", "key.leave_field", show=False),
        Binding("q", "quit", "key.quit"),
        Binding("ctrl+c", "quit", "key.quit", show=False, priority=True),
    ]

    def __init__(
        self,
        mode: str = "neuron",
        theme: str = "dark",
        options: dict | None = None,
    ) -> None:
        super().__init__()
        linebreak.install()  # Chinese wrapping: no line starts with "，" or "。"
        translate_bindings(self)
        self.initial_mode = mode if mode in self.MODES else "neuron"
        self.theme = THEMES.get(theme, theme)
        self.options: dict = dict(options or {})
        if self.options.get("open") == "anatomy":  # `nnlab anatomy`: the Train mode, anatomy view on top
            self.initial_mode = "train"
        self.active_run: ActiveRun | None = None
        self.first_frame_at: float | None = None
        self._quitting = False
        self.exit_after_handoff = False  # quit chosen with "keep training in background"
        self._held_input = None  # the key training waits for (on_event), until it reaches the app (on_key)
        self._held_run: ActiveRun | None = None  # the run holding for it

    # life cycle -------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.switch_mode(self.initial_mode)
        if self.options.get("open") == "anatomy":
            from nnlab.ui.anatomy.screen import AnatomyScreen

            self.call_after_refresh(self.push_screen, AnatomyScreen())
        self.call_after_refresh(self._first_frame)
        self._install_signal_handlers()

    def _first_frame(self) -> None:
        self.first_frame_at = time.time()
        marker = os.environ.get("NNLAB_FIRST_FRAME_FILE")
        if marker:  # used by `nnlab bench startup`
            import sys

            Path(marker).write_text(f"{self.first_frame_at!r} {int('torch' in sys.modules)}\n", encoding="utf-8")
            self.exit(0)

    def _install_signal_handlers(self) -> None:
        """SIGHUP (SSH drop) and SIGTERM: set a stop flag, no disk work here, then exit.
        SIGINT sent from outside (``kill -INT``; Ctrl+C itself arrives as a key) acts as q: it asks
        while a run is active. Without this asyncio cancels the main task and the app hangs."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
            # SIGQUIT, SIGUSR1, SIGUSR2 would kill at once and leave the terminal in the alternate
            # screen with mouse tracking on (issue 19 case 23): they stop and exit like SIGTERM.
            for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
                loop.add_signal_handler(signum, partial(self._on_signal, signum))
            loop.add_signal_handler(signal.SIGINT, self._on_interrupt)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals
            pass

    def _on_interrupt(self) -> None:
        if not self._quitting:  # a second signal during shutdown is ignored
            self.call_later(self.run_action, "quit")

    def _on_signal(self, signum: int) -> None:
        if self._quitting:
            return  # a second signal during shutdown is ignored
        self._quitting = True
        run = self.active_run
        if run is not None and run.active:
            if signum == signal.SIGHUP and getattr(run, "can_detach", False):
                run.detach()  # the terminal is gone, the run is not: it goes on in the background
            else:
                run.stop()
        if self.options.get("exit_watchdog"):  # set by the `nnlab` command, not by tests in-process
            self._arm_exit_watchdog(128 + signum)
        self.exit(return_code=128 + signum)

    def _arm_exit_watchdog(self, code: int, grace_s: float = 3.0, save_limit_s: float = 60.0) -> None:
        """After SIGHUP/SIGTERM the terminal may be gone, and Textual's shutdown can then block
        for ever writing to it (seen here: a tmux server killed under a running app left it stuck
        in ``WriterThread.stop``). So: let the run finish its stop (and its save), give the normal
        shutdown ``grace_s`` more, then end the process ourselves. No orphan is left behind."""
        import threading

        def watch() -> None:
            deadline = time.monotonic() + save_limit_s
            while self.active_run is not None and self.active_run.active and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(grace_s)
            os._exit(code)

        threading.Thread(target=watch, name="nnlab-exit-watchdog", daemon=True).start()

    def exit(self, result=None, return_code: int = 0, message=None) -> None:
        """Every way out (q, a signal, or code calling ``app.exit()``) first asks an active run to
        stop at its next batch (it saves if saving is on): a thread worker that goes on would keep
        ``app.run()`` from returning (textual #3966)."""
        run = self.active_run
        if run is not None and run.active:
            run.stop()
        super().exit(result, return_code, message)

    def _handle_exception(self, error: Exception) -> None:
        """Textual's last stop for an exception no handler caught (the app then exits with its
        traceback). A dying UI must never orphan its run: the run is asked to stop (and save)
        first, and the exit watchdog ends the process once it has, whatever the terminal does."""
        run = self.active_run
        if run is not None and run.active:
            run.stop()
            if self.options.get("exit_watchdog"):
                self._arm_exit_watchdog(1)
        super()._handle_exception(error)

    # the UI's turn while training (issue 13, item 16) -----------------------------------------
    async def on_event(self, event) -> None:
        """A key while a run trains on the CPU: training waits between two batches until the
        screen that key asks for has been drawn, so a page switch gets the cores rather than
        sharing them with torch's threads (``Control.hold_for_ui``: at most 0.1 s a key, and
        never more than half the time).

        A key goes to the focused widget and bubbles up, widget by widget, to the app, whose
        bindings run its action; ``on_key`` then asks for the release, after the refresh that
        action asked for. A key typed into a text field stays in the field (it needs one line
        redrawn): no hold for those. A key that never reaches the app (a priority binding, a
        widget that keeps it) ends its hold at the deadline."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._hold_for_key(event)
        await super().on_event(event)

    def on_key(self, event) -> None:
        """Runs before App's own handler, which runs the key's bindings: the callbacks asked for
        here are queued behind this key, so they follow its action and the refresh it asked for."""
        if event is self._held_input:
            self._held_input = None
            if not self.call_after_refresh(self._release_ui):
                self._release_ui()

    def _hold_for_key(self, event) -> None:
        from textual.widgets import Input  # nnlab's text fields are Inputs

        run = self.active_run
        hold = getattr(run, "hold_for_ui", None)
        if hold is None or isinstance(self.focused, Input) or not hold():
            return
        self._held_input, self._held_run = event, run

    def _release_ui(self) -> None:
        if self._held_input is not None:
            return  # newer input holds the run: its own release follows
        run, self._held_run = self._held_run, None
        if run is not None:
            run.release_ui()

    # actions ----------------------------------------------------------------------------
    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))

    def action_leave_field(self) -> None:
        """Esc in a text field gives the keys back to the screen (so 1 2 3 ? q work again)."""
        from textual.widgets import Input

        if isinstance(self.focused, Input):
            self.set_focus(None)

    def action_toggle_theme(self) -> None:
        self.theme = THEMES["light"] if self.theme == THEMES["dark"] else THEMES["dark"]
        self.notify(t("theme.now", name=self.theme), timeout=2)

    def action_screenshot(self) -> None:
        try:
            path = self.save_screenshot()
        except OSError as error:  # a directory that cannot be written, a full disk: said, not a crash
            where = error.filename or os.getcwd()
            self.notify(t("screenshot.failed", path=where, why=error.strerror or error), severity="error", timeout=8)
            return
        self.notify(t("screenshot.saved", path=path), timeout=4)

    async def action_quit(self) -> None:
        if self.active_run is not None and self.active_run.active:
            if isinstance(self.screen, ConfirmQuit):
                return

            def answered(answer: bool | str | None) -> None:
                run = self.active_run
                if answer == BACKGROUND and run is not None and getattr(run, "can_detach", False):
                    # The child starts while the run trains on here (seconds: torch, the data);
                    # the app stays open and says so, and quits once it has taken over
                    # (TrainScreen.watch_run), or stays, saying why, if the hand-off fails.
                    if run.detach():
                        self.exit_after_handoff = True
                        self.notify(t("dash.quit.handing_over"), timeout=30)
                elif answer is True:
                    self._quitting = True
                    if run is not None:
                        run.stop()
                    self.exit(0)

            self.push_screen(ConfirmQuit(getattr(self.active_run, "can_detach", False)), answered)
            return
        self._quitting = True
        self.exit(0)

    # command palette --------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action reachable by a key, in the current language, plus themes."""
        seen: set[str] = set()
        for _key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            display = binding.key_display or self.get_key_display(binding)
            yield SystemCommand(
                full_label(binding),
                f"[{display}]",
                partial(self.run_action, binding.action, active.node),
            )
        for name, theme in THEMES.items():
            yield SystemCommand(t("theme.now", name=name), theme, partial(setattr, self, "theme", theme))
