"""`nnlab anatomy`: opens the app in the anatomy mode (headless options arrive with its issue)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int | None:
    return None  # open the app (anatomy lives in the Train mode)
