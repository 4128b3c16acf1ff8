"""A step of the pass and its chain, the numbers in its formulas, the builder every phase adds steps with."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nnlab.core.tinynet_net import BIASES, TUTORIAL_VALUES, Params, Pass


@dataclass(frozen=True)
class ChainRow:
    """One equation of the chain being built: ``lhs = Σ_terms Π_factors`` (ids of steps)."""

    lhs: str
    terms: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Step:
    id: str
    phase: str  # forward | output | hidden | bias | update
    group: str  # what the step belongs to: "forward", a weight/bias name, or "pass"
    symbol: str  # the quantity, e.g. "∂E_total/∂w5"
    formula: str  # symbolic: "∂E_total/∂w5 = ∂E_total/∂out_o1 · ∂out_o1/∂l_o1 · ∂l_o1/∂w5"
    substituted: str  # the same with numbers: "… = −0.147692493 · 0.209071672 · 0.595078474"
    value: float
    explain: str  # catalog key of the one-line explanation
    explain_fields: dict[str, str] = field(default_factory=dict)
    nodes: tuple[str, ...] = ()  # i1 i2 h1 h2 o1 o2 b1 b2 t1 t2 E
    edges: tuple[str, ...] = ()  # w1..w8
    tutorial: float | None = None  # what the tutorial printed for this quantity (default params)
    chain: tuple[ChainRow, ...] = ()
    repeat_of: str | None = None  # the earlier step that computed this same quantity (a repeat)
    reuses: tuple[str, ...] = ()  # earlier steps whose values this one reads ("δ_o1, from step 12")

    def explanation(self, lang: str | None = None) -> str:
        from nnlab.i18n import t

        return t(self.explain, lang=lang, **self.explain_fields)

    def as_dict(self, lang: str | None = None) -> dict:
        return {
            "id": self.id,
            "phase": self.phase,
            "symbol": self.symbol,
            "formula": self.formula,
            "substituted": self.substituted,
            "value": self.value,
            "explanation": self.explanation(lang),
            "explanation_key": self.explain,
            "nodes": list(self.nodes),
            "edges": list(self.edges),
            "tutorial": self.tutorial,
        }


PHASES = ("forward", "output", "hidden", "bias", "update")


SMALL = 1e-4  # below this, 9 decimals keep under 5 significant digits: show 6 significant ones instead


def small(x: float) -> str | None:
    """``x`` with 6 significant digits when 0 < |x| < SMALL (``1.74891e−5``), else None."""
    if x == 0 or abs(x) >= SMALL or not math.isfinite(x):
        return None
    mantissa, exponent = f"{x:.5e}".split("e")
    return f"{mantissa}e{int(exponent)}".replace("-", "−")


def num(x: float) -> str:
    """A number in a substituted formula: 9 decimals, trailing zeros dropped, a real minus sign;
    a value under 1e-4 in 6 significant digits (issue 15 item 6: not 0.000017489 + 0.00001762)."""
    tiny = small(x)
    if tiny is not None:
        return tiny
    text = f"{x:.9f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace("-", "−")


def paren(x: float) -> str:
    """``num`` with parentheses around a negative value, as a factor after · or −."""
    return f"({num(x)})" if x < 0 else num(x)


class Builder:
    def __init__(self, p: Params, tutorial: bool) -> None:
        self.p = p
        self.tutorial = tutorial
        self.out: list[Step] = []

    def add(
        self,
        id: str,
        phase: str,
        group: str,
        symbol: str,
        formula: str,
        numbers: str,
        value: float,
        explain: str,
        nodes=(),
        edges=(),
        chain=(),
        **fields_: object,
    ) -> Step:
        step = Step(
            id=id,
            phase=phase,
            group=group,
            symbol=symbol,
            formula=f"{symbol} = {formula}",
            substituted=f"{symbol} = {numbers}",
            value=value,
            explain=explain,
            explain_fields={k: str(v) for k, v in fields_.items()},
            nodes=tuple(nodes),
            edges=tuple(edges),
            tutorial=TUTORIAL_VALUES.get(symbol) if self.tutorial else None,
            chain=tuple(chain),
        )
        self.out.append(step)
        return step


def update_step(b: Builder, P: Pass, w: str, phase: str, nodes: tuple[str, ...], edges: tuple[str, ...]) -> None:
    p, v, g = b.p, b.p.as_dict(), P.gradients
    old, grad = v[w], g[w]
    new = old - p.lr * grad
    b.add(
        f"{w}.update",
        phase,
        w,
        f"{w}⁺",
        f"{w} − η·∂E_total/∂{w}",
        f"{num(old)} − {num(p.lr)}·{paren(grad)} = {num(new)}",
        new,
        "bp.ex.update_bias" if w in BIASES else "bp.ex.update",
        nodes=nodes,
        edges=edges,
        w=w,
    )


@dataclass(frozen=True)
class Factor:
    symbol: str
    value: float | None  # None while the step that computes it lies ahead
    current: bool  # computed by the step being shown


def chain_view(all_steps: list[Step], index: int) -> list[tuple[Factor, list[list[Factor]]]]:
    """The chain of step ``index`` as it stands at that step: per row, the left-hand side and
    its terms (each a product of factors), values filled in only for steps already reached."""
    by_id = {step.id: position for position, step in enumerate(all_steps)}

    def factor(step_id: str) -> Factor:
        at = by_id[step_id]
        step = all_steps[at]
        return Factor(step.symbol, step.value if at <= index else None, at == index)

    return [(factor(row.lhs), [[factor(f) for f in term] for term in row.terms]) for row in all_steps[index].chain]
