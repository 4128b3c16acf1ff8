"""`nnlab neuron [--panel P] [--preset NAME]`: opens the app in the neuron mode."""

from __future__ import annotations

import argparse

from nnlab.i18n import t

# The names of nnlab.core.neuron.PRESETS, spelled out so that building the parser (on every
# start) does not import numpy; a test keeps the two equal.
PRESETS = ("one_input", "body_weight")

PANELS = ("neuron", "compare", "loss", "softmax")  # the same order as the screen's panel bar


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--panel", choices=PANELS, default="neuron", help=t("neuron.cli.panel", choices=", ".join(PANELS))
    )
    parser.add_argument(
        "--preset", choices=tuple(PRESETS), default="one_input", help=t("neuron.cli.preset", choices=", ".join(PRESETS))
    )


def run(args: argparse.Namespace) -> int | None:
    args.app_options = {"neuron_panel": args.panel, "neuron_preset": args.preset}
    return None  # open the app in this mode
