"""AnatomyStep: one step of the model walk-through (data, a layer, softmax) as text and colour."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from nnlab.core.format import sig
from nnlab.i18n import t
from nnlab.ui.anatomy.heat_strip import HeatStrip, legend, scale_of
from nnlab.ui.shared.image_grid import image_lines

IMAGE_W, IMAGE_GAP = 28, 2


def fmt(value: float, digits: int = 4) -> str:
    """A compact number: 4 significant digits, the same in both languages."""
    return sig(value, digits)


def shape(dims: Sequence[int]) -> str:
    return "[" + ", ".join(str(d) for d in dims) + "]"


def caption(index: int, label: int, classes: Sequence[str]) -> str:
    return f"#{index} {classes[label]}"


class ImageRow:
    """Images (uint8 28×28) side by side in half blocks, as many per row as the width allows,
    each with its caption underneath."""

    def __init__(self, images, captions: Sequence[str]) -> None:
        self.images = [image_lines(img) for img in images]
        self.captions = list(captions)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        per_row = max(1, (options.max_width + IMAGE_GAP) // (IMAGE_W + IMAGE_GAP))
        for start in range(0, len(self.images), per_row):
            group = range(start, min(start + per_row, len(self.images)))
            text = Text(no_wrap=True)  # the caption first: visible even when the image is cut off
            for n, i in enumerate(group):
                if n:
                    text.append(" " * IMAGE_GAP)
                text.append(self.captions[i][:IMAGE_W].ljust(IMAGE_W), style="bold")
            yield text
            for line in range(len(self.images[start])):
                for n, i in enumerate(group):
                    if n:
                        yield Segment(" " * IMAGE_GAP)
                    yield from self.images[i][line]
                yield Segment.line()


def data_view(anatomy, classes: Sequence[str], source_line: str) -> RenderableType:
    d = anatomy.data
    return Group(
        Text(t("anat.data.loader", bs=d.batch_size), style="bold"),
        *(Text(line) for line in d.loader.lines()),
        Text(t("anat.data.picked", k=len(d.indices)), style="bold"),
        *(Text(line) for line in d.picked.lines()),
        ImageRow(d.images, [caption(i, y, classes) for i, y in zip(d.indices, d.labels)]),
        Text(t("anat.data.range", lo=fmt(d.x_min), hi=fmt(d.x_max)), style="dim"),
        Text(source_line, style="dim"),
    )


def _title(step) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(step.name + "  ", style="bold")
    text.append(step.repr, style="bold cyan")
    return text


def layer_view(anatomy, index: int, classes: Sequence[str], weights: dict) -> RenderableType:
    """A layer step: its repr, shapes, then per image the values (and for an activation, before,
    after and the count it zeroed), as numbers and as a heat strip."""
    step = anatomy.layers[index]
    d = anatomy.data
    parts: list[RenderableType] = [_title(step)]
    info = t("anat.layer.shapes", inp=shape(step.input_shape), out=shape(step.output_shape))
    if step.kind == "linear" and step.name + ".weight" in weights:
        bias = weights.get(step.name + ".bias")
        info += " · " + t(
            "anat.layer.linear", w=shape(weights[step.name + ".weight"]), b=shape(bias) if bias is not None else "—"
        )
    parts.append(Text(info))
    if step.is_logits:
        parts.append(Text(t("anat.logits.note"), style="dim"))
        parts.append(class_table(step.output, d, classes, "{:+.3f}", None))
        return Group(*parts)
    arrays = [step.output] + ([step.before] if step.before is not None else [])
    scale = scale_of(*arrays)
    width = step.output.shape[1]  # values per image
    if step.kind == "flatten":
        parts.append(Text(t("anat.layer.flatten"), style="dim"))
    parts.append(legend(scale, t("anat.layer.legend", scale=fmt(scale, 3))))
    for row, (i, y) in enumerate(zip(d.indices, d.labels)):
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(caption(i, y, classes).ljust(16), style="bold")
        out = step.output[row]
        if step.zeroed is not None:
            z = step.zeroed[row]
            head.append(
                t("anat.layer.zeroed", zeroed=z, n=width, pct=f"{100 * z / width:.1f}", neg=step.negative_in[row])
            )
            parts.append(head)
            for label, values in ((t("anat.layer.before"), step.before[row]), (t("anat.layer.after"), out)):
                parts.append(_values_line(label, values))
                parts.append(HeatStrip(values, scale))
        else:
            head.append(
                t(
                    "anat.layer.values",
                    min=fmt(float(out.min())),
                    max=fmt(float(out.max())),
                    mean=fmt(float(out.astype("float64").mean())),
                )
            )
            parts.append(head)
            parts.append(_values_line(None, out))
            parts.append(HeatStrip(out, scale))
    return Group(*parts)


def _values_line(label: str | None, values) -> Text:
    first = " ".join(fmt(float(v)) for v in values[:6]) + " …"
    text = Text(no_wrap=True, overflow="ellipsis")
    if label:
        text.append(f"{label}: ", style="italic")
    text.append(t("anat.layer.first", values=first), style="dim")
    return text


def class_table(values, data, classes: Sequence[str], pattern: str, sums) -> Table:
    """Rows = classes, columns = images; the top value per image bold, ▸ before the true class."""
    table = Table(box=None, padding=(0, 1), show_edge=False, pad_edge=False)
    table.add_column(t("anat.class"), no_wrap=True)
    for i in data.indices:
        table.add_column(f"#{i}", justify="right", no_wrap=True)
    tops = [int(row.argmax()) for row in values]
    for c, name in enumerate(classes):
        cells = []
        for col, row in enumerate(values):
            mark = "▸" if data.labels[col] == c else ""
            cells.append(Text(mark + pattern.format(float(row[c])), style="bold reverse" if tops[col] == c else ""))
        table.add_row(name, *cells)
    if sums is not None:
        table.add_row(Text(t("anat.softmax.sum"), style="italic"), *(f"{s:.6f}" for s in sums))
    return table


def softmax_view(anatomy, classes: Sequence[str]) -> RenderableType:
    sm, d = anatomy.softmax, anatomy.data
    tops = []
    for i, c, p, y in zip(d.indices, sm.top, sm.top_p, d.labels):
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"#{i} → {classes[c]} {p:.3f} ", style="bold")
        line.append("✓" if c == y else f"✗ ({classes[y]})", style="green" if c == y else "red")
        tops.append(line)
    return Group(
        Text(sm.repr, style="bold cyan"),
        Text(t("anat.layer.shapes", inp=shape(anatomy.layers[-1].output_shape), out=shape(sm.probabilities.shape))),
        Text(t("anat.softmax.note"), style="dim"),
        class_table(sm.probabilities, d, classes, "{:.3f}", sm.row_sums),
        Text(t("anat.softmax.legend"), style="dim"),
        Text(t("anat.softmax.top"), style="italic"),
        *tops,
    )


class AnatomyStep(Static):
    """Shows one renderable step; the screen decides which (attributes down)."""

    DEFAULT_CSS = "AnatomyStep { height: auto; padding: 0 1; }"
