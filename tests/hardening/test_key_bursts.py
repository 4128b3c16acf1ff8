"""Keys that arrive in one burst (as over SSH) edit a NumberField in the order they were typed.

Textual 8.2.8 runs a binding (End, BSpace) only after its key has bubbled up to the app, but
inserts a printable key at once (#6605): "End BSpace 3" in one write left 0.001 unchanged.
``pilot.press`` waits between keys, so it cannot show this; these tests post the keys in one go
(in-process) and write them to a real pty in one ``write``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest
from _pty import NNLAB
from textual import events
from textual.app import App, ComposeResult

from nnlab.core.numbers import Bounds
from nnlab.ui.shared.number_field import NumberField


class BurstApp(App):
    def __init__(self, step=None, bounds=Bounds(1e-7, 10, nonzero=True)) -> None:
        super().__init__()
        self.step, self.bounds = step, bounds
        self.committed: list = []

    def compose(self) -> ComposeResult:
        yield NumberField(0.001, self.bounds, step=self.step, id="f")

    def on_number_field_committed(self, message: NumberField.Committed) -> None:
        self.committed.append(message.number)


def _burst(app: App, *keys: tuple[str, str | None]) -> None:
    """Queue every key before the app handles any of them, as a terminal's one read delivers them."""
    for key, character in keys:
        app.post_message(events.Key(key, character))


async def test_end_backspace_3_in_one_burst_gives_0_003():
    app = BurstApp()
    async with app.run_test() as pilot:
        field = app.query_one("#f", NumberField)
        field.focus()
        await pilot.pause()
        _burst(app, ("end", None), ("backspace", None), ("3", "3"), ("enter", "\r"))
        await pilot.pause()
        await pilot.pause()
        assert field.value == "0.003"
        assert field.number == 0.003 and app.committed == [0.003]


async def test_a_burst_of_cursor_moves_and_deletes_is_applied_in_order_with_nudging_on():
    app = BurstApp(step=0.001, bounds=Bounds(-1e6, 1e6))
    async with app.run_test() as pilot:
        field = app.query_one("#f", NumberField)
        field.focus()
        await pilot.pause()
        # "0.001" → Home, Delete, Delete: "001" → End, BSpace: "00" → 2: "002" → ←, ←, 1: "0102"
        _burst(
            app,
            ("home", None),
            ("delete", None),
            ("delete", None),
            ("end", None),
            ("backspace", None),
            ("2", "2"),
            ("left", None),
            ("left", None),
            ("1", "1"),
            ("enter", "\r"),
        )
        await pilot.pause()
        await pilot.pause()
        assert field.value == "0102"
        assert field.number == 102 and app.committed == [102]


def _tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=10).stdout


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_end_backspace_3_sent_in_one_tmux_send_keys_to_the_installed_nnlab(tmp_path):
    """The installed nnlab at 80x24, the neuron mode's bias field (b = 1): Tab×3, then End BSpace 3
    Enter in one send-keys (one write to the pty) → b = 3, z = 2·1 + 3. Before the workaround the
    3 went in before End and BSpace, leaving the field empty and b = 1. Then "-5": b = -5."""
    socket = f"nnlab-burst-{os.getpid()}"
    _tmux(socket, "new-session", "-d", "-x", "80", "-y", "24", "-c", str(tmp_path), f"{NNLAB} --lang en neuron")
    try:
        screen = lambda: _tmux(socket, "capture-pane", "-p")  # noqa: E731
        _wait(lambda: "Preset" in screen())
        _tmux(socket, "send-keys", "Tab", "Tab", "Tab")
        time.sleep(0.5)
        _tmux(socket, "send-keys", "End", "BSpace", "3", "Enter")
        _wait(lambda: "= 2·1 + 3" in screen(), what=screen)
        _tmux(socket, "send-keys", "Escape")
        time.sleep(0.3)
        _tmux(socket, "send-keys", "Tab", "Tab", "Tab")  # keys sent before focus moves go elsewhere: wait
        time.sleep(0.5)
        _tmux(socket, "send-keys", "-", "5", "Enter")
        _wait(lambda: "= 2·1 + (-5)" in screen(), what=screen)
    finally:
        _tmux(socket, "kill-server")


def _wait(condition, timeout: float = 15.0, what=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not seen within {timeout} s:\n{what()}")
