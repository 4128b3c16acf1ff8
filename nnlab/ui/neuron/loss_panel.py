"""LossPanel: a 1-input linear neuron over editable (x, y) points; L1 and MSE live; descent steps."""

from __future__ import annotations

import math

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Sparkline, Static

from nnlab.core import losses
from nnlab.core.format import sig as fmt
from nnlab.core.numbers import Bounds
from nnlab.i18n import t
from nnlab.ui.neuron.fit_plot import FitPlot
from nnlab.ui.shared.number_field import NumberField

VALUE_BOUNDS = Bounds(-1e6, 1e6)
LR_BOUNDS = Bounds(0, 10, nonzero=True)
FIELD_FMT = "{:.12g}"
STEP_FMT = "{:.6g}"  # w and b after a descent step: 6 significant digits fit the box (the value keeps all)
MAX_POINTS, MIN_POINTS = 8, 1
RUN_STEPS = 40  # G runs this many steps, one every RUN_INTERVAL seconds
RUN_INTERVAL = 0.08
# Points near the tutorial's f(x) = 2x + 1, a little noisy so no line fits them exactly.
DEFAULT_POINTS = ((0.0, 1.2), (1.0, 2.8), (2.0, 5.1), (3.0, 7.2), (4.0, 8.7))
DEFAULT_W, DEFAULT_B, DEFAULT_LR = 0.5, 0.0, 0.05


def _field(
    number: float, id: str, bounds: Bounds = VALUE_BOUNDS, step: float = 0.1, fmt: str = FIELD_FMT
) -> NumberField:
    return NumberField(number, bounds, fmt, step=step, revert_on_blur=True, compact=True, id=id)


def _field_name(id: str) -> str:
    """px3 → x₃, py3 → y₃, lw → w, lb → b, lr → η."""
    if id[:2] in ("px", "py"):
        return id[1] + "".join("₀₁₂₃₄₅₆₇₈₉"[int(d)] for d in id[2:])
    return {"lw": "w", "lb": "b", "lr": "η"}.get(id, id)


