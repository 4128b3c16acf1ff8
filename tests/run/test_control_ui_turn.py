"""The UI's turn (issue 13 item 16): a key asks the engine to wait between two batches until the
screen it asks for is drawn. Control's side (torch-free); the engine's side is in
tests/train/test_engine.py, the app's in tests/ui/test_ui_turn.py."""

from __future__ import annotations

import threading
import time

from nnlab.run.control import Control


def _turn_in_thread(control: Control) -> tuple[threading.Thread, list[float]]:
    took: list[float] = []

    def engine_side() -> None:
        start = time.monotonic()
        control._ui_turn()
        took.append(time.monotonic() - start)

    thread = threading.Thread(target=engine_side)
    thread.start()
    return thread, took


def test_the_engine_waits_until_the_ui_releases():
    control = Control()
    control.hold_for_ui(max_s=30)
    thread, took = _turn_in_thread(control)
    time.sleep(0.15)
    assert thread.is_alive()  # still waiting: the screen is not drawn yet
    control.release_ui()
    thread.join(5)
    assert not thread.is_alive() and 0.1 < took[0] < 5
    assert control.ui_hold_until == 0.0 and control.ui_turns == 1 and control.ui_wait_s >= 0.1


def test_a_turn_never_outlasts_its_deadline():
    control = Control()
    control.hold_for_ui(max_s=0.05)  # the UI never says it is done
    thread, took = _turn_in_thread(control)
    thread.join(5)
    assert not thread.is_alive() and 0.04 < took[0] < 2
    assert control.ui_hold_until == 0.0


def test_a_stop_ends_the_turn():
    control = Control()
    control.hold_for_ui(max_s=30)
    thread, took = _turn_in_thread(control)
    time.sleep(0.05)
    control.stop()
    thread.join(5)
    assert not thread.is_alive() and took[0] < 5


def test_a_release_before_the_batch_boundary_costs_no_wait():
    control = Control()
    control.hold_for_ui(max_s=30)
    control.release_ui()
    start = time.monotonic()
    control._ui_turn()
    assert time.monotonic() - start < 0.05


def test_turns_leave_training_at_least_half_the_time():
    """After a turn of T seconds the next one starts no sooner than T later: a key held down
    cannot starve the run."""
    control = Control()
    control.hold_for_ui(max_s=0.2)
    control._ui_turn()  # waits the whole 0.2 s (never released)
    control.hold_for_ui(max_s=0.2)
    start = time.monotonic()
    control._ui_turn()  # asked for at once after: skipped
    assert time.monotonic() - start < 0.05
    assert control.ui_turns == 1 and control.ui_hold_until == 0.0
    time.sleep(0.3)
    control.hold_for_ui(max_s=0.05)
    control._ui_turn()  # T later: granted again
    assert control.ui_turns == 2
