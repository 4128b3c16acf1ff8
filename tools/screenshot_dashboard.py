"""Regenerate the training dashboard's screenshots (made by the app itself) after a real run:
the tutorial preset (784-512-512-10, SGD 1e-3, batch 64, 5 epochs) on the CPU, on the full
FashionMNIST found by the usual search (e.g. Debian's /usr/share/datasets/fashion-mnist), or
with --sample on the shipped 6,000 + 1,000 image sample (which reaches a lower accuracy in 5
epochs: 94 steps an epoch instead of 938). Writes
assets/dashboard.svg (Live page, 120x40), assets/dashboard-insight.svg (Insight page, 120x40)
and assets/dashboard-80x24.svg (Live page at 80x24).

    .venv/bin/python tools/screenshot_dashboard.py [--lang en|zh] [--sample]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


async def shoot(lang: str, sample: bool) -> list[Path]:
    from nnlab import i18n
    from nnlab.run.config import PRESETS
    from nnlab.train import data
    from nnlab.ui.app import NNLabApp

    i18n.set_lang(lang)
    data_dir = str(data.SAMPLE_DIR) if sample else None
    suffix = "" if lang == "en" else f"-{lang}"
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as runs:
        options = {
            "config": PRESETS["tutorial"].with_(device="cpu"),
            "data_dir": data_dir,
            "runs_dir": runs,
            "autosave": False,
        }
        app = NNLabApp(mode="train", options=options)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(1.0)
            app.set_focus(None)
            app.screen.action_start()
            while app.screen.runs.run is None or app.screen.runs.run.active:
                await pilot.pause(0.2)
            await pilot.pause(0.5)
            assert app.screen.runs.record.status == "finished", app.screen.runs.record.status
            for page, name, size in (
                ("live", f"dashboard{suffix}.svg", (120, 40)),
                ("insight", f"dashboard-insight{suffix}.svg", (120, 40)),
                ("live", f"dashboard-80x24{suffix}.svg", (80, 24)),
            ):
                await pilot.resize_terminal(*size)
                app.screen.show_page(page)
                await pilot.pause(0.3)
                for chart in app.screen.query("PlotextPlot"):
                    chart.changed(now=True)
                await pilot.pause(0.3)
                app.save_screenshot(filename=name, path=str(ROOT / "assets"))
                saved.append(ROOT / "assets" / name)
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--sample", action="store_true", help="train on the shipped sample")
    args = parser.parse_args()
    for path in asyncio.run(shoot(args.lang, args.sample)):
        print(path)


if __name__ == "__main__":
    main()
