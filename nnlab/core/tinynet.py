"""The tutorial's 2-2-2 network: ``steps(params)``, the ordered steps of one pass, phase by phase.

Everything is plain floats (no numpy, no textual), so a step's "formula with numbers" shows
exactly the numbers that produced its value. ``steps(params)`` returns the whole pass once —
forward, backward through the output layer, through the hidden layer, optionally the biases,
then the error after the update — and the UI, ``nnlab backprop --json`` and ``--markdown``
all read that same list. The network's numbers live in ``tinynet_net``, a step and its formatting
in ``tinynet_step``, each phase's steps in ``tinynet_forward``, ``tinynet_backward`` and
``tinynet_bias``; this module re-exports the names people import from it.
"""

from __future__ import annotations

from dataclasses import replace

from nnlab.core.tinynet_backward import hidden_steps, output_steps
from nnlab.core.tinynet_bias import after_step, bias_steps
from nnlab.core.tinynet_forward import forward_steps

# The network and the step types live beside this module; their names are this module's API too.
from nnlab.core.tinynet_net import (  # noqa: F401
    BIASES,
    EDGES,
    FORWARD_NAMES,
    PARAM_BOUNDS,
    PARAM_NAMES,
    TUTORIAL,
    TUTORIAL_VALUES,
    WEIGHTS,
    Params,
    Pass,
    PassRecord,
    compute,
    forward,
    gradients,
    record,
    run_passes,
    sigmoid,
    update,
)
from nnlab.core.tinynet_step import (  # noqa: F401
    PHASES,
    SMALL,
    Builder,
    ChainRow,
    Factor,
    Step,
    chain_view,
    num,
    paren,
    small,
)


def steps(p: Params = TUTORIAL, bias_updates: bool = False) -> list[Step]:
    """The whole pass as an ordered list of steps (see the module docstring), phase by phase."""
    P = compute(p)
    b = Builder(p, tutorial=(p == TUTORIAL))
    forward_steps(b, P)
    output_steps(b, P)
    hidden_steps(b, P)
    if bias_updates:
        bias_steps(b, P)
    after_step(b, P, bias_updates)
    return _mark_repeats(b.out)


def _mark_repeats(all_steps: list[Step]) -> list[Step]:
    """Each step that computes a quantity an earlier step computed names that step (``repeat_of``)."""
    first: dict[str, str] = {}
    out = []
    for step in all_steps:
        out.append(replace(step, repeat_of=first.get(step.symbol)))
        first.setdefault(step.symbol, step.id)
    return out
