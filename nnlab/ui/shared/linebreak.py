"""Chinese line breaking: no line starts with closing punctuation, none ends with an opening one.

Rich and Textual wrap at spaces and fold a run of text that has none (a Chinese sentence)
character by character wherever the width runs out, so a line could start with "，" or "。"
(issue 13 item 11). A word joiner (U+2060) before the mark does not help: Rich 15 measures it
as 0 cells but its folding ignores it. So the rule is applied where the wrapping is decided:
``divide_line`` (what ``rich.text.Text.wrap`` and ``textual.content.Content`` call to find their
break offsets) is replaced by ``divide_line_cjk``, which breaks between any two CJK characters
except before a mark that must not start a line (``NO_START``) or after one that must not end
it (``NO_END``); such a mark stays on the line of the character beside it. Text without CJK
characters goes to Rich's own function unchanged. ``install()`` is called once by the app.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from rich import _wrap as rich_wrap
from rich.cells import cell_len, get_character_cell_size

# Closing marks that must not start a line (GB/T 15834 and the usual kinsoku set), ASCII ones too
# since Chinese text mixes them in ("f(z)。", "(≤6)").
NO_START = frozenset("，。、；：！？）」』】》〉〕］｝”’…‥—～·・%％‰,.;:!?)]}")
# Opening marks that must not end a line.
NO_END = frozenset("（「『【《〈〔［｛“‘([{")
# Where a break may fall between two characters: next to a CJK ideograph, kana, CJK or fullwidth
# punctuation (the scripts that have no spaces between words).
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]"
)
_WORD = re.compile(r"\s*\S+\s*")  # Rich's "word": the text, then the spaces after it

_original: Callable[..., list[int]] = rich_wrap.divide_line


def _may_break(before: str, after: str) -> bool:
    """A break between ``before`` and ``after`` (two characters of one space-free run)."""
    if after in NO_START or before in NO_END:
        return False
    return bool(_CJK.match(before) or _CJK.match(after))


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """(start, piece): Rich's words, each cut further where a CJK line break may fall."""
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        body_end = len(word.rstrip())
        cut = 0
        for i in range(1, body_end):
            if not word[i - 1].isspace() and _may_break(word[i - 1], word[i]):
                yield start + cut, word[cut:i]
                cut = i
        yield start + cut, word[cut:]


def _fold(piece: str, width: int) -> list[str]:
    """``piece`` cut into lines of at most ``width`` cells, a ``NO_START`` mark taking the
    character before it to the next line (Rich's ``chop_cells`` cuts anywhere)."""
    lines: list[str] = []
    line, cells = "", 0
    for char in piece:
        size = get_character_cell_size(char)
        if cells + size > width and line:
            carried = ""  # the end of this line that goes along: "）。" stays with the word before it
            while (
                len(line) > 1 and line[0] not in NO_START and ((carried or char)[0] in NO_START or line[-1] in NO_END)
            ):
                if cell_len(line[-1] + carried) + size > width:
                    break  # a run of marks wider than a line: cut it rather than overflow
                carried, line = line[-1] + carried, line[:-1]
            lines.append(line)
            line, cells = carried, cell_len(carried)
        line += char
        cells += size
    lines.append(line)
    return lines


def divide_line_cjk(text: str, width: int, fold: bool = True) -> list[int]:
    """``rich._wrap.divide_line`` with the Chinese rule: the offsets at which ``text`` is cut
    into lines of at most ``width`` cells (Rich's cell widths), no line starting with a
    ``NO_START`` mark unless a piece is wider than a whole line and must be folded."""
    if not _CJK.search(text):
        return _original(text, width, fold)
    breaks: list[int] = []
    offset = 0  # cells used on the current line
    for start, piece in _pieces(text):
        length = cell_len(piece.rstrip())
        if width - offset >= length:
            offset += cell_len(piece)
            continue
        if length > width:  # wider than a line: fold it (or crop it), as Rich does
            if fold:
                folded = _fold(piece, width)
                for index, line in enumerate(folded):
                    if start:
                        breaks.append(start)
                    if index == len(folded) - 1:
                        offset = cell_len(line)
                    else:
                        start += len(line)
            else:
                if start:
                    breaks.append(start)
                offset = cell_len(piece)
        elif offset and start:
            breaks.append(start)
            offset = cell_len(piece)
    return breaks


def install() -> None:
    """Make Rich's ``Text`` and Textual's ``Content`` wrap with ``divide_line_cjk`` (idempotent)."""
    import rich.text
    import textual.content

    rich.text.divide_line = divide_line_cjk
    textual.content.divide_line = divide_line_cjk
