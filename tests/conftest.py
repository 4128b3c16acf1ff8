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


@pytest.fixture(autouse=True)
def _runs_kept_in_the_test(tmp_path_factory, monkeypatch):
    """Runs a test starts without naming a runs root land in a temp folder, never in ./runs."""
    monkeypatch.setenv("NNLAB_RUNS_DIR", str(tmp_path_factory.mktemp("runs")))


@pytest.fixture
def zh():
    i18n.set_lang("zh")
    yield
    i18n.set_lang("en")


def _widget_text(widget) -> str:
    """The characters a person sees in ``widget`` right now (its rendered lines, styles dropped)."""
    from textual.geometry import Region

    width, height = widget.size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


def _screen_text(app) -> str:
    """The characters of the whole screen as the terminal would show them."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.fixture
def widget_text():
    """``widget_text(widget)`` → the text the widget shows."""
    return _widget_text


@pytest.fixture
def screen_text():
    """``screen_text(app)`` → the text of the whole screen, line by line."""
    return _screen_text
