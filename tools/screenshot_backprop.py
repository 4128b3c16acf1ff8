"""Regenerate the backprop screenshots with the app itself:

- assets/backprop.svg: 80x24, step 38/76 (∂E_total/∂out_h1, the hidden layer's two paths summed);
- assets/backprop-120x40.svg: the same step at 120x40 (framed boxes, the whole chain outline);
- assets/backprop-passes.svg: 80x24, `i` with 200 passes: E_total falling, outputs closing on targets.

    .venv/bin/python tools/screenshot_backprop.py
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from nnlab.ui.app import NNLabApp

ASSETS = Path(__file__).resolve().parent.parent / "assets"


async def shoot(filename: str, size: tuple[int, int], step_id: str | None = None, passes: int | None = None) -> None:
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if step_id is not None:
            target = [s.id for s in app.screen.steps].index(step_id)
            await pilot.press("b")  # backward start, then one step at a time as a person would
            while app.screen.index < target:
                await pilot.press("n")
        await app.workers.wait_for_complete()  # the autograd line has its result
        if passes is not None:
            await pilot.press("i")
            await pilot.pause()
            app.screen.query_one("#bp-passes-n").value = str(passes)
            await pilot.press("enter")
            await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        app.save_screenshot(filename=filename, path=str(ASSETS))


def main() -> None:
    ASSETS.mkdir(exist_ok=True)
    shots = [
        ("backprop.svg", (80, 24), "w1.dE_dout_h", None),
        ("backprop-120x40.svg", (120, 40), "w1.dE_dout_h", None),
        ("backprop-passes.svg", (80, 24), None, 200),
    ]
    for filename, size, step_id, passes in shots:
        asyncio.run(shoot(filename, size, step_id, passes))
        print(ASSETS / filename)


if __name__ == "__main__":
    main()
