"""NumberField: an Input that accepts only numbers within bounds, and says why otherwise.

The last valid value stays in ``value``; a refused text shows a message below the field
(via the ``Invalid`` message, which the parent may display) and changes nothing.
"""

from __future__ import annotations

from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input

from nnlab.core.numbers import Bounds, NumberError, parse_number


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
    ``value`` keeps what was typed so the person can fix it; ``number`` keeps the last valid)."""

    class Committed(Message):
        def __init__(self, field: "NumberField", number: float | int) -> None:
            super().__init__()
            self.field = field
            self.number = number

        @property
        def control(self) -> "NumberField":
            return self.field

    class Invalid(Message):
        def __init__(self, field: "NumberField", reason: str) -> None:
            super().__init__()
            self.field = field
            self.reason = reason

        @property
        def control(self) -> "NumberField":
            return self.field

    def __init__(self, number: float | int, bounds: Bounds = Bounds(), fmt: str = "{:g}", **kwargs) -> None:
        self.bounds = bounds
        self.fmt = fmt
        self.number = number
        super().__init__(
            value=fmt.format(number), validators=[_BoundsValidator(bounds)], validate_on=["changed", "submitted"],
            **kwargs,
        )

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
            self.commit()
        super()._on_blur(event)
