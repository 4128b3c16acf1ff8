"""Chinese line breaking (issue 13 item 11): no wrapped line starts with closing punctuation.

Rich and Textual fold a Chinese sentence (a run without spaces) wherever the width runs out, so
"，" or "。" could open a line. The app installs ``nnlab.ui.shared.linebreak``; these tests wrap
the longest Chinese catalog texts the ways nnlab shows them (Textual's Content in a Static, Rich's
Text in tables and logs, the Train log's own wrap) and look at the help and backprop screens.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.content import Content

from nnlab.i18n import catalog
from nnlab.ui.app import NNLabApp
from nnlab.ui.shared.linebreak import NO_START

WIDTHS = range(30, 81)
CJK_CLOSING = {mark for mark in NO_START if ord(mark) >= 0x2000}  # "，。：）…": never after a space


def _longest_chinese(n: int = 150) -> list[str]:
    return sorted((zh for _en, zh in catalog().values()), key=len, reverse=True)[:n]


@pytest.fixture(scope="module", autouse=True)
def _app_wrapping():
    NNLabApp()  # what the app sets up for every screen (the wrapping rule among it)


def _bad_starts(source: str, lines: list[str]) -> list[str]:
    """Lines that open with a closing mark the source glued to the character before it (a mark
    written after a space, "[ 和 ] 选择", may start a line: the writer put a break there)."""
    bad, at = [], 0
    for line in lines:
        at = source.find(line.strip(), at) if line.strip() else at
        first = line.lstrip()[:1]
        if first in NO_START and at > 0 and not source[at - 1].isspace():
            bad.append(line)
    return bad


def _check(source: str, lines: list[str], width: int, how: str) -> list[str]:
    problems = [f"{how} at {width}: {line!r} starts with a closing mark" for line in _bad_starts(source, lines)]
    problems += [f"{how} at {width}: {line!r} is wider than {width}" for line in lines if cell_len(line) > width]
    if "".join(lines).replace(" ", "") != source.replace(" ", "").replace("\n", ""):
        problems.append(f"{how} at {width}: characters lost or reordered in {source[:30]!r}")
    return problems


def test_rich_and_textual_wrap_chinese_without_a_line_starting_with_punctuation():
    console = Console(width=200)
    problems: list[str] = []
    for text in _longest_chinese():
        for width in WIDTHS:
            rich_lines = [line.plain for line in Text(text).wrap(console, width)]
            problems += _check(text, rich_lines, width, "rich Text")
            content_lines = [line.plain for line in Content(text).wrap(width)]
            problems += _check(text, content_lines, width, "textual Content")
    assert not problems, "\n".join(problems[:20])


def test_the_train_log_wraps_chinese_by_the_same_rule():
    from nnlab.ui.train.log_pane import wrap_cells

    problems: list[str] = []
    for text in _longest_chinese():
        for width in WIDTHS:
            pieces = wrap_cells(text.replace("\n", " "), width)
            problems += [f"log at {width}: {p!r}" for p in _bad_starts(text.replace("\n", " "), pieces)]
            problems += [f"log at {width}: {p!r} too wide" for p in pieces if cell_len(p) > width]
            assert all(p.startswith("  ") for p in pieces[1:])
    assert not problems, "\n".join(problems[:20])


def test_english_wraps_as_rich_wraps_it():
    """The rule only touches text with CJK characters: English lines break where they did."""
    from rich._wrap import divide_line

    from nnlab.ui.shared.linebreak import divide_line_cjk

    for en in sorted((en for en, _zh in catalog().values()), key=len, reverse=True)[:40]:
        for width in (30, 57, 80):
            assert divide_line_cjk(en, width) == divide_line(en, width)


def _widget_lines(widget) -> list[str]:
    from textual.geometry import Region

    width, height = widget.size
    return [strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height))]


@pytest.mark.parametrize("size", [(80, 24), (64, 30)])
async def test_help_concepts_in_chinese_keep_punctuation_off_line_starts(zh, size):
    problems: list[str] = []
    for mode in ("neuron", "backprop", "train"):
        app = NNLabApp(mode=mode)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            app.set_focus(None)
            await pilot.press("question_mark")
            await pilot.pause(0.2)
            concept = app.screen.query_one("#help-concept")
            lines = [line for line in _widget_lines(concept) if line.strip()]
            source = "".join(line.strip() for line in lines)
            problems += [f"help {mode} {size}: {line!r}" for line in _bad_starts(source, lines)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("size", [(80, 24), (54, 24)])
async def test_backprop_explanations_in_chinese_keep_punctuation_off_line_starts(zh, size):
    from nnlab.ui.backprop.step_panel import StepPanel

    app = NNLabApp(mode="backprop")
    problems: list[str] = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.set_focus(None)
        panel = app.screen.query_one(StepPanel)
        for step in range(80):
            lines = [line.strip("│ ") for line in _widget_lines(panel)]
            for line in lines:
                if line[:1] in CJK_CLOSING:  # "·" also stands after a space, in formulas and the title
                    problems.append(f"step {step}: {line!r}")
            await pilot.press("right")
    assert not problems, "\n".join(sorted(set(problems))[:20])
