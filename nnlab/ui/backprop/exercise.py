"""Exercise mode's answer line: the learner types each value before it is shown, and is scored per pass.

The bar keeps what was answered (per pass and step) and the score; the screen hides a step's value
while ``hides(...)`` says so. A wrong answer names what differs (``netlab_exercise.diagnose``) and
gives the step's explanation as the hint; a second wrong answer, or an empty Enter, reveals it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from nnlab.core.netlab_exercise import DIGITS, Score, diagnose, shown_tolerance
from nnlab.core.numbers import Bounds, NumberError, parse_number
from nnlab.core.tinynet_step import Step
from nnlab.i18n import t
from nnlab.ui.backprop.step_panel import fmt9


class ExerciseBar(Vertical):
    """Prompt, answer field and score on one line; what the answer got on the next."""

    BINDINGS = [Binding("escape", "leave", "bp.key.exercise_off", show=False)]
    DEFAULT_CSS = """
    ExerciseBar { height: auto; padding: 0 1; display: none; }
    ExerciseBar.-on { display: block; }
    ExerciseBar Horizontal { height: 1; }
    ExerciseBar #bp-exo-prompt { width: auto; color: $text-muted; }
    ExerciseBar Input { border: none; height: 1; width: 14; padding: 0 1; background: $boost; }
    ExerciseBar Input:focus { border: none; background: $accent 40%; }
    ExerciseBar #bp-exo-score { width: 1fr; text-align: right; color: $text-muted; }
    ExerciseBar #bp-exo-feedback { height: auto; max-height: 3; }
    ExerciseBar #bp-exo-feedback.-right { color: $success; }
    ExerciseBar #bp-exo-feedback.-wrong { color: $warning; }
    """

    class Resolved(Message):
        """The current step is answered (right, or revealed): show its value."""

    class Advance(Message):
        """Enter on an answered step: go on to the next one."""

    class Leave(Message):
        """Esc: leave exercise mode."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.steps: list[Step] = []
        self.index = 0
        self.pass_no = 1
        self.done: dict[tuple[int, str], tuple[str, str]] = {}  # (pass, step id) → (feedback, class)
        self.tries: dict[tuple[int, str], int] = {}
        self.scores: dict[int, Score] = {}

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("", id="bp-exo-prompt")
            yield Input(id="bp-answer", placeholder="?")
            yield Static("", id="bp-exo-score")
        yield Static("", id="bp-exo-feedback")

    def reset(self) -> None:
        """A new network: nothing answered, no score."""
        self.done.clear()
        self.tries.clear()
        self.scores.clear()

    @property
    def key(self) -> tuple[int, str]:
        return self.pass_no, self.steps[self.index].id

    def hides(self) -> bool:
        return bool(self.steps) and self.key not in self.done

    def show(self, steps: list[Step], index: int, pass_no: int) -> None:
        self.steps, self.index, self.pass_no = steps, index, pass_no
        step = steps[index]
        self.query_one("#bp-exo-prompt", Static).update(
            t("bp.exo.prompt", digits=DIGITS, tol=shown_tolerance(step.value)) + " "
        )
        feedback, cls = self.done.get(self.key, ("", ""))
        if not feedback and self.tries.get(self.key):
            feedback, cls = self._hint_text, "-wrong"
        self._feedback(feedback, cls)
        self._score()
        answer = self.query_one(Input)
        answer.value = ""
        answer.focus()

    def _feedback(self, text: str, cls: str) -> None:
        line = self.query_one("#bp-exo-feedback", Static)
        line.remove_class("-right", "-wrong")
        if cls:
            line.add_class(cls)
        line.update(text)

    def score(self) -> Score:
        return self.scores.setdefault(self.pass_no, Score())

    def _score(self) -> None:
        s = self.score()
        self.query_one("#bp-exo-score", Static).update(
            t("bp.exo.score", right=s.right, answered=s.answered, hinted=s.after_hint)
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.steps:
            return
        if self.key in self.done:
            self.post_message(self.Advance())
            return
        step = self.steps[self.index]
        text = event.value.strip()
        if not text:
            self._resolve(t("bp.exo.revealed", value=fmt9(step.value)), "-wrong", right=False)
            return
        try:
            answer = float(parse_number(text, Bounds(-1e12, 1e12)))
        except NumberError as error:
            self._feedback(error.message(), "-wrong")
            return
        verdict = diagnose(self.steps, self.index, answer)
        tries = self.tries.get(self.key, 0)
        if verdict.right:
            s = self.score()
            if tries:
                s.after_hint += 1
            else:
                s.first += 1
            self._resolve(t("bp.exo.right", value=fmt9(step.value)), "-right", right=True)
            return
        self.tries[self.key] = tries + 1
        if tries:  # the second wrong answer: the value
            self._resolve(
                t(verdict.key, **verdict.fields) + " " + t("bp.exo.revealed", value=fmt9(step.value)),
                "-wrong",
                right=False,
            )
            return
        self._hint_text = t(verdict.key, **verdict.fields) + " " + t("bp.exo.hint", hint=step.explanation())
        self._feedback(self._hint_text, "-wrong")
        self.query_one(Input).value = ""

    _hint_text = ""

    def _resolve(self, text: str, cls: str, right: bool) -> None:
        s = self.score()
        s.answered += 1
        self.done[self.key] = (text, cls)
        self._feedback(text, cls)
        self._score()
        self.query_one(Input).value = ""
        self.post_message(self.Resolved())

    def action_leave(self) -> None:
        self.post_message(self.Leave())
