"""ParamTable: model.named_parameters() as rows (size, numel, statistics, distance moved)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from nnlab.i18n import t
from nnlab.ui.anatomy.anatomy_step import fmt, shape


def size(dims) -> str:
    return "×".join(str(d) for d in dims)


def moved(entry) -> str:
    if entry.moved_relative is None:
        return "—" if entry.moved_l2 is None else fmt(entry.moved_l2, 3)
    return f"{100 * entry.moved_relative:.2f}%"


class ParamTable(DataTable):
    """One row per parameter tensor; ``entries`` is a tuple of anatomy ParamEntry. Below
    ``WIDE`` columns min and max move to the detail line, so the table fits 80 columns."""

    WIDE = 100
    DEFAULT_CSS = "ParamTable { height: auto; max-height: 12; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.entries: tuple = ()
        self.columns_shown: tuple[str, ...] = ()

    def show(self, entries: tuple, width: int) -> None:
        """New statistics (after an epoch, or a resize): rows rebuilt, the cursor kept."""
        wanted = ("name", "size", "numel", "mean", "std") + (("min", "max") if width >= self.WIDE else ()) + ("moved",)
        row = self.cursor_row
        self.entries = entries
        self.clear(columns=wanted != self.columns_shown)
        if wanted != self.columns_shown:
            for key in wanted:
                self.add_column(t("anat.param." + key), key=key)
            self.columns_shown = wanted
        for e in entries:
            s = e.stats
            stats = {"mean": s.mean, "std": s.std, "min": s.min, "max": s.max}
            self.add_row(
                e.name,
                size(e.shape),
                Text(f"{e.numel:,}", justify="right"),
                *(Text(fmt(stats[k], 3), justify="right") for k in wanted if k in stats),
                Text(moved(e), justify="right"),
                key=e.name,
            )
        if entries:
            self.move_cursor(row=min(max(row, 0), len(entries) - 1))

    def selected(self):
        if not self.entries:
            return None
        return self.entries[min(max(self.cursor_row, 0), len(self.entries) - 1)]


def detail(entry, total: int, trainable: int) -> Text:
    """The selected entry in full: shape, first values, statistics, distance moved; the total."""
    text = Text()
    text.append(t("anat.param.total", total=f"{total:,}", trainable=f"{trainable:,}"), style="bold")
    if entry is None:
        return text
    s = entry.stats
    text.append(f"\n{entry.name}  {shape(entry.shape)}  {t('anat.param.numel')} {entry.numel:,}\n", style="bold")
    text.append(t("anat.param.first", values=" ".join(fmt(v) for v in entry.first) + " …") + "\n")
    text.append(t("anat.param.stats", mean=fmt(s.mean), std=fmt(s.std), min=fmt(s.min), max=fmt(s.max)) + "\n")
    if entry.moved_l2 is None:
        text.append(t("anat.param.no_initial"), style="dim")
    else:
        rel = "—" if entry.moved_relative is None else f"{100 * entry.moved_relative:.3g}"
        text.append(t("anat.param.moved_detail", l2=fmt(entry.moved_l2), rel=rel))
    return text
