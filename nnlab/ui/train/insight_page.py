"""InsightPage: what the model gets right — confusion matrix, per-class accuracy, test images."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import TabPane

from nnlab.run.dataset import class_names
from nnlab.ui.shared.image_grid import ImageGrid
from nnlab.ui.train import updates as up
from nnlab.ui.train.class_accuracy import ClassAccuracy
from nnlab.ui.train.confusion_matrix import ConfusionMatrix


class InsightPage(TabPane):
    """Applies the session's Insight updates to its own children."""

    def compose(self) -> ComposeResult:
        names = class_names()  # in the interface language (item 11 of issue 13)
        self.confusion = ConfusionMatrix(names, id="confusion")
        self.class_acc = ClassAccuracy(names, id="class-acc")
        self.images = ImageGrid(names, id="images")
        with VerticalScroll():
            with Horizontal(id="insight-top"):
                yield self.confusion
                yield self.class_acc
            yield self.images

    def apply(self, update: up.Update) -> None:
        match update:
            case up.EpochResult(event=ev):
                self.confusion.set_matrix(ev.confusion, ev.epoch)
                self.class_acc.set_accuracy(ev.per_class_accuracy)
                if ev.sample_predictions:
                    self.images.set_predictions(ev.sample_predictions)
            case up.Images(images=images, labels=labels):
                self.images.set_images(_plain(images, "numpy"), _plain(labels, "tolist"))
            case up.ResetLive():
                self.confusion.set_matrix(())
                self.class_acc.set_accuracy(())
                self.images.clear_predictions()


def _plain(values, method: str):
    """A tensor as numpy / a list (drawing 0-d tensors pixel by pixel is slow); anything else as is."""
    convert = getattr(values, method, None)
    return convert() if convert is not None else values
