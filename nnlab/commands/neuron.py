"""`nnlab neuron`: opens the app in the neuron mode (headless options arrive with its issue)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int | None:
    return None  # open the app in this mode
