"""SoftmaxPanel: 2–10 editable logits → probabilities, a target class, cross-entropy and its gradient."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from nnlab.core import losses
from nnlab.core.neuron import fmt
from nnlab.core.numbers import Bounds
from nnlab.i18n import t
from nnlab.ui.shared.number_field import NumberField

LOGIT_BOUNDS = Bounds(-1e6, 1e6)
MAX_CLASSES, MIN_CLASSES = 10, 2
DEFAULT_LOGITS = (2.0, 1.0, 0.1)
BAR_WIDTH = 12
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(p: float, width: int = BAR_WIDTH) -> str:
    """p ∈ [0, 1] as a bar of ``width`` cells, in eighths of a cell."""
    eighths = round(p * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width)


class SoftmaxPanel(Vertical):
    DEFAULT_CSS = """
    SoftmaxPanel { height: 1fr; }
    SoftmaxPanel .sp-row { height: 1; }
    SoftmaxPanel .sp-label { width: 8; }
    SoftmaxPanel .sp-head { text-style: bold; }
    SoftmaxPanel NumberField { width: 12; margin: 0 1 0 0; }
    SoftmaxPanel .sp-out { width: 1fr; }
    SoftmaxPanel #sp-ce { margin-top: 1; }
    SoftmaxPanel #sp-message { color: $error; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.logits = list(DEFAULT_LOGITS) + [0.0] * (MAX_CLASSES - len(DEFAULT_LOGITS))
        self.count = len(DEFAULT_LOGITS)
        self.target = 0
        self.message = ""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="sp-row"):
            yield Static(t("neuron.sm.class"), classes="sp-label sp-head")
            yield Static(t("neuron.sm.logit"), classes="sp-head", id="sp-head-logit")
            yield Static(id="sp-head-out", classes="sp-out sp-head")
        for i in range(1, MAX_CLASSES + 1):
            with Horizontal(classes="sp-row", id=f"sp-row{i}"):
                yield Static("", classes="sp-label", id=f"sp-label{i}")
                yield NumberField(self.logits[i - 1], LOGIT_BOUNDS, "{:.12g}", step=0.1, revert_on_blur=True,
                                  compact=True, id=f"z{i}")
                yield Static("", classes="sp-out", id=f"sp-out{i}")
        yield Static(id="sp-ce")
        yield Static(id="sp-message")

    def on_mount(self) -> None:
        self.query_one("#sp-head-logit").styles.width = 13
        self._sync_rows()
        self.recompute()

    # verbs --------------------------------------------------------------------------------
    def add_class(self) -> None:
        if self.count >= MAX_CLASSES:
            self._say(t("neuron.sm.max", n=MAX_CLASSES))
            return
        self.logits[self.count] = 0.0
        self.count += 1
        self._sync_rows()
        self.recompute()

    def remove_class(self) -> None:
        if self.count <= MIN_CLASSES:
            self._say(t("neuron.sm.min", n=MIN_CLASSES))
            return
        self.count -= 1
        self.target = min(self.target, self.count - 1)
        self._sync_rows()
        self.recompute()

    def cycle_target(self, delta: int) -> None:
        self.target = (self.target + delta) % self.count
        self.recompute()

    # fields -------------------------------------------------------------------------------
    def _sync_rows(self) -> None:
        for i in range(1, MAX_CLASSES + 1):
            self.query_one(f"#sp-row{i}").display = i <= self.count
            self.query_one(f"#z{i}", NumberField).set_number(self.logits[i - 1])

    def on_number_field_committed(self, message: NumberField.Committed) -> None:
        message.stop()
        self.logits[int((message.field.id or "z0")[1:]) - 1] = float(message.number)
        self.message = ""
        self.recompute()

    def on_number_field_invalid(self, message: NumberField.Invalid) -> None:
        message.stop()
        self._say(t("neuron.msg.rejected", field="z" + _sub(int((message.field.id or "z0")[1:])), reason=message.reason,
                    kept=fmt(float(message.field.number))))

    def _say(self, text: str) -> None:
        self.message = text
        self.query_one("#sp-message", Static).update(Text(text))

    # rendering ----------------------------------------------------------------------------
    def recompute(self) -> None:
        z = self.logits[: self.count]
        p = losses.softmax(z)
        grad = losses.cross_entropy_grad(z, self.target)
        ce = losses.cross_entropy(z, self.target)
        self.query_one("#sp-head-out", Static).update(
            f"{'p = softmax(z)':<{10 + BAR_WIDTH + 2}}∂CE/∂z = p − y"
        )
        for i in range(self.count):
            is_target = i == self.target
            label = f"{'▶' if is_target else ' '} {i + 1}"
            self.query_one(f"#sp-label{i + 1}", Static).update(Text(label, style="bold" if is_target else ""))
            row = Text()
            row.append(f"{fmt(float(p[i])):<10}")
            row.append(bar(float(p[i])), style="bold green" if is_target else "cyan")
            row.append(f"  {fmt(float(grad[i]), 4):<10}")
            if is_target:
                row.append(t("neuron.sm.target_mark"), style="bold")
            self.query_one(f"#sp-out{i + 1}", Static).update(row)
        k = self.target + 1
        lse = ce + z[self.target]
        text = Text()
        text.append(t("neuron.sm.sum", total=fmt(float(p.sum()), 12), target=k) + "\n")
        text.append(f"CE = −log p{_sub(k)} = −log({fmt(float(p[self.target]))}) = {fmt(ce)}\n", style="bold")
        text.append(f"   = logsumexp(z) − z{_sub(k)} = {fmt(lse)} − {fmt(z[self.target])}", style="dim")
        if p[self.target] == 0.0:
            text.append("\n" + t("neuron.sm.underflow"), style="yellow")
        text.append("\n" + t("neuron.sm.keys"), style="dim")
        self.query_one("#sp-ce", Static).update(text)
        self.query_one("#sp-message", Static).update(Text(self.message))


def _sub(k: int) -> str:
    return "".join("₀₁₂₃₄₅₆₇₈₉"[int(d)] for d in str(k))
