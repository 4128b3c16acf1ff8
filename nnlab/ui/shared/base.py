"""LabScreen: what every mode screen shares (mode bar, footer, translated keys, help text)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.screen import Screen

from nnlab.ui.shared.footer import LabFooter
from nnlab.ui.shared.keys import translate_bindings
from nnlab.ui.shared.mode_bar import ModeBar


class LabScreen(Screen):
    """A mode screen. Subclasses set MODE and HELP_CONCEPT and implement ``compose_body``."""

    # No field is focused when a mode opens, so the global keys (1 2 3 ? q) work at once;
    # tab enters the fields, Esc leaves them.
    AUTO_FOCUS = ""  # "" = none (None would fall back to the app's "*")
    MODE: ClassVar[str] = ""
    HELP_CONCEPT: ClassVar[str] = ""  # catalog key of the few sentences the help overlay shows

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield ModeBar(self.MODE)
        yield from self.compose_body()
        # Compact (one space between key and label, none inside): every screen's keys fit 80
        # columns in English and Chinese (tests/ui/test_footer_fits.py holds each one to it).
        yield LabFooter(compact=True)

    def compose_body(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()
