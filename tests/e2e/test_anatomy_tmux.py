"""`nnlab anatomy` in a real 80x24 terminal, keys only: data step, a ReLU, softmax, parameters, back."""

from __future__ import annotations

from pathlib import Path

import pytest
from tmux_helpers import Tmux

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SAMPLE = Path(__file__).resolve().parents[2] / "nnlab" / "assets" / "fashion-mnist-sample"


def test_walk_through_the_model_with_keys_only(tmp_path):
    with Tmux(tmp_path, width=80, height=24, env={"HOME": str(tmp_path)}) as tmux:
        tmux.start(f"nnlab anatomy --data-dir {SAMPLE} --images 2")
        screen = tmux.wait_for("Anatomy 1/9: Data", timeout=60)
        assert "Shape of X [N, C, H, W]: torch.Size([64, 1, 28, 28])" in screen
        assert "#0 Ankle boot" in screen and "#1 Pullover" in screen  # the first test images
        tmux.keys("n", "n", "n")
        screen = tmux.wait_for("Anatomy 4/9: ReLU")
        assert "zeroed" in screen and "of 512" in screen
        tmux.keys("n", "n", "n", "n")
        screen = tmux.wait_for("Anatomy 8/9: Softmax")
        assert "1.000000  1.000000" in screen
        tmux.keys("w")
        screen = tmux.wait_for("Total: 669,706 parameters")
        assert "linear_relu_stack.0.weight" in screen
        tmux.keys("Escape")
        tmux.wait_for_highlight_of("Train")
        tmux.keys("q")
        assert tmux.exit_code() == 0
