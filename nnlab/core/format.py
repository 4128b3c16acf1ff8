"""Numbers as a person reads them, written once for every screen, CLI line and message.

``sig`` keeps significant digits (the neuron explorer's 6, the anatomy view's 4), ``bound`` writes
a range's ends (an integer where the value is one), ``minus`` puts a real minus sign in a formula.
None of them ever shows "-0".
"""

from __future__ import annotations

import math


def sig(x: float, digits: int = 6) -> str:
    """Up to ``digits`` significant digits: 0.5, 1.23457e+06, nan, inf, -inf; 0 and -0.0 are "0"."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return f"{x:.{digits}g}"


def bound(x: float) -> str:
    """A limit as typed: 10000, 0.001, 1e+06 (never 10000.0)."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else f"{x:g}"


def sci(x: float, digits: int = 3) -> str:
    """A short scientific form for rates that span decades: 1.00e-3, 2.50e-4, 1.00e0 (``digits``
    significant digits, the exponent without "+" or leading zeros); nan, inf, -inf; 0 is "0"."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return sig(x)
    mantissa, _, exponent = f"{x:.{max(1, digits) - 1}e}".partition("e")
    return f"{mantissa}e{int(exponent)}"


def minus(text: str) -> str:
    """ASCII hyphens as the minus sign U+2212, for numbers set in formulas."""
    return text.replace("-", "−")
