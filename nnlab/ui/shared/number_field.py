"""NumberField: an Input that accepts only numbers within bounds, and says why otherwise.

The last valid value stays in ``value``; a refused text shows a message below the field
(via the ``Invalid`` message, which the parent may display) and changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input
from textual.widgets.input import Selection

from nnlab.core.numbers import Bounds, NumberError, parse_number

COARSE = 10  # shift+up/down and pageup/pagedown nudge by step × COARSE
FINE = 10  # ctrl+up/down nudge by step / FINE (integer fields: by 1)


class _BoundsValidator(Validator):
    def __init__(self, bounds: Bounds) -> None:
        super().__init__()
        self.bounds = bounds

    def validate(self, value: str) -> ValidationResult:
        try:
            parse_number(value, self.bounds)
        except NumberError as error:
            return self.failure(error.message())
        return self.success()


class NumberField(Input):
    """Posts ``NumberField.Changed`` with the parsed value on Enter or blur when valid,
    ``NumberField.Invalid`` with the reason otherwise (and restores nothing by itself:
    ``value`` keeps what was typed so the person can fix it; ``number`` keeps the last valid).

    Optional, off by default: ``step`` turns on nudging — up/down (and ``+``/``=``/``-`` where
    they cannot be part of the number being typed) change the value by ``step``, shift+up/down
    or pageup/pagedown by ``step × 10``, ctrl+up/down by ``step / 10``; each nudge posts
    ``Committed``. ``revert_on_blur`` puts the last valid value back in the box when the person
    leaves it holding refused text (``Invalid`` is still posted, so the reason can be shown)."""

    BINDINGS = [
        Binding("up", "nudge(1)", "field.nudge_up", key_display="↑"),
        Binding("down", "nudge(-1)", "field.nudge_down", key_display="↓"),
        Binding("shift+up,pageup", "nudge(1, 'coarse')", "field.nudge_coarse_up", show=False),
        Binding("shift+down,pagedown", "nudge(-1, 'coarse')", "field.nudge_coarse_down", show=False),
        Binding("ctrl+up", "nudge(1, 'fine')", "field.nudge_fine_up", show=False),
        Binding("ctrl+down", "nudge(-1, 'fine')", "field.nudge_fine_down", show=False),
    ]

    class Committed(Message):
        def __init__(self, field: NumberField, number: float | int) -> None:
            super().__init__()
            self.field = field
            self.number = number

        @property
        def control(self) -> NumberField:
            return self.field

    class Invalid(Message):
        def __init__(self, field: NumberField, reason: str) -> None:
            super().__init__()
            self.field = field
            self.reason = reason

        @property
        def control(self) -> NumberField:
            return self.field

    def __init__(
        self,
        number: float | int,
        bounds: Bounds = Bounds(),
        fmt: str = "{:g}",
        *,
        step: float | int | None = None,
        revert_on_blur: bool = False,
        **kwargs,
    ) -> None:
        self.bounds = bounds
        self.fmt = fmt
        self.number = number
        self.step = step
        self.revert_on_blur = revert_on_blur
        self._nudged_text: str | None = None  # the text a nudge left selected
        self._minus_nudge: tuple[float | int, str] | None = None  # (number before, text after) a "-" nudge
        super().__init__(
            value=fmt.format(number),
            validators=[_BoundsValidator(bounds)],
            validate_on=["changed", "submitted"],
            **kwargs,
        )
        from nnlab.ui.shared.keys import translate_bindings  # here: keys imports nothing of ours at module level

        translate_bindings(self)

    def set_number(self, number: float | int) -> None:
        """Set from code (e.g. a nudge): must already be valid."""
        self.number = number
        self.value = self.fmt.format(number)

    def commit(self) -> bool:
        try:
            number = parse_number(self.value, self.bounds)
        except NumberError as error:
            self.post_message(self.Invalid(self, error.message()))
            return False
        self.number = number
        self.post_message(self.Committed(self, number))
        return True

    async def action_submit(self) -> None:
        self.commit()
        await super().action_submit()

    def _on_blur(self, event) -> None:
        if self.value != self.fmt.format(self.number):
            if not self.commit() and self.revert_on_blur:
                self.value = self.fmt.format(self.number)
        super()._on_blur(event)

    # nudging ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "nudge" and self.step is None:
            return False  # no step: up/down go on to the screen as before
        return True

    def nudged(self, direction: int, size: str = "step") -> float | int:
        """The value one nudge away (exact decimal arithmetic, clamped to the bounds)."""
        try:
            start = parse_number(self.value, self.bounds)  # typed but not yet committed counts
        except NumberError:
            start = self.number
            if self.value == "-" and not self.bounds.integer:
                start = -abs(start)  # a typed sign with no digits yet: nudge the value with that sign
        step = Decimal(repr(self.step))
        if size == "coarse":
            step *= COARSE
        elif size == "fine":
            step = max(step / FINE, Decimal(1)) if self.bounds.integer else step / FINE
        value = Decimal(repr(start)) + direction * step
        value = min(max(value, Decimal(repr(self.bounds.lo))), Decimal(repr(self.bounds.hi)))
        if self.bounds.integer:
            return int(value)
        number = float(value)
        if number == 0.0:
            number = 0.0  # never -0
        if self.bounds.nonzero and number == 0:
            number = float(Decimal(repr(start)) + direction * step / 2) if start else float(step)
        return number

    def action_nudge(self, direction: int, size: str = "step") -> None:
        number = self.nudged(direction, size)
        self.set_number(number)
        self.selection = Selection(0, len(self.value))  # typing now replaces the nudged value
        self._nudged_text = self.value
        self.post_message(self.Committed(self, number))

    def _selection_is_a_nudge(self) -> bool:
        """The whole text is selected because a nudge put it there (not because of focus)."""
        start, end = sorted(self.selection)
        return (
            self._nudged_text is not None and self.value == self._nudged_text and (start, end) == (0, len(self.value))
        )

    def _minus_or_plus_is_typed(self, character: str) -> bool:
        """``-`` and ``+`` are text where a sign can stand: at the start of the field (cursor at 0,
        or a selection from the start, e.g. the whole value selected when the field got focus) or
        right after an exponent ``e``; elsewhere, and over the selection a nudge left, they nudge."""
        selection = self.selection
        if not selection.is_empty:
            start, end = sorted(selection)
            if self._selection_is_a_nudge():
                return False  # - - - nudges three times; "-5" after a nudge is repaired below
            return character == "-" and start == 0
        position = self.cursor_position
        if position > 0 and self.value[position - 1] in "eE":
            return True
        return character == "-" and position == 0 and not self.value.startswith("-")

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable:
            self._minus_nudge = None
            # Textual #6605: a binding (End, BSpace, …) runs only after its key bubbled up to the
            # app, while a printable key is inserted at once; in a burst "End BSpace 3" the 3 went
            # in first. Running this field's own bindings here keeps the keys in arrival order.
            if await self._run_own_binding(event.key):
                event.stop()
                event.prevent_default()
            return
        character = event.character or ""
        pending, self._minus_nudge = self._minus_nudge, None
        if pending is not None and (character.isdigit() or character == ".") and self.value == pending[1]:
            # "-" then a digit over a nudged value: the "-" was a sign after all. Undo the nudge
            # and type the sign, so "-5" gives -5 whatever was selected (a typed sign wins).
            self.number = pending[0]
            self.post_message(self.Committed(self, pending[0]))
            self.value = "-"
            self.cursor_position = 1
            return  # Input's own handler now inserts the digit after the sign
        if self.step is not None and character in ("+", "=", "-"):
            if character == "=" or not self._minus_or_plus_is_typed(character):
                event.stop()
                event.prevent_default()
                before = self.number
                self.action_nudge(-1 if character == "-" else 1)
                if character == "-":
                    self._minus_nudge = (before, self.value)

    async def _run_own_binding(self, key: str) -> bool:
        """Run this field's (non-priority) binding for ``key`` now; False if it has none that acts."""
        for binding in self._bindings.key_to_bindings.get(key, ()):
            if binding.priority:
                continue  # the app ran priority bindings before the key reached us
            if await self.app.run_action(binding.action, self):
                return True
        return False
