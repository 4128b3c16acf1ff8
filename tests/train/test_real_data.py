"""One epoch of the tutorial preset on the full FashionMNIST, on the CPU (the tutorial: 50.5%)."""

from __future__ import annotations

import os

import pytest

from nnlab.train import data as data_mod
from nnlab.train import engine
from nnlab.run.config import PRESETS


def _full_data():
    try:
        location = data_mod.locate(allow_sample=False, allow_download=False)
    except data_mod.DataError as error:
        location, why = None, str(error)
    if location is None or location.train_size != 60_000 or location.test_size != 10_000:
        why = why if location is None else f"{location.path} holds {location.train_size} training images"
        if os.environ.get("NNLAB_REQUIRE_DATA") == "1":
            pytest.fail(f"NNLAB_REQUIRE_DATA=1 but the full dataset is missing: {why}")
        pytest.skip(f"full FashionMNIST not installed: {why}")
    return data_mod.load(allow_sample=False, allow_download=False)


@pytest.mark.slow
@pytest.mark.data
def test_one_tutorial_epoch_lands_near_the_tutorial():
    data = _full_data()
    assert (data.train_size, data.test_size) == (60_000, 10_000) and not data.is_sample
    events = []
    finished = engine.run(PRESETS["tutorial"].with_(epochs=1, device="cpu", threads=1), data, events.append)
    first = next(e for e in events if e.KIND == "batch")
    assert abs(first.loss - 2.3026) < 0.05  # the tutorial's first batch: 2.301718
    assert finished.reason == "completed"
    assert 0.46 <= finished.test_accuracy <= 0.55, finished.test_accuracy
