"""Regenerate assets/neuron.svg (the Neuron panel, body-weight preset) and assets/neuron-loss.svg
(the Loss panel after ten descent steps) with the app itself, at 80x24.

    .venv/bin/python tools/screenshot_neuron.py
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from nnlab.ui.app import NNLabApp

ASSETS = Path(__file__).resolve().parent.parent / "assets"
SHOTS = {
    "neuron.svg": ["p"],  # body-weight check: z = 9.7 inside (6, 13)
    "neuron-loss.svg": ["right_square_bracket", "right_square_bracket", *"gggggggggg"],
}


async def shoot(filename: str, keys: list[str]) -> None:
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        app.save_screenshot(filename=filename, path=str(ASSETS))


def main() -> None:
    ASSETS.mkdir(exist_ok=True)
    for filename, keys in SHOTS.items():
        asyncio.run(shoot(filename, keys))
        print(ASSETS / filename)


if __name__ == "__main__":
    main()
