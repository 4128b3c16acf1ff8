"""SoftmaxPanel: 2–10 editable logits → probabilities, a target class, cross-entropy and its gradient."""

from __future__ import annotations

import math

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from nnlab.core import losses
from nnlab.core.format import sig as fmt
from nnlab.core.numbers import Bounds
from nnlab.i18n import t
from nnlab.ui.shared.number_field import NumberField

LOGIT_BOUNDS = Bounds(-1e6, 1e6)
MAX_CLASSES, MIN_CLASSES = 10, 2
DEFAULT_LOGITS = (2.0, 1.0, 0.1)
BAR_WIDTH = 10
E_WIDTH, P_WIDTH = 10, 10  # the e^z and p columns
EXP_LIMIT = 700.0  # e^709.78 is the largest float64
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
                yield NumberField(
                    self.logits[i - 1], LOGIT_BOUNDS, "{:.12g}", step=0.1, revert_on_blur=True, compact=True, id=f"z{i}"
                )
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
        self._say(
            t(
                "neuron.msg.rejected",
                field="z" + _sub(int((message.field.id or "z0")[1:])),
                reason=message.reason,
                kept=fmt(float(message.field.number)),
            )
        )

    def _say(self, text: str) -> None:
        self.message = text
        self.query_one("#sp-message", Static).update(Text(text))

    # rendering ----------------------------------------------------------------------------
    def recompute(self) -> None:
        z = self.logits[: self.count]
        p = losses.softmax(z)
        grad = losses.cross_entropy_grad(z, self.target)
        ce = losses.cross_entropy(z, self.target)
        # The step beginners need: e^zᵢ, then each over their sum. e^710 overflows float64, so past
        # EXP_LIMIT the column shows e^(zᵢ − m) with m = max z: the same p, every term finite.
        m = max(z)
        shift = m if m > EXP_LIMIT else 0.0
        e = [math.exp(zi - shift) for zi in z]
        e_head = "e^zᵢ" if shift == 0.0 else "e^(zᵢ−m)"
        self.query_one("#sp-head-out", Static).update(
            f"{e_head:<{E_WIDTH}}{'pᵢ':<{P_WIDTH + BAR_WIDTH + 1}}∂CE/∂zᵢ = pᵢ − yᵢ"
        )
        for i in range(self.count):
            is_target = i == self.target
            label = f"{'▶' if is_target else ' '} {i + 1}"
            self.query_one(f"#sp-label{i + 1}", Static).update(Text(label, style="bold" if is_target else ""))
            row = Text()
            row.append(f"{fmt(e[i], 4):<{E_WIDTH}}", style="dim")
            row.append(f"{fmt(float(p[i])):<{P_WIDTH}}")
            row.append(bar(float(p[i])), style="bold green" if is_target else "cyan")
            row.append(f" {fmt(float(grad[i]), 4):<9}")
            if is_target:
                row.append(t("neuron.sm.target_mark"), style="bold")
            self.query_one(f"#sp-out{i + 1}", Static).update(row)
        k = self.target + 1
        lse = ce + z[self.target]
        total = math.fsum(e)
        text = Text()
        text.append(f"pᵢ = e^zᵢ / Σⱼ e^zⱼ   Σⱼ e^{'zⱼ' if shift == 0.0 else '(zⱼ−m)'} = {fmt(total)}", style="bold")
        if shift:
            text.append("  " + t("neuron.sm.shifted", m=fmt(m)), style="dim")
        text.append("\n" + t("neuron.sm.sum", total=fmt(float(p.sum()), 12), target=k) + "\n")
        p_target = float(p[self.target])
        if fmt(p_target) == "0":
            # −log(0) is no number: saying "−log(0) = 1000" would be a false equation.
            text.append(t("neuron.sm.rounds_to_0", k=_sub(k)) + "\n", style="yellow")
            text.append(
                f"CE = logsumexp(z) − z{_sub(k)} = {fmt(lse)} − {fmt(z[self.target])} = {fmt(ce)}", style="bold"
            )
        else:
            text.append(f"CE = −log p{_sub(k)} = −log({fmt(p_target)}) = {fmt(ce)}\n", style="bold")
            text.append(f"   = logsumexp(z) − z{_sub(k)} = {fmt(lse)} − {fmt(z[self.target])}", style="dim")
        text.append("\n" + t("neuron.sm.torch"), style="dim")
        text.append("\n" + t("neuron.sm.keys"), style="dim")
        self.query_one("#sp-ce", Static).update(text)
        self.query_one("#sp-message", Static).update(Text(self.message))


def _sub(k: int) -> str:
    return "".join("₀₁₂₃₄₅₆₇₈₉"[int(d)] for d in str(k))
