"""PairImages: the test images of one confusion-matrix cell (true class, predicted class), drawn
as the Insight page's sample grid draws its images; Esc closes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from nnlab.i18n import t
from nnlab.ui.shared.image_grid import ImageGrid
from nnlab.ui.shared.keys import translate_bindings
from nnlab.ui.shared.modal import OnceModal

MAX_SHOWN = 24  # a diagonal cell holds ~900 images: the first ones say enough, and each costs a widget


class PairImages(OnceModal[None]):
    BINDINGS = [Binding("escape", "close", "key.close")]

    DEFAULT_CSS = """
    PairImages { align: center middle; }
    PairImages > Vertical { width: 100%; height: 100%; border: thick $primary; background: $surface; }
    PairImages #pair-title { height: auto; text-style: bold; padding: 0 1; }
    PairImages #pair-note { height: auto; color: $text-muted; padding: 0 1; }
    """

    def __init__(
        self, class_names, true: int, predicted: int, epoch: int, indices, images, labels, predictions
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.class_names = class_names
        self.true, self.predicted, self.epoch = true, predicted, epoch
        self.indices = list(indices)
        self.shown = self.indices[:MAX_SHOWN]
        self.images = [_plain(images[i]) for i in self.shown]
        self.labels = [int(labels[i]) for i in self.shown]
        self.predictions = [int(predictions[i]) for i in self.shown]

    def compose(self) -> ComposeResult:
        names = self.class_names
        title = t(
            "dash.pair.title",
            true=names[self.true],
            pred=names[self.predicted],
            count=len(self.indices),
            epoch=self.epoch,
        )
        if len(self.indices) > len(self.shown):
            title += " · " + t("dash.pair.shown", shown=len(self.shown))
        with Vertical():
            yield Static(title, id="pair-title")
            yield Static(t("dash.pair.none") if not self.indices else t("dash.pair.close"), id="pair-note")
            with VerticalScroll():
                self.grid = ImageGrid(names, id="pair-grid")
                yield self.grid

    def on_mount(self) -> None:
        self.grid.set_images(self.images, self.labels)
        self.grid.set_predictions(self.predictions)

    def action_close(self) -> None:
        self.dismiss(None)


def _plain(image):
    """A tensor as numpy (drawing 0-d tensors pixel by pixel is slow); anything else as is."""
    convert = getattr(image, "numpy", None)
    return convert() if convert is not None else image
