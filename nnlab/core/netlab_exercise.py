"""Exercises on the steps of a pass: what is hidden, when an answer counts, and what went wrong.

An answer is right when it rounds to the same 4 significant digits as the value (the tolerance
is half a unit in the 4th digit, and the screen states it). A wrong answer is diagnosed against
the step's own formula with numbers: the sign, a factor left out, a term left out, or an earlier
value used in place of a factor (the old weight vs w⁺, out vs l …): that names the factor.
Plain floats and catalog keys only; the screen and the worksheet say them in either language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nnlab.core.tinynet_step import Step

DIGITS = 4  # significant digits an answer must get right


def tolerance(value: float) -> float:
    """Half a unit in the ``DIGITS``-th significant digit of ``value`` (an exact 0 for 0)."""
    if value == 0 or not math.isfinite(value):
        return 5e-10
    return 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - DIGITS + 1)


def is_right(value: float, answer: float) -> bool:
    return abs(answer - value) <= tolerance(value) * (1 + 1e-9)


def shown_tolerance(value: float) -> str:
    """The tolerance as the screen states it: ``±0.00005`` (one significant digit)."""
    tol = tolerance(value)
    text = f"{tol:.{max(0, -math.floor(math.log10(tol)))}f}" if tol >= 1e-6 else f"{tol:.0e}"
    return "±" + text


def hidden(step: Step) -> str:
    """The step's numbers with its result replaced by ? (what the learner works from)."""
    text = step.substituted
    if " → " in text:
        return text.rsplit(" → ", 1)[0] + " → ?"
    if text.count(" = ") >= 2:
        return text.rsplit(" = ", 1)[0] + " = ?"
    return f"{step.symbol} = ?"


@dataclass(frozen=True)
class Verdict:
    right: bool
    key: str = ""  # catalog key of what differs ("" when right)
    fields: dict[str, str] = field(default_factory=dict)


def _number(token: str) -> float | None:
    token = token.strip()
    while token.startswith("(") and token.endswith(")"):
        token = token[1:-1].strip()
    try:
        return float(token.replace("−", "-"))
    except ValueError:
        return None


def _split(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses."""
    out, depth, start, k = [], 0, 0, 0
    while k < len(text):
        char = text[k]
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and text.startswith(sep, k):
            out.append(text[start:k])
            k += len(sep)
            start = k
            continue
        k += 1
    out.append(text[start:])
    return [part.strip() for part in out]


def structure(step: Step) -> tuple[str, list[tuple[str, float]]] | None:
    """("product" | "sum", [(symbol, number)]) when the formula is a plain product or sum of numbers."""
    if step.substituted.count(" = ") < 2:
        return None
    sym = step.formula.split(" = ", 1)[1]
    nums = step.substituted.split(" = ", 1)[1].rsplit(" = ", 1)[0]
    for kind, sep in (("sum", "+"), ("product", "·")):
        s_parts, n_parts = _split(sym, sep), _split(nums, sep)
        if len(s_parts) > 1 and len(s_parts) == len(n_parts):
            if kind == "sum" and any("·" in p for p in n_parts):
                values = []
                for p in n_parts:
                    factors = [_number(f) for f in _split(p, "·")]
                    if any(f is None for f in factors):
                        return None
                    values.append(math.prod(factors))
                return kind, list(zip(s_parts, values))
            values = [_number(p) for p in n_parts]
            if all(v is not None for v in values):
                return kind, list(zip(s_parts, values))
    return None


def _fmt(x: float) -> str:
    return f"{x:.6g}".replace("-", "−")


def diagnose(steps: list[Step], index: int, answer: float) -> Verdict:
    """Right, or which factor (or term, or sign) differs."""
    step = steps[index]
    value = step.value
    if is_right(value, answer):
        return Verdict(True)
    if value != 0 and is_right(-value, answer):
        return Verdict(False, "bp.exo.sign")
    shape = structure(step)
    if shape is not None:
        kind, parts = shape
        if kind == "product":
            for sym, f in parts:
                if f != 0 and f != 1 and is_right(value / f, answer):
                    return Verdict(False, "bp.exo.missing_factor", {"factor": sym, "value": _fmt(f)})
            earlier = {}
            for s in steps[:index]:
                earlier.setdefault(round(s.value, 12), s.symbol)
            for sym, f in parts:
                if f == 0:
                    continue
                for v, other in earlier.items():
                    if v != f and other != sym and is_right(value / f * v, answer):
                        return Verdict(
                            False,
                            "bp.exo.wrong_factor",
                            {"factor": sym, "value": _fmt(f), "other": other, "used": _fmt(v)},
                        )
        else:
            for sym, term in parts:
                if term != 0 and is_right(value - term, answer):
                    return Verdict(False, "bp.exo.missing_term", {"term": sym, "value": _fmt(term)})
                if term != 0 and is_right(value - 2 * term, answer):
                    return Verdict(False, "bp.exo.term_sign", {"term": sym, "value": _fmt(term)})
    if step.explain.startswith("bp.ex.update") and " − " in step.substituted:
        old = _number(step.substituted.split(" = ", 1)[1].split(" − ", 1)[0])
        if old is not None and is_right(2 * old - value, answer):
            return Verdict(False, "bp.exo.update_sign")
    return Verdict(False, "bp.exo.recompute", {"formula": step.formula.split(" = ", 1)[1]})


@dataclass
class Score:
    """Per pass: steps answered, right at the first try, right after a hint."""

    answered: int = 0
    first: int = 0
    after_hint: int = 0

    @property
    def right(self) -> int:
        return self.first + self.after_hint
