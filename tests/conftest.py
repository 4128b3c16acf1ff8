"""Shared fixtures: language reset, and the environment kept away from the user's files."""

from __future__ import annotations

import pytest

from nnlab import i18n


@pytest.fixture(autouse=True)
def _english_by_default():
    """Every test starts in English; a test that switches language is reset afterwards."""
    i18n.set_lang("en")
    yield
    i18n.set_lang("en")


@pytest.fixture
def zh():
    i18n.set_lang("zh")
    yield
    i18n.set_lang("en")
