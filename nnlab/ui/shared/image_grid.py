"""ImageGrid: test images drawn with half blocks (28x28 pixels → 28x14 cells) and their labels.

Each cell is "▀": its foreground is the upper pixel, its background the lower one. The grid is
one widget drawing every tile line by line (it was a Vertical, an image and a caption widget per
tile: 48 widgets that every layout of the Insight page arranged, on screen or not). The pixels
never change during a run, so each image's lines are built once; after each epoch only the
two-line captions (predicted / true, ✗ when wrong) change, which keeps terminal output small.
"""

from __future__ import annotations

from rich.cells import set_cell_size
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

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


TILE_W, IMAGE_H, CAPTION_H, GUTTER = 28, 14, 2, 2
TILE_H = IMAGE_H + CAPTION_H


class ImageGrid(Widget):
    """Shows ``images`` (N x 28 x 28) with true labels; ``set_predictions`` after each epoch. As
    many 28-cell tiles a row as the width holds (2 cells apart), each an image over its caption."""

    DEFAULT_CSS = """
    ImageGrid { height: auto; width: 1fr; }
    ImageGrid > .image-grid--none { color: $text-muted; }
    ImageGrid > .image-grid--wrong { color: $error; }
    ImageGrid > .image-grid--right { color: $success; }
    """

    COMPONENT_CLASSES = {"image-grid--none", "image-grid--wrong", "image-grid--right"}

    def __init__(self, class_names: tuple[str, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.class_names = class_names
        self.labels: list[int] = []
        self.predictions: tuple[int, ...] = ()
        self.images: list[list[Strip]] = []  # each image's 14 lines, built once
        self._kept: tuple | None = None  # (key, strips): the drawing, until something changes
        self._version = 0

    # contents ------------------------------------------------------------------------------
    def set_images(self, images, labels) -> None:
        """New images (a new data set): the tiles are drawn anew."""
        self.images = [[Strip(segs) for segs in image_lines(pixels)] for pixels in images]
        self.labels = [int(v) for v in labels]
        self.predictions = ()
        self._changed(layout=True)

    def set_predictions(self, predictions) -> None:
        self.predictions = tuple(int(p) for p in predictions)
        self._changed()

    def clear_predictions(self) -> None:
        self.set_predictions(())

    def captions(self) -> list[str]:
        """Each tile's caption, as drawn under its image."""
        return [self._caption(i) for i in range(len(self.images))]

    def _caption(self, i: int) -> str:
        true = self.class_names[self.labels[i]] if i < len(self.labels) else "?"
        if i >= len(self.predictions):
            return t("dash.images.true_only", true=true)
        pred = self.class_names[self.predictions[i]]
        mark = "✓" if self.predictions[i] == self.labels[i] else "✗"
        return t("dash.images.caption", mark=mark, pred=pred, true=true)

    def wrong_count(self) -> int:
        return sum(1 for p, y in zip(self.predictions, self.labels) if p != y)

    def _changed(self, layout: bool = False) -> None:
        self._version += 1
        self.refresh(layout=layout)

    # drawing -------------------------------------------------------------------------------
    def columns(self, width: int | None = None) -> int:
        width = self.size.width if width is None else width
        return max(1, (width + GUTTER) // (TILE_W + GUTTER))

    def get_content_height(self, container, viewport, width: int) -> int:
        if not self.images:
            return 1
        rows = -(-len(self.images) // self.columns(width))
        return rows * TILE_H

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        key = (width, self._version, self.app.current_theme.name, self.app.ansi_color)
        if self._kept is None or self._kept[0] != key:
            self._kept = (key, self._draw(width))
        lines = self._kept[1]
        return lines[y] if 0 <= y < len(lines) else Strip.blank(width)

    def _draw(self, width: int) -> list[Strip]:
        if not self.images:
            style = self.get_component_rich_style("image-grid--none")
            return [Strip([Segment(set_cell_size(t("dash.images.none"), width), style)])]
        wrong = self.get_component_rich_style("image-grid--wrong")
        right = self.get_component_rich_style("image-grid--right")
        plain = self.rich_style
        cols = self.columns(width)
        gap = Segment(" " * GUTTER, plain)
        out: list[Strip] = []
        for first in range(0, len(self.images), cols):
            tiles = range(first, min(first + cols, len(self.images)))
            for y in range(IMAGE_H):
                segments: list[Segment] = []
                for n, i in enumerate(tiles):
                    if n:
                        segments.append(gap)
                    image = self.images[i]
                    segments.extend(image[y] if y < len(image) else [Segment(" " * TILE_W, plain)])
                out.append(Strip(segments).adjust_cell_length(width, plain))
            captions = []
            for i in tiles:
                judged = i < len(self.predictions)
                style = (right if self.predictions[i] == self.labels[i] else wrong) if judged else plain
                lines = (self._caption(i).split("\n") + ["", ""])[:CAPTION_H]
                captions.append((lines, style))
            for y in range(CAPTION_H):
                segments = []
                for n, (lines, style) in enumerate(captions):
                    if n:
                        segments.append(gap)
                    segments.append(Segment(set_cell_size(lines[y], TILE_W), style))
                out.append(Strip(segments).adjust_cell_length(width, plain))
        return out
