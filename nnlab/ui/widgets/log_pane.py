"""LogPane: the run's log in the PyTorch tutorial's words (loss lines, test error per epoch)."""

from __future__ import annotations

from textual.widgets import Log

from nnlab.i18n import t


class LogPane(Log):
    DEFAULT_CSS = "LogPane { height: 1fr; min-height: 3; border-top: solid $primary-darken-2; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(max_lines=2000, auto_scroll=True, **kwargs)

    def say(self, text: str) -> None:
        self.write_line(text)

    def epoch_header(self, epoch: int) -> None:
        self.write_lines([t("dash.log.epoch", epoch=epoch), "-" * 31])

    def loss_line(self, loss: float, current: int, total: int) -> None:
        # The tutorial prints `loss: {loss:>7f}  [{current:>5d}/{size:>5d}]`.
        self.write_line(f"loss: {loss:>7f}  [{current:>5d}/{total:>5d}]")

    def test_line(self, accuracy: float, loss: float) -> None:
        self.write_lines([t("dash.log.test_error"),
                          t("dash.log.test_line", acc=f"{accuracy * 100:>0.1f}", loss=f"{loss:>8f}"), ""])
