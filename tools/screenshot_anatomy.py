"""Regenerate the Anatomy view's screenshots (made by the app itself) at 80x24:
assets/anatomy.svg (the data step) and assets/anatomy-relu.svg (the first ReLU step), on the
shipped FashionMNIST sample (its first test images are the full set's) and the untrained
tutorial model (seed 0).

    .venv/bin/python tools/screenshot_anatomy.py [--lang en|zh]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


async def shoot(lang: str) -> list[Path]:
    from nnlab import i18n
    from nnlab.run.config import PRESETS
    from nnlab.train import data
    from nnlab.ui.anatomy.screen import AnatomyScreen
    from nnlab.ui.app import NNLabApp

    i18n.set_lang(lang)
    fashion = data.load(str(data.SAMPLE_DIR), allow_download=False)

    def source() -> dict:
        return {
            "config": PRESETS["tutorial"],
            "state_dict": None,
            "initial_state_dict": None,
            "data": fashion,
            "epoch": 0,
        }

    app = NNLabApp(mode="train")
    saved = []
    suffix = "" if lang == "en" else f"-{lang}"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = AnatomyScreen(source=source)
        await app.push_screen(screen)
        while screen.session.anatomy is None:
            await pilot.pause(0.05)
        await pilot.pause()
        for name, keys in ((f"anatomy{suffix}.svg", ()), (f"anatomy-relu{suffix}.svg", ("n", "n", "n"))):
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            app.save_screenshot(filename=name, path=str(ROOT / "assets"))
            saved.append(ROOT / "assets" / name)
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    for path in asyncio.run(shoot(parser.parse_args().lang)):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
