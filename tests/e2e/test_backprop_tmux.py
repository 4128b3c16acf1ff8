"""The backprop stepper in a real 80x24 terminal, keys only: a whole pass stepped and read, then quit."""

from __future__ import annotations

import subprocess
import time

import pytest
from tmux_helpers import Tmux

pytestmark = pytest.mark.e2e


def test_a_whole_pass_by_keys_at_80x24(tmp_path):
    with Tmux(tmp_path, width=80, height=24) as tmux:
        tmux.start("nnlab backprop")
        tmux.wait_for("Step 1/76")
        assert "l_h1 = 0.05·0.1 + 0.15·0.2 + 0.35 = 0.385" in tmux.screen()
        tmux.wait_for("agrees: max |Δ|", timeout=60)  # torch imported off the UI thread
        tmux.keys("b")
        screen = tmux.wait_for("Step 12/76")
        assert "∂E_total/∂out_o1 = −(0.85 − 0.702307507) = −0.147692493" in screen
        assert "tutorial −0.147692493 ✓" in screen
        for _ in range(64):  # to the end of the pass, one key at a time
            quick_key(tmux, "n")
        screen = tmux.wait_for("Step 76/76")
        assert "E_total⁺ = 0.096867268 → 0.091117124" in screen
        assert "w1 0.05 → 0.049574763" in screen
        tmux.keys("u")
        screen = tmux.wait_for("pass 2")
        assert "w5 0.2684" in screen  # the diagram shows the updated weight
        assert "Pass 2 begins: E after 1 updates" in screen  # on the progress line, covering nothing
        tmux.keys("q")
        assert tmux.exit_code() == 0


def test_the_largest_network_steps_switches_order_and_takes_an_exercise(tmp_path):
    """`nnlab backprop --net 4-4-4-4-4 …` opens the stepper on that network at 80x24 (issue 15)."""
    with Tmux(tmp_path, width=80, height=24) as tmux:
        tmux.start("nnlab backprop --net 4-4-4-4-4 --act tanh --loss ce --seed 1")
        screen = tmux.wait_for("Step 1/934")
        assert "i4 −0.940" in screen and "o4 ???" in screen and "t1 1.0000" in screen
        tmux.wait_for("agrees: max |Δ|", timeout=60)
        tmux.keys("o")
        screen = tmux.wait_for("node deltas, each once: 214 steps")
        assert "weight by weight: 934" in screen
        tmux.keys("t")
        screen = tmux.wait_for("Answer, 4 sig. digits")
        assert "l_f1 = ?" in screen
        tmux.keys("5", "Enter")
        tmux.wait_for("Hint:")
        tmux.keys("Enter")
        screen = tmux.wait_for("The value is")
        assert "pass score 0/1" in screen
        tmux.keys("Escape", "q")
        assert tmux.exit_code() == 0


def quick_key(tmux: Tmux, key: str) -> None:
    """Send one key without the helper's 0.15 s pause (64 presses)."""
    subprocess.run(["tmux", "send-keys", "-t", tmux.name, key], check=True)
    time.sleep(0.03)
