"""Asks before an export or a copy replaces files that already exist."""

from __future__ import annotations

from textual.binding import Binding

from nnlab.i18n import t
from nnlab.ui.shared.confirm import ConfirmDialog


class ConfirmOverwrite(ConfirmDialog):
    """Dismisses with True (replace the files) or False (keep them; the default, and Esc)."""

    BINDINGS = [
        Binding("y", "answer(True)", "safe.key.yes"),
        Binding("n", "answer(False)", "safe.key.no"),
        Binding("escape", "answer(False)", "safe.key.no", show=False),
    ]
    YES_LABEL, NO_LABEL, YES_VARIANT = "safe.overwrite.yes", "safe.overwrite.no", "warning"
    WIDTH, ID_PREFIX = 76, "overwrite"

    def __init__(self, paths) -> None:
        self.paths = [str(p) for p in paths]
        super().__init__(
            t("safe.overwrite.title"), t("safe.overwrite.body", paths="\n".join(f"  {p}" for p in self.paths))
        )
