"""Fixtures of the training tests: the full FashionMNIST, required in CI (NNLAB_REQUIRE_DATA=1)."""

from __future__ import annotations

import os

import pytest

from nnlab.train import data as data_mod


def _full_location():
    try:
        location = data_mod.locate(allow_sample=False, allow_download=False)
    except data_mod.DataError as error:
        location, why = None, str(error)
    if location is None or location.train_size != 60_000 or location.test_size != 10_000:
        why = why if location is None else f"{location.path} holds {location.train_size} training images"
        if os.environ.get("NNLAB_REQUIRE_DATA") == "1":
            pytest.fail(f"NNLAB_REQUIRE_DATA=1 but the full dataset is missing: {why}")
        pytest.skip(f"full FashionMNIST not installed: {why}")
    return location


@pytest.fixture
def full_location():
    """Where the full dataset is (60,000 + 10,000 images), or a skip (a failure under NNLAB_REQUIRE_DATA=1)."""
    return _full_location()


@pytest.fixture
def full_data(full_location):
    return data_mod.load(allow_sample=False, allow_download=False)
