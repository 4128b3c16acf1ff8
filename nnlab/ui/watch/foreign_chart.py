"""GroupChart: every metric of one group (e.g. "train/loss", "train/acc") on one chart, thinned for drawing.

All points are kept in the ``Series`` (nnlab.ui.watch.foreign_source); only the drawing is thinned:
``minmax_buckets`` splits the x range into two buckets per cell (braille markers) and draws each
bucket's minimum and maximum, so a spike among 100,000 points still shows (a mean would hide it).
A null value (non-finite when logged) breaks the line: a gap, never a zero. Log scale hides values
<= 0 (gaps too). Smoothing is an EMA over the finite values, nulls staying gaps. The x axis is the
step or the wall-clock seconds since the first record (``t``). numpy does the per-point work: a
100,000-point series draws in a few milliseconds; the arrays are cached per series version.
"""

from __future__ import annotations

import math

import numpy as np

from nnlab.i18n import t
from nnlab.ui.train.loss_chart import KeptPlot

COLORS = ("cyan", "orange", "magenta", "green", "red", "blue", "yellow", "white")
MAX_LINES = len(COLORS)  # metrics drawn per group; more are named in the title
MAX_LABEL = 28  # characters of a metric name inside the plot (the legend): cut for display only


def cut(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters, the middle replaced by '…' (display only)."""
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 3
    return text[:head] + "…" + text[-(limit - 1 - head) :]


def ascii_label(text: str, limit: int = MAX_LABEL) -> str:
    """A legend label plotext can align: ASCII only (it counts characters, not cells), cut."""
    return cut(text, limit).replace("…", "~").encode("ascii", "replace").decode("ascii")


def ema_nan(y: np.ndarray, alpha: float) -> np.ndarray:
    """EMA over the finite values, started at the first one; NaN stays NaN (a gap)."""
    out = np.empty_like(y)
    acc = math.nan
    a, b = alpha, 1.0 - alpha
    for i, v in enumerate(y.tolist()):
        if v != v:
            out[i] = math.nan
            continue
        acc = v if acc != acc else a * v + b * acc
        out[i] = acc
    return out


def segments(x: np.ndarray, y: np.ndarray) -> list[tuple[list, list]]:
    """Runs of finite points between the gaps (NaN in y), as lists for plotext."""
    finite = np.isfinite(y) & np.isfinite(x)
    if finite.all():
        return [(x.tolist(), y.tolist())] if len(x) else []
    out = []
    edges = np.flatnonzero(np.diff(np.concatenate(([False], finite, [False])).astype(np.int8)))
    for start, stop in zip(edges[::2], edges[1::2]):
        out.append((x[start:stop].tolist(), y[start:stop].tolist()))
    return out


def minmax_buckets(x: np.ndarray, y: np.ndarray, buckets: int, lo: float, hi: float) -> list[tuple[list, list]]:
    """At most ``2 * buckets`` points: each x bucket's min and max, in x order, as segments; the
    line breaks at every bucket holding a null (NaN). Fewer points than buckets: drawn as they are."""
    keep = np.isfinite(x)
    x, y = x[keep], y[keep]
    if len(x) <= 2 * buckets:
        order = np.argsort(x, kind="stable") if len(x) > 1 and (np.diff(x) < 0).any() else None
        return segments(x[order], y[order]) if order is not None else segments(x, y)
    span = (hi - lo) or 1.0
    idx = np.clip(((x - lo) * (buckets / span)).astype(np.int64), 0, buckets - 1)
    finite = np.isfinite(y)
    mins = np.full(buckets, np.inf)
    maxs = np.full(buckets, -np.inf)
    np.minimum.at(mins, idx[finite], y[finite])
    np.maximum.at(maxs, idx[finite], y[finite])
    nulls = np.zeros(buckets, dtype=bool)
    nulls[idx[~finite]] = True
    has = np.isfinite(mins)
    out: list[tuple[list, list]] = []
    xs: list = []
    ys: list = []
    width = span / buckets
    for i in np.flatnonzero(has | nulls).tolist():
        if nulls[i] and xs:
            out.append((xs, ys))
            xs, ys = [], []
        if has[i]:
            xc = lo + (i + 0.5) * width
            xs.append(xc)
            ys.append(float(mins[i]))
            if maxs[i] != mins[i]:
                xs.append(xc)
                ys.append(float(maxs[i]))
        if nulls[i] and xs:
            out.append((xs, ys))
            xs, ys = [], []
    if xs:
        out.append((xs, ys))
    return out


class GroupChart(KeptPlot):
    """The metrics of ``group`` (``Series`` objects); ``x_axis`` "step" or "time"."""

    min_interval = 0.2  # live: up to 5 redraws a second while points stream in

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.group = ""
        self.members: list = []
        self.t0: float | None = None
        self.smooth = False
        self.log_scale = False
        self.x_axis = "step"
        self._arrays: dict[str, tuple] = {}
        self.drawn_points = 0  # points handed to plotext at the last draw (tests, bench)
        self.last_draw_s = 0.0

    def show_group(self, group: str, members: list, t0: float | None) -> None:
        self.group, self.members, self.t0 = group, list(members), t0
        self.changed(now=True)

    def toggle(self, what: str) -> None:
        if what == "smooth":
            self.smooth = not self.smooth
        elif what == "log":
            self.log_scale = not self.log_scale
        else:
            self.x_axis = "time" if self.x_axis == "step" else "step"
        self.changed(now=True)

    def arrays(self, series) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of a series as float arrays (None → NaN), smoothed and log-masked; cached."""
        key = (series.version, len(series.values), self.x_axis, self.smooth, self.log_scale, self.t0)
        kept = self._arrays.get(series.name)
        if kept is not None and kept[0] == key:
            return kept[1], kept[2]
        y = np.array(series.values, dtype=float)
        if self.x_axis == "time":
            x = np.array(series.times, dtype=float) - (self.t0 or 0.0)
        else:
            x = np.array(series.steps, dtype=float)
        if self.log_scale:
            y[~(y > 0)] = np.nan
        if self.smooth and len(y) > 1:
            y = ema_nan(y, alpha=max(0.002, min(0.3, 20 / len(y))))
        self._arrays[series.name] = (key, x, y)
        return x, y

    def series(self) -> list[tuple[str, list]]:
        """What is drawn: (label, segments) per metric, at most two points per braille column."""
        import time

        started = time.perf_counter()
        members = self.members[:MAX_LINES]
        pairs = [self.arrays(s) for s in members]
        xs = [x[np.isfinite(x)] for x, _ in pairs]
        lo = min((float(x.min()) for x in xs if len(x)), default=0.0)
        hi = max((float(x.max()) for x in xs if len(x)), default=1.0)
        buckets = max(10, self.size.width - 12) * 2  # two braille columns a cell
        out = []
        for s, (x, y) in zip(members, pairs):
            segs = minmax_buckets(x, y, buckets, lo, hi)
            if segs:
                out.append((s.name, segs))
        self.drawn_points = sum(len(a) for _n, segs in out for a, _b in segs)
        self.last_draw_s = time.perf_counter() - started
        return out

    def title(self) -> str:
        if not self.group:
            return t("foreign.chart.none")
        flags = [t("foreign.chart.time") if self.x_axis == "time" else t("foreign.chart.step")]
        if self.smooth:
            flags.append(t("dash.chart.smoothed"))
        if self.log_scale:
            flags.append(t("dash.chart.log"))
        more = len(self.members) - MAX_LINES
        head = cut(self.group, 40)
        if more > 0:
            head += " " + t("foreign.chart.more", count=more)
        return f"{head} ({', '.join(flags)})"

    def draw(self, plt) -> None:
        drawn = self.series()
        for i, (name, segs) in enumerate(drawn):
            color = COLORS[i % len(COLORS)]
            for j, (xs, ys) in enumerate(segs):
                label = ascii_label(name) if j == 0 and len(self.members) > 1 else None
                plt.plot(xs, ys, marker="braille", color=color, label=label)
        if self.log_scale and drawn:
            plt.yscale("log")
        if not drawn:
            plt.xlim(0, 1)
            plt.ylim(0, 1)
