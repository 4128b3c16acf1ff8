"""OnceModal: a modal screen that answers once, whatever arrives in one burst of keys.

Textual's ``dismiss`` pops the app's *current* screen, which is this one only the first time:
Enter pressed three times in one burst, or Enter then Esc, dismissed the modal and then the
screen under it (seen: ``ScreenStackError: Can't pop screen``, the app dying with a run
orphaned). Every modal in nnlab inherits this, so no single form has to remember it.
"""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


async def _nothing() -> None:
    return None


class OnceModal(ModalScreen[ResultType]):
    _answered = False

    def dismiss(self, result: ResultType | None = None) -> AwaitComplete:
        if self._answered or not self.is_attached or self.app.screen is not self:
            return AwaitComplete(_nothing())  # answered already: a later key changes nothing
        self._answered = True
        return super().dismiss(result)
