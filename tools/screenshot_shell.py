"""Regenerate assets/shell.svg: the Backprop mode at 80x24 with the help overlay open.

.venv/bin/python tools/screenshot_shell.py
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from nnlab.ui.app import NNLabApp

ASSETS = Path(__file__).resolve().parent.parent / "assets"


async def main() -> None:
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.pause()
        app.save_screenshot(filename="shell.svg", path=str(ASSETS))


if __name__ == "__main__":
    asyncio.run(main())
