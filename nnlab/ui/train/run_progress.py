"""RunProgressView: epoch and run progress bars with ETA, samples/s, elapsed, loss, device."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from nnlab.core.format import sci
from nnlab.i18n import t
from nnlab.ui.shared.redraw_when_shown import RedrawWhenShown
from nnlab.ui.train.state import ProgressState

__all__ = ["ProgressState", "RunProgressView", "bar", "clock", "pad"]


def pad(text: str, cells: int) -> str:
    """``text`` padded with spaces to ``cells`` terminal cells (CJK characters take two)."""
    return text + " " * max(0, cells - cell_len(text))


def clock(seconds: float | None) -> str:
    """0:07, 1:02:03; '–' when unknown."""
    if seconds is None:
        return "–"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def bar(fraction: float, width: int) -> str:
    """A bar of ``width`` cells using eighth blocks for sub-cell precision."""
    width = max(1, width)
    eighths = int(round(fraction * width * 8))
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part and full < width else ""
    return ("█" * full + partial).ljust(width, "·")[:width]


STATUS_STYLE = {
    "running": "bold green",
    "paused": "bold yellow",
    "stopping": "bold yellow",
    "loading": "bold cyan",
    "finished": "bold cyan",
    "stopped": "bold yellow",
    "failed": "bold red",
    "idle": "dim",
}


class RunProgressView(RedrawWhenShown, Widget):
    """Three lines: the epoch bar, the run bar, and one line of figures."""

    DEFAULT_CSS = """
    RunProgressView { height: 3; width: 1fr; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.state = ProgressState()
        self.batch_size = 64

    def show(self, state: ProgressState, batch_size: int | None = None) -> None:
        if batch_size is not None:
            self.batch_size = batch_size
        if state != self.state:
            self.state = state
            self.refresh()

    def render(self) -> Text:
        s = self.state
        width = max(20, self.size.width)
        epoch_label, run_label, eta = t("dash.progress.epoch"), t("dash.progress.run"), t("dash.progress.eta")
        label_w = max(cell_len(epoch_label), cell_len(run_label)) + 1  # cells: CJK labels are 2 wide
        epoch_tail = f" {s.batch:>5,}/{s.batches:<5,} {eta} {clock(s.eta_epoch_s(self.batch_size)):>7}"
        run_tail = f" {s.run_fraction * 100:5.1f}%      {eta} {clock(s.eta_run_s()):>7}"
        tail_w = max(cell_len(epoch_tail), cell_len(run_tail))
        head = f"{s.epoch}/{s.epochs}" if s.epochs else "–"
        bar_w = max(4, width - label_w - len(head) - 2 - tail_w)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(pad(epoch_label, label_w), "bold")
        text.append(head + "  ")
        text.append(bar(s.epoch_fraction, bar_w), "green")
        text.append(pad(epoch_tail, tail_w) + "\n")
        text.append(pad(run_label, label_w), "bold")
        text.append(" " * (len(head) + 2))
        text.append(bar(s.run_fraction, bar_w), "cyan")
        text.append(pad(run_tail, tail_w) + "\n")
        text.append(t(f"dash.status.{s.status}"), STATUS_STYLE.get(s.status, ""))
        loss = "–" if s.running_loss is None else f"{s.running_loss:.6f}"
        figures = [
            t("dash.progress.loss", loss=loss),
            t("dash.progress.speed", speed=f"{s.samples_per_s:,.0f}"),
            t("dash.progress.elapsed", elapsed=clock(s.elapsed_s)),
        ]
        if s.lr is not None:  # before the device: at 80 columns the line's end is cut first
            figures.append(t("dash.progress.lr", lr=sci(s.lr)))
        if s.device:
            figures.append(s.device)
        text.append("  " + " · ".join(figures))
        return text
