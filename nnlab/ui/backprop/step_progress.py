"""One line of progress through the pass: a bar in phase segments, done steps filled, n/total, and the
latest message (an update, a switch) after it, where it hides nothing (issue 13 item 8)."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widget import Widget

from nnlab.core.tinynet_step import Step


class StepProgress(Widget):
    COMPONENT_CLASSES = {"progress--done", "progress--todo", "progress--here", "progress--note"}
    DEFAULT_CSS = """
    StepProgress { height: 1; padding: 0 1; }
    StepProgress > .progress--done { color: $accent; }
    StepProgress > .progress--todo { color: $text-muted; }
    StepProgress > .progress--here { color: $text; text-style: bold; }
    StepProgress > .progress--note { color: $warning; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.steps: list[Step] = []
        self.index = 0
        self.note = ""

    def show(self, steps: list[Step], index: int) -> None:
        self.steps, self.index = steps, index
        self.refresh()

    def say(self, note: str) -> None:
        """The message stays until the next one: a person reads it at their pace."""
        self.note = note
        self.refresh()

    def render(self) -> Text:
        total = len(self.steps)
        text = Text(no_wrap=True, overflow="crop")
        if not total:
            return text
        count = f" {self.index + 1}/{total}"
        note = f"  {self.note}" if self.note else ""
        room = self.size.width - len(count) - (3 if note else 2)
        if note and room - cell_len(note) < 10:  # the bar keeps 10 cells; the note gives way
            note = set_cell_size(note, max(0, room - 10))
        bar_w = max(room - cell_len(note), 10)
        done, todo = (self.get_component_rich_style(f"progress--{k}") for k in ("done", "todo"))
        text.append("▕")
        for j in range(bar_w):
            at = min(j * total // bar_w, total - 1)
            boundary = j and self.steps[at].phase != self.steps[min((j - 1) * total // bar_w, total - 1)].phase
            reached = at <= self.index
            char = ("┃" if boundary else "█") if reached else ("│" if boundary else "░")
            text.append(char, style=done if reached else todo)
        text.append("▏")
        text.append(count, style=self.get_component_rich_style("progress--here"))
        if note:
            text.append(note, style=self.get_component_rich_style("progress--note"))
        return text
