"""One epoch of the tutorial preset on the full FashionMNIST, on the CPU (the tutorial: 50.5%)."""

from __future__ import annotations

import pytest

from nnlab.run.config import PRESETS
from nnlab.train import engine


@pytest.mark.slow
@pytest.mark.data
def test_one_tutorial_epoch_lands_near_the_tutorial(full_data):
    data = full_data
    assert (data.train_size, data.test_size) == (60_000, 10_000) and not data.is_sample
    events = []
    finished = engine.run(PRESETS["tutorial"].with_(epochs=1, device="cpu", threads=1), data, events.append)
    first = next(e for e in events if e.KIND == "batch")
    assert abs(first.loss - 2.3026) < 0.05  # the tutorial's first batch: 2.301718
    assert finished.reason == "completed"
    assert 0.46 <= finished.test_accuracy <= 0.55, finished.test_accuracy
