"""`nnlab bench track`'s loop figure is built from interleaved rounds (structure, not timing)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from nnlab.bench.track import loop_ratio  # noqa: E402


def test_the_loop_ratio_is_the_median_of_interleaved_rounds_with_its_noise_floor(tmp_path):
    out = loop_ratio(tmp_path, steps=3, triples=3)
    assert out["triples"] == 3 and out["steps"] == 3
    assert [len(r) for r in out["rounds_s"]] == [3, 3, 3]  # untracked, tracked, untracked (or reversed)
    assert out["ratio_min"] <= out["tracked_vs_untracked_throughput"] <= out["ratio_max"]
    assert out["noise_median"] >= 0 and out["goal_ratio"] == 0.99
    runs = [p for p in tmp_path.iterdir() if (p / "run.json").exists()]
    assert len(runs) == 1 + 1 + 2 + 1  # the warm-up, then rounds of one, two and one tracked loops
