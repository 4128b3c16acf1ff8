"""GpuPanel: the run's GPU as nvitop shows it — utilisation and samples/s with a short history,
memory (total, used by everyone, this process's), power, temperature and clocks. CUDA runs only.

The figures come from ``nnlab.train.device.gpu_figures``, read on the run's worker thread once a
second (the UI never imports torch); without nvidia-ml-py they hold a ``hint`` saying what to
install, shown as one line in place of the figures NVML alone can give.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from nnlab.i18n import t

SPARKS = "▁▂▃▄▅▆▇█"


def spark(values, top: float | None = None, width: int = 20) -> str:
    """The last ``width`` values as block heights (0..top; top defaults to their max)."""
    values = [float(v) for v in values][-width:]
    if not values:
        return ""
    top = top if top else max(values) or 1.0
    return "".join(SPARKS[min(7, max(0, int(v / top * 7.999)))] for v in values)


def _num(value, fmt: str = "{:.0f}") -> str:
    return "?" if value is None else fmt.format(value)


def gpu_lines(figures: dict, util_history=(), speed_history=()) -> list[str]:
    """The panel's lines for ``figures`` (see ``gpu_figures``): plain text, translated."""
    f = figures
    speed = f"{speed_history[-1]:,.0f}" if speed_history else "–"
    head = t("dash.progress.speed", speed=speed) + " " + spark(speed_history)
    if f.get("util") is not None:
        head += "  " + t("dash.gpu.util_line", util=_num(f["util"]), mem_util=_num(f.get("mem_util")))
        head += " " + spark(util_history, top=100.0)
    own = f.get("process_gb")
    own = own if own is not None else f.get("reserved_gb")
    lines = [
        head,
        t(
            "dash.gpu.memory_line",
            used=_num(f.get("used_gb"), "{:.1f}"),
            total=_num(f.get("total_gb"), "{:.1f}"),
            own=_num(own, "{:.2f}"),
        ),
    ]
    if f.get("hint"):
        lines.append(str(f["hint"]))
    else:
        power = _num(f.get("power_w"))
        if f.get("power_limit_w") is not None:
            power += "/" + _num(f["power_limit_w"])
        temp = "? °C" if f.get("temp_c") is None else f"{f['temp_c']} °C"
        lines.append(
            t("dash.gpu.power_line", power=power, temp=temp, sm=_num(f.get("sm_mhz")), mem=_num(f.get("mem_mhz")))
        )
    return lines


class GpuPanel(Widget):
    """Hidden until the first figures of a CUDA run arrive; hidden again for the next run."""

    DEFAULT_CSS = """
    GpuPanel { height: auto; width: 1fr; display: none; border-left: tall $accent; padding: 0 1; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.figures: dict | None = None
        self.util_history: tuple[float, ...] = ()
        self.speed_history: tuple[float, ...] = ()

    def show_figures(self, figures: dict, util_history=(), speed_history=()) -> None:
        self.figures = figures
        self.util_history, self.speed_history = tuple(util_history), tuple(speed_history)
        self.display = True
        self.refresh(layout=True)

    def clear(self) -> None:
        self.figures = None
        self.display = False

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(gpu_lines(self.figures)) if self.figures else 1

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.figures:
            text.append(t("dash.gpu.waiting"), "dim")
            return text
        for i, line in enumerate(gpu_lines(self.figures, self.util_history, self.speed_history)):
            text.append(("\n" if i else "") + line, "bold" if i == 0 else "")
        return text
