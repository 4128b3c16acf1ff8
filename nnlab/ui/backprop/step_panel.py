"""The current step: formula, the numbers substituted, its value, the chain being built, progress."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from nnlab.core.netlab import Lab, tutorial_lab
from nnlab.core.netlab_exercise import hidden as hidden_numbers
from nnlab.core.tinynet_net import TUTORIAL_VALUES
from nnlab.core.tinynet_step import Factor, Step, chain_view, num, small
from nnlab.i18n import t

TUTORIAL_TOLERANCE = 1e-9  # the tutorial printed 9 decimals and rounded some in the last one


def fmt9(x: float) -> str:
    """A value to 9 decimals with a real minus sign (−0.000000000 shows as 0.000000000); under 1e-4,
    6 significant digits (``1.74891e−5``), as in the formulas."""
    tiny = small(x)
    if tiny is not None:
        return tiny
    text = f"{x:.9f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def tutorial_note(value: float, tutorial: float) -> str:
    """Why the tutorial's last digit differs: it cut the digits off, or the gap itself."""
    import math

    if math.trunc(value * 1e9) / 1e9 == tutorial or abs(math.trunc(value * 1e9) / 1e9 - tutorial) < 1e-15:
        return t("bp.panel.truncated")
    return t("bp.panel.diff", diff=f"{value - tutorial:+.1e}".replace("-", "−"))


def reuse_line(steps: list[Step], index: int) -> str:
    """ "repeats step 12" or "∂E_o1/∂l_o1, from step 14": what this step computed before or reads."""
    step = steps[index]
    number = {s.id: k + 1 for k, s in enumerate(steps)}
    parts = []
    if step.repeat_of in number:
        parts.append(t("bp.repeat", n=number[step.repeat_of]))
    parts += [t("bp.reused", symbol=steps[number[r] - 1].symbol, n=number[r]) for r in step.reuses if r in number]
    return " · ".join(parts)


def phase_key(phase: str, lab: Lab) -> str:
    """A bias of its own per neuron is not a shared one: its phase says so."""
    return "bp.phase.bias_neuron" if phase == "bias" and lab.net.bias == "neuron" else f"bp.phase.{phase}"


def _hide(factor: Factor) -> Factor:
    return Factor(factor.symbol, None, True) if factor.current else factor


def _pad(text: str, width: int, align: str = "center") -> str:
    gap = max(width - cell_len(text), 0)
    if align == "left":
        return text + " " * gap
    left = gap // 2
    return " " * left + text + " " * (gap - left)


def chain_lines(rows: list[tuple[Factor, list[list[Factor]]]], hot, unknown) -> list[Text]:
    """Each chain equation as two aligned lines: symbols above, values (or ?) below."""
    lines: list[Text] = []
    for lhs, terms in rows:
        cells: list[tuple[str, str, object]] = []  # (symbol, value text, style) or separators

        def add(factor: Factor, cells: list = cells) -> None:
            value = "?" if factor.value is None else fmt9(factor.value)
            style = hot if factor.current else unknown if factor.value is None else None
            cells.append((factor.symbol, value, style))

        add(lhs)
        cells.append((" = ", " = ", None))
        for n, term in enumerate(terms):
            if n:
                cells.append((" + ", " + ", None))
            for m, factor in enumerate(term):
                if m:
                    cells.append(("·", "·", None))
                add(factor)
        top, bottom = Text(no_wrap=True, overflow="crop"), Text(no_wrap=True, overflow="crop")
        for symbol, value, style in cells:
            width = max(cell_len(symbol), cell_len(value))
            top.append(_pad(symbol, width), style=style if style is hot else None)
            bottom.append(_pad(value, width), style=style)
        lines += [top, bottom]
    return lines


