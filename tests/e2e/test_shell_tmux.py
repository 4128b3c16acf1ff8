"""A real terminal: tmux runs the installed `nnlab`, keys are sent, the pane is read."""

from __future__ import annotations

import pytest
from tmux_helpers import Tmux

pytestmark = pytest.mark.e2e


def test_modes_help_and_quit_in_a_real_terminal(tmp_path):
    with Tmux(tmp_path, width=80, height=24) as tmux:
        tmux.start("nnlab")
        tmux.wait_for("1 Neuron")
        tmux.keys("2")
        tmux.wait_for_highlight_of("Backprop")
        tmux.keys("3")
        tmux.wait_for_highlight_of("Train")
        tmux.keys("?")
        tmux.wait_for("Help: Train")
        assert "optimizer" in tmux.screen()  # the concept text of the Train mode
        tmux.keys("q")
        assert tmux.exit_code() == 0


def test_chinese_interface_in_a_real_terminal(tmp_path):
    with Tmux(tmp_path, width=80, height=24) as tmux:
        tmux.start("nnlab --lang zh backprop")
        tmux.wait_for("反向传播")
        screen = tmux.wait_for("命令")  # the footer's palette key, translated
        assert "2 反向传播" in screen.splitlines()[0]
        lines = screen.splitlines()
        assert len(lines) == 24
        tmux.keys("q")
        assert tmux.exit_code() == 0
