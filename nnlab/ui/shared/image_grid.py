"""ImageGrid: test images drawn with half blocks (28x28 pixels → 28x14 cells) and their labels.

Each cell is "▀": its foreground is the upper pixel, its background the lower one. The pixels
never change during a run, so each image is a widget drawn once; after each epoch only the
one-line captions (predicted / true, ✗ when wrong) are redrawn, which keeps terminal output small.
"""

from __future__ import annotations

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from nnlab.i18n import t

_STYLES: dict[tuple[int, int], Style] = {}


def half_block_style(top: int, bottom: int) -> Style:
    key = (int(top), int(bottom))
    style = _STYLES.get(key)
    if style is None:
        style = _STYLES[key] = Style(color=Color.from_rgb(*(key[0],) * 3), bgcolor=Color.from_rgb(*(key[1],) * 3))
    return style


def image_lines(pixels) -> list[list[Segment]]:
    """28 rows of 0..255 values → 14 lines of 28 '▀' segments (runs of equal colours merged)."""
    rows = [list(map(int, row)) for row in pixels]
    if len(rows) % 2:
        rows.append([0] * len(rows[0]))
    lines = []
    for y in range(0, len(rows), 2):
        segs: list[Segment] = []
        run_style, run_len = None, 0
        for top, bottom in zip(rows[y], rows[y + 1]):
            style = half_block_style(top, bottom)
            if style is run_style:
                run_len += 1
            else:
                if run_style is not None:
                    segs.append(Segment("▀" * run_len, run_style))
                run_style, run_len = style, 1
        segs.append(Segment("▀" * run_len, run_style))
        lines.append(segs)
    return lines


class HalfBlockImage(Widget):
    """One grey-scale image; ``pixels`` is a 28x28 array-like of 0..255."""

    DEFAULT_CSS = "HalfBlockImage { width: 28; height: 14; }"

    def __init__(self, pixels, **kwargs) -> None:
        super().__init__(**kwargs)
        self._lines = [Strip(segs) for segs in image_lines(pixels)]

    def render_line(self, y: int) -> Strip:
        return self._lines[y] if 0 <= y < len(self._lines) else Strip.blank(self.size.width)


class ImageGrid(Widget):
    """Shows ``images`` (N x 28 x 28) with true labels; ``set_predictions`` after each epoch."""

    DEFAULT_CSS = """
    ImageGrid { height: auto; width: 1fr; }
    ImageGrid > Grid { grid-size: 2; grid-gutter: 0 2; height: auto; grid-rows: 16; }
    ImageGrid .tile { width: 28; height: 16; }
    ImageGrid .caption { width: 28; height: 2; }
    ImageGrid .caption.wrong { color: $error; }
    ImageGrid .caption.right { color: $success; }
    ImageGrid #no-images { color: $text-muted; height: auto; }
    """

    def __init__(self, class_names: tuple[str, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.class_names = class_names
        self.labels: list[int] = []
        self.predictions: tuple[int, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(t("dash.images.none"), id="no-images")
        yield Grid()

    def on_resize(self) -> None:
        self.query_one(Grid).styles.grid_size_columns = max(1, (self.size.width + 2) // 30)

    def set_images(self, images, labels) -> None:
        """New images (a new data set): rebuild the tiles."""
        grid = self.query_one(Grid)
        grid.remove_children()
        self.labels = [int(v) for v in labels]
        self.predictions = ()
        tiles = []
        for i, pixels in enumerate(images):
            tiles.append(Vertical(HalfBlockImage(pixels), Static(self._caption(i), classes="caption"), classes="tile"))
        grid.mount_all(tiles)
        self.query_one("#no-images").display = not tiles
        self.call_after_refresh(self._update_captions)  # predictions may arrive before the mount ends

    def set_predictions(self, predictions) -> None:
        self.predictions = tuple(int(p) for p in predictions)
        self._update_captions()

    def _update_captions(self) -> None:
        for i, caption in enumerate(self.query(".caption").results(Static)):
            caption.update(self._caption(i))
            wrong = i < len(self.predictions) and self.predictions[i] != self.labels[i]
            caption.set_class(i < len(self.predictions) and wrong, "wrong")
            caption.set_class(i < len(self.predictions) and not wrong, "right")

    def clear_predictions(self) -> None:
        self.set_predictions(())

    def _caption(self, i: int) -> str:
        true = self.class_names[self.labels[i]] if i < len(self.labels) else "?"
        if i >= len(self.predictions):
            return t("dash.images.true_only", true=true)
        pred = self.class_names[self.predictions[i]]
        mark = "✓" if self.predictions[i] == self.labels[i] else "✗"
        return t("dash.images.caption", mark=mark, pred=pred, true=true)

    def wrong_count(self) -> int:
        return sum(1 for p, y in zip(self.predictions, self.labels) if p != y)
