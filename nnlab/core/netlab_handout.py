"""The `--markdown` handout and worksheet of one pass, for any lab network (plain text, no UI).

A teacher pastes it: the network drawn in text, every value with its gradient and update, each step
with its formula, numbers, value and the tutorial's value, and no instruction of the screen's (issue
13 item 9). The worksheet blanks every value and the result of every line of numbers; its answer
key follows on its own. One minus sign throughout (−), as the screen writes it.
"""

from __future__ import annotations

from nnlab.core.netlab import Lab, compute, tutorial_lab, update
from nnlab.core.netlab_exercise import DIGITS, hidden
from nnlab.core.netlab_run import gradient_by_name
from nnlab.core.tinynet_step import PHASES, Step, num
from nnlab.i18n import t

_BUS = {
    (False, True, True, True): "┬",
    (False, True, True, False): "┐",
    (False, True, False, True): "┌",
    (True, True, True, True): "┼",
    (True, True, True, False): "┤",
    (True, True, False, True): "├",
    (True, False, True, True): "┴",
    (True, False, True, False): "┘",
    (True, False, False, True): "└",
    (True, True, False, False): "│",
    (False, False, True, True): "─",
}


def diagram(lab: Lab) -> list[str]:
    """Columns of units (inputs with their values, targets at the right) joined by buses: every
    unit feeds every unit of the next layer; under each bus its weights and bias."""
    n = lab.net
    rows = max(n.widths)
    cols: list[list[str]] = []
    for layer in range(n.depth + 1):
        cells = []
        for j in range(rows):
            if j >= n.widths[layer]:
                cells.append("")
            elif layer == 0:
                cells.append(f"{n.unit(0, j)} {num(lab.inputs[j])}")
            else:
                cells.append(n.unit(layer, j))
        cols.append(cells)
    width = [max(len(c) for c in col) for col in cols]
    lines = []
    for r in range(rows):
        line = ""
        for layer in range(n.depth + 1):
            line += cols[layer][r].ljust(width[layer])
            if layer < n.depth:
                src, dst = n.widths[layer], n.widths[layer + 1]
                left, right = r < src, r < dst
                bus = _BUS.get((r > 0, r < max(src, dst) - 1, left, right), " " if not (left or right) else "─")
                line += (" ─" if left else "  ") + bus + ("─▶ " if right else "   ")
        if r < n.widths[-1]:
            line += f"  t{r + 1} {num(lab.targets[r])}"
        lines.append(line.rstrip())
    under = ""
    for layer in range(1, n.depth + 1):
        names = [n.weight(layer, j, k) for j in range(n.widths[layer]) for k in range(n.widths[layer - 1])]
        label = f"{names[0]}–{names[-1]}" if len(names) > 1 else names[0]
        biases = [n.bias_name(layer, j) for j in range(len(lab.b[layer - 1]))]
        label += ", " + (biases[0] if len(biases) == 1 else f"{biases[0]}–{biases[-1]}")
        at = sum(width[m] + 7 for m in range(layer - 1)) + width[layer - 1]
        under = under.ljust(at) + " " + label + "  "
    lines.append(under.rstrip())
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _why(step: Step, all_steps: list[Step], number: dict[str, int]) -> str:
    key = "bp.ex.after_md" if step.explain == "bp.ex.after" else step.explain
    why = t(key, **step.explain_fields)
    if step.repeat_of:
        why += " (" + t("bp.repeat", n=number[step.repeat_of]) + ")"
    if step.reuses:
        why += (
            " ("
            + "; ".join(
                t("bp.reused", symbol=all_steps[number[r] - 1].symbol, n=number[r]) for r in step.reuses if r in number
            )
            + ")"
        )
    return why


def _values_table(lab: Lab, bias_updates: bool) -> list[str]:
    """One row per value: what it is now, its gradient, what the pass leaves it at."""
    P = compute(lab)
    after = update(lab, P, bias_updates).values()
    grads = gradient_by_name(lab)
    lines = [t("bp.md.values_cols"), "|---|---:|---:|---:|"]
    for name, value in lab.values().items():
        grad = num(grads[name]) if name in grads else "—"
        new = num(after[name]) if name in grads else "—"
        lines.append(f"| {'η' if name == 'lr' else name} | {num(value)} | {grad} | {new} |")
    return lines


def handout(
    lab: Lab,
    all_steps: list[Step],
    order: str,
    counts: dict[str, int],
    bias_updates: bool,
    history: list[float] | None = None,
    worksheet: bool = False,
) -> str:
    n = lab.net
    other = "node" if order == "weight" else "weight"
    tutorial = any(s.tutorial is not None for s in all_steps)
    title = t("bp.md.title").replace("2-2-2", n.text)
    lines = [f"# {title}" + (f" — {t('bp.md.worksheet')}" if worksheet else ""), ""]
    lines += [
        t("bp.md.net", net=n.text, acts=", ".join(n.acts), loss=n.loss, bias=t(f"bp.md.bias_word.{n.bias}")),
        "",
        t("bp.md.order", order=t(f"bp.order.{order}"), n=counts[order], other=counts[other]),
        "",
        t("bp.md.bias", state=t("bp.md.on" if bias_updates else "bp.md.off")),
        "",
    ]
    if worksheet:
        lines += [t("bp.md.worksheet_how", digits=DIGITS), ""]
    lines += [f"## {t('bp.md.diagram')}", "", "```text", *diagram(lab), "```", ""]
    if worksheet:
        lines += [f"## {t('bp.md.params')}", "", t("bp.md.ws_values_cols"), "|---|---:|"]
        lines += [f"| {'η' if k == 'lr' else k} | {num(v)} |" for k, v in lab.values().items()]
        lines.append("")
    else:
        lines += [f"## {t('bp.md.params')}", "", *_values_table(lab, bias_updates), ""]
    if not tutorial:
        lines += [t("bp.md.no_tutorial"), ""]
    number = {s.id: k + 1 for k, s in enumerate(all_steps)}
    for phase in PHASES:
        chunk = [s for s in all_steps if s.phase == phase]
        if not chunk:
            continue
        cols = t("bp.md.cols_tutorial") if tutorial and not worksheet else t("bp.md.cols")
        key = "bp.phase.bias_neuron" if phase == "bias" and n.bias == "neuron" else f"bp.phase.{phase}"
        lines += [
            f"## {t(key)}",
            "",
            cols,
            "|---:|---|---|---|---:|---:|---|" if tutorial and not worksheet else "|---:|---|---|---|---:|---|",
        ]
        for s in chunk:
            numbers = hidden(s) if worksheet else s.substituted
            value = "______" if worksheet else num(s.value)
            row = f"| {number[s.id]} | {_cell(s.symbol)} | {_cell(s.formula)} | {_cell(numbers)} | {value} |"
            if tutorial and not worksheet:
                row += f" {'—' if s.tutorial is None else num(s.tutorial)} |"
            lines.append(row + f" {_cell(_why(s, all_steps, number))} |")
        lines.append("")
    if worksheet:
        lines += [f"## {t('bp.md.answers')}", "", t("bp.md.answer_cols"), "|---:|---|---:|"]
        lines += [f"| {number[s.id]} | {_cell(s.symbol)} | {num(s.value)} |" for s in all_steps]
        lines.append("")
    if history is not None:
        lines += [f"## {t('bp.md.history_n')}", "", t("bp.md.history_cols"), "|---:|---:|"]
        lines += [f"| {k} | {num(E)} |" for k, E in enumerate(history, start=1)]
        lines.append("")
    return "\n".join(lines)


def is_tutorial_net(lab: Lab) -> bool:
    return lab.net == tutorial_lab().net