class LossPanel(Horizontal):
    DEFAULT_CSS = """
    LossPanel { height: 1fr; }
    LossPanel #lp-left { width: 40; padding: 0 1 0 0; }
    LossPanel .lp-row { height: 1; }
    LossPanel .lp-label { width: 4; }
    LossPanel .lp-head { width: 11; text-style: bold; }
    LossPanel .lp-res { width: 10; }
    LossPanel NumberField { width: 10; margin: 0 1 0 0; }
    LossPanel #lp-history { height: 1; margin: 0 0; }
    LossPanel #lp-message { color: $error; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.xs = [p[0] for p in DEFAULT_POINTS] + [0.0] * (MAX_POINTS - len(DEFAULT_POINTS))
        self.ys = [p[1] for p in DEFAULT_POINTS] + [0.0] * (MAX_POINTS - len(DEFAULT_POINTS))
        self.count = len(DEFAULT_POINTS)
        self.w, self.b, self.lr = DEFAULT_W, DEFAULT_B, DEFAULT_LR
        self.loss = "mse"
        self.steps = 0
        self.history: list[float] = []
        self.last_step: losses.Step | None = None
        self.message = ""
        self._timer: Timer | None = None
        self._left_to_run = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="lp-left"):
            with Horizontal(classes="lp-row"):
                yield Static("", classes="lp-label")
                yield Static("x", classes="lp-head")
                yield Static("y", classes="lp-head")
                yield Static("w·x+b−y", classes="lp-head")
            for i in range(1, MAX_POINTS + 1):
                with Horizontal(classes="lp-row", id=f"lp-row{i}"):
                    yield Static(f"{i}", classes="lp-label")
                    yield _field(self.xs[i - 1], f"px{i}")
                    yield _field(self.ys[i - 1], f"py{i}")
                    yield Static("", classes="lp-res", id=f"lp-res{i}")
            with Horizontal(classes="lp-row"):
                yield Static("w", classes="lp-label")
                yield _field(self.w, "lw", fmt=STEP_FMT)
                yield Static("b", classes="lp-label")
                yield _field(self.b, "lb", fmt=STEP_FMT)
            with Horizontal(classes="lp-row"):
                yield Static("η", classes="lp-label")
                yield _field(self.lr, "lr", LR_BOUNDS, step=0.01)
                yield Static(id="lp-which")
            yield Static(id="lp-losses")
            yield Sparkline([], id="lp-history")
            yield Static(id="lp-step")
            yield Static(id="lp-message")
        yield FitPlot(id="lp-plot")

    def on_mount(self) -> None:
        self._sync_rows()
        self.recompute()

    @property
    def running(self) -> bool:
        return self._timer is not None

    # verbs --------------------------------------------------------------------------------
    def step(self) -> bool:
        """One gradient-descent step on the chosen loss. False (and a message) if it diverged."""
        xs, ys = self.xs[: self.count], self.ys[: self.count]
        s = losses.gd_step(self.w, self.b, xs, ys, self.lr, self.loss)
        if not all(math.isfinite(v) and abs(v) <= VALUE_BOUNDS.hi for v in (s.w, s.b)):
            self._say(t("neuron.loss.diverged", lr=fmt(self.lr)))
            self.stop()
            return False
        if not self.history:
            self.history.append(s.loss_before)
        self.w, self.b, self.last_step = s.w, s.b, s
        self.steps += 1
        self.history.append(s.loss_after)
        self.query_one("#lw", NumberField).set_number(self.w)
        self.query_one("#lb", NumberField).set_number(self.b)
        self.message = ""
        self.recompute()
        return True

    def toggle_run(self) -> None:
        if self.running:
            self.stop()
            return
        self._left_to_run = RUN_STEPS
        self._timer = self.set_interval(RUN_INTERVAL, self._tick)

    def _tick(self) -> None:
        if self._left_to_run <= 0 or not self.step():
            self.stop()
            return
        self._left_to_run -= 1

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._render_step()

    def switch_loss(self) -> None:
        self.loss = "l1" if self.loss == "mse" else "mse"
        self._restart_history()
        self.recompute()

    def add_point(self) -> None:
        if self.count >= MAX_POINTS:
            self._say(t("neuron.loss.max_points", n=MAX_POINTS))
            return
        i = self.count
        self.xs[i] = self.xs[i - 1] + 1.0
        self.ys[i] = self.w * self.xs[i] + self.b  # on the current line: the losses do not jump
        self.count += 1
        self._sync_rows()
        self._restart_history()
        self.recompute()

    def remove_point(self) -> None:
        if self.count <= MIN_POINTS:
            self._say(t("neuron.loss.min_points"))
            return
        self.count -= 1
        self._sync_rows()
        self._restart_history()
        self.recompute()

    def reset(self) -> None:
        self.stop()
        self.w, self.b = DEFAULT_W, DEFAULT_B
        self.query_one("#lw", NumberField).set_number(self.w)
        self.query_one("#lb", NumberField).set_number(self.b)
        self.message = ""
        self._restart_history()
        self.recompute()

    # fields -------------------------------------------------------------------------------
    def _sync_rows(self) -> None:
        for i in range(1, MAX_POINTS + 1):
            self.query_one(f"#lp-row{i}").display = i <= self.count
            self.query_one(f"#px{i}", NumberField).set_number(self.xs[i - 1])
            self.query_one(f"#py{i}", NumberField).set_number(self.ys[i - 1])

    def _restart_history(self) -> None:
        self.steps, self.history, self.last_step = 0, [], None

    def on_number_field_committed(self, message: NumberField.Committed) -> None:
        message.stop()
        name, value = message.field.id or "", float(message.number)
        if name == "lw":
            self.w = value
        elif name == "lb":
            self.b = value
        elif name == "lr":
            self.lr = value
        elif name[:2] in ("px", "py"):
            (self.xs if name[1] == "x" else self.ys)[int(name[2:]) - 1] = value
        if name != "lr":
            self._restart_history()  # the descent being shown starts again from the new numbers
        self.message = ""
        self.recompute()

    def on_number_field_invalid(self, message: NumberField.Invalid) -> None:
        message.stop()
        self._say(
            t(
                "neuron.msg.rejected",
                field=_field_name(message.field.id or ""),
                reason=message.reason,
                kept=fmt(float(message.field.number)),
            )
        )

    def _say(self, text: str) -> None:
        self.message = text
        self.query_one("#lp-message", Static).update(Text(text))

    # rendering ----------------------------------------------------------------------------
    def recompute(self) -> None:
        xs, ys = self.xs[: self.count], self.ys[: self.count]
        r = losses.residuals(self.w, self.b, xs, ys)
        for i in range(self.count):
            self.query_one(f"#lp-res{i + 1}", Static).update(fmt(float(r[i]), 4))
        l1, mse = losses.l1(self.w, self.b, xs, ys), losses.mse(self.w, self.b, xs, ys)
        text = Text()
        text.append(f"L1 = Σ|w·xᵢ+b−yᵢ| = {fmt(l1)}\n", style="bold" if self.loss == "l1" else "")
        text.append(f"MSE = (1/n)·Σ(w·xᵢ+b−yᵢ)² = {fmt(mse)}", style="bold" if self.loss == "mse" else "")
        self.query_one("#lp-losses", Static).update(text)
        self.query_one("#lp-which", Static).update(t("neuron.loss.descending", loss=self.loss.upper()))
        sparkline = self.query_one("#lp-history", Sparkline)
        sparkline.display = len(self.history) > 1  # nothing to draw before the first step
        sparkline.data = self.history[-40:]
        self._render_step()
        self.query_one("#lp-message", Static).update(Text(self.message))
        self.query_one("#lp-plot", FitPlot).show(xs, ys, self.w, self.b)

    def _render_step(self) -> None:
        s, name = self.last_step, self.loss.upper()
        text = Text()
        if s is None:
            text.append(t("neuron.loss.no_steps"), style="dim")
        else:
            text.append(
                t("neuron.loss.step", n=self.steps, loss=name, first=fmt(self.history[0]), now=fmt(self.history[-1]))
                + "\n"
            )
            text.append(f"∂{name}/∂w = {fmt(s.grad_w, 4)}  ∂{name}/∂b = {fmt(s.grad_b, 4)}", style="dim")
            if s.loss_after > s.loss_before:
                # L1's gradient is Σ sign(rᵢ)·xᵢ: it does not shrink near the minimum, so a fixed
                # step jumps across the kink and back; blaming η alone would mislead there.
                key = "neuron.loss.rose_l1" if self.loss == "l1" else "neuron.loss.rose"
                text.append("\n" + t(key), style="yellow")
        if self.running:
            text.append("  " + t("neuron.loss.running"), style="bold")
        self.query_one("#lp-step", Static).update(text)