class StepPanel(Widget):
    """Renders step ``index`` of ``steps``; the parent sets them with ``show``."""

    COMPONENT_CLASSES = {"panel--hot", "panel--label", "panel--unknown", "panel--good", "panel--bad", "panel--title"}
    DEFAULT_CSS = """
    StepPanel { height: 1fr; padding: 0 1; }
    StepPanel > .panel--hot { background: $accent; color: $text; text-style: bold; }
    StepPanel > .panel--label { color: $text-muted; }
    StepPanel > .panel--unknown { color: $text-muted; }
    StepPanel > .panel--good { color: $success; }
    StepPanel > .panel--bad { color: $error; text-style: bold; }
    StepPanel > .panel--title { text-style: bold; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.steps: list[Step] = []
        self.index = 0
        self.pass_no = 1
        self.bias_updates = False
        self.lab = tutorial_lab()
        self.hidden = False  # exercise mode: the step's result waits for the learner's answer

    def show(
        self, steps: list[Step], index: int, pass_no: int, bias_updates: bool, lab: Lab, hidden: bool = False
    ) -> None:
        self.steps, self.index, self.pass_no, self.lab = steps, index, pass_no, lab
        self.bias_updates, self.hidden = bias_updates, hidden
        self.refresh()

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    def _style(self, name: str):
        return self.get_component_rich_style(f"panel--{name}")

    def render(self) -> Text:
        """The step; the reuse note on its own line, else in the title, else left out (80x24 fits)."""
        if not self.steps:
            return Text("")
        reuse = reuse_line(self.steps, self.index)
        if not reuse or not self.size.height:
            return self._render_step("")
        for where in ("line", "title"):
            out = self._render_step(reuse, where)
            if len(out.wrap(self.app.console, max(self.size.width, 20))) <= self.size.height:
                return out
        return self._render_step("")

    def _render_step(self, reuse: str, where: str = "line") -> Text:
        step = self.step
        label_w = max(cell_len(t(k)) for k in ("bp.panel.formula", "bp.panel.numbers", "bp.panel.value")) + 1
        out = Text()
        title = t(
            "bp.panel.step",
            n=self.index + 1,
            total=len(self.steps),
            pass_no=self.pass_no,
            phase=t(phase_key(step.phase, self.lab)),
        )
        out.append(title, style=self._style("title"))
        label = reuse if where == "title" else t("bp.panel.bias_on" if self.bias_updates else "bp.panel.bias_off")
        out.append("  ·  " + label, style=self._style("label"))
        out.append("\n")
        numbers = hidden_numbers(step) if self.hidden else step.substituted
        for key, text in (("bp.panel.formula", step.formula), ("bp.panel.numbers", numbers)):
            out.append(_pad(t(key), label_w, "left"), style=self._style("label"))
            out.append(text + "\n")
        out.append(_pad(t("bp.panel.value"), label_w, "left"), style=self._style("label"))
        out.append(f" {step.symbol} = {'?' if self.hidden else fmt9(step.value)} ", style=self._style("hot"))
        if self.hidden:
            pass  # nothing that would give the value away
        elif step.tutorial is not None:
            ok = abs(step.tutorial - step.value) <= TUTORIAL_TOLERANCE
            out.append("   ")
            out.append(
                t("bp.panel.tutorial", value=fmt9(step.tutorial), mark="✓" if ok else "✗"),
                style=self._style("good" if ok else "bad"),
            )
            if ok and fmt9(step.tutorial) != fmt9(step.value):  # a different last digit: say why
                out.append(" " + tutorial_note(step.value, step.tutorial), style=self._style("label"))
        elif step.symbol in TUTORIAL_VALUES:  # the tutorial printed it, for its own network, pass 1
            own = self.lab.net == tutorial_lab().net and self.pass_no > 1
            out.append(
                "   " + t("bp.panel.no_tutorial_pass" if own else "bp.panel.no_tutorial"), style=self._style("label")
            )
        out.append("\n")
        if reuse and where == "line":
            out.append(_pad("", label_w, "left") + reuse + "\n", style=self._style("label"))
        rows = chain_view(self.steps, self.index)
        if self.hidden:
            rows = [(_hide(lhs), [[_hide(f) for f in term] for term in terms]) for lhs, terms in rows]
        if rows:
            out.append("\n")
            for line in chain_lines(rows, self._style("hot"), self._style("unknown")):
                out.append_text(line)
                out.append("\n")
        elif step.phase == "forward":
            out.append("\n")
            out.append_text(self.known_grid())
        elif step.group == "pass":
            out.append("\n")
            out.append_text(self.updates_grid())
        out.append("\n")
        if not self.hidden:  # the explanation is the hint: it comes after a wrong answer
            out.append(step.explanation() + "\n", style="italic")
        self.append_outline(out)
        out.rstrip()
        return out

    def group_factors(self) -> list[Factor]:
        """Every step of the current step's group (a weight's gradient, the forward pass) as it stands."""
        group = self.step.group
        last = self.index - 1 if self.hidden else self.index
        return [
            Factor(s.symbol, s.value if k <= last else None, k == self.index)
            for k, s in enumerate(self.steps)
            if s.group == group
        ]

    def known_grid(self) -> Text:
        """The forward values so far, in columns: computed ones filled in, the current one lit."""
        cells = [f"{f.symbol} = {'?' if f.value is None else fmt9(f.value)}" for f in self.group_factors()]
        width = max(cell_len(c) for c in cells) + 3
        columns = max(1, (self.size.width - 2) // width)
        text = Text(no_wrap=True, overflow="crop")
        for k, (factor, cell) in enumerate(zip(self.group_factors(), cells)):
            style = self._style("hot") if factor.current else self._style("unknown") if factor.value is None else None
            text.append(cell, style=style)
            text.append("\n" if (k + 1) % columns == 0 else " " * (width - cell_len(cell)))
        if not str(text).endswith("\n"):
            text.append("\n")
        return text

    def updates_grid(self) -> Text:
        """At the end of the pass: every parameter's old and new value, as they apply together."""
        values = self.lab.values()
        cells = [f"{s.group} {num(values[s.group])} → {num(s.value)}" for s in self.steps if s.id.endswith(".update")]
        width = max(cell_len(c) for c in cells) + 3
        columns = max(1, (self.size.width - 2) // width)
        text = Text(no_wrap=True, overflow="crop")
        for k, cell in enumerate(cells):
            text.append(cell)
            text.append("\n" if (k + 1) % columns == 0 or k == len(cells) - 1 else " " * (width - cell_len(cell)))
        return text

    def append_outline(self, out: Text) -> None:
        """Where the panel has room (e.g. 120x40): the whole group, step by step, below."""
        if self.step.group in ("forward", "pass"):
            return
        factors = self.group_factors()
        used = len(out.wrap(self.app.console, max(self.size.width, 20)))
        if self.size.height - used < len(factors) + 2:
            return
        out.append("\n")
        group = [s for s in self.steps if s.group == self.step.group]
        for n, (factor, step) in enumerate(zip(factors, group), start=1):
            value = "?" if factor.value is None else fmt9(factor.value)
            style = self._style("hot") if factor.current else self._style("unknown") if factor.value is None else None
            line = f"{n:>3}. {step.formula} = {value}"
            if cell_len(line) > self.size.width:  # no room for the formula: the symbol alone
                line = f"{n:>3}. {factor.symbol} = {value}"
            out.append(line + "\n", style=style)
