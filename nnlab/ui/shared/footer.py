"""LabFooter: Textual's Footer, rebuilt only when the keys it shows change.

Textual's ``Footer`` removes and mounts all its ``FooterKey`` widgets whenever the screen's
bindings are refreshed, and the screen refreshes them on every focus change. A dashboard page
switch moves the focus, so each ``]`` paid for a new footer (eight widgets mounted, styled and
laid out: about half of a switch's time at 80x24, issue 13 item 16) although the keys shown were
the same. This footer compares what it would show (key, label, enabled, tooltip) with what it
shows and recomposes only on a difference.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen) -> tuple:
    """What a Footer on ``screen`` draws: each shown binding's key, label, state and tooltip."""
    return tuple(
        (binding.key, binding.action, binding.description, binding.group, enabled, tooltip)
        for (_, binding, enabled, tooltip) in screen.active_bindings.values()
        if binding.show
    )


class LabFooter(Footer):
    """A Footer that skips the rebuild when the screen's shown keys did not change."""

    _shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            keys = shown_keys(screen)
            if keys == self._shown and self._bindings_ready:
                return
            self._shown = keys
        super().bindings_changed(screen)
