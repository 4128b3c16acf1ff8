"""The usage error every subcommand raises for a bad flag or value, and the parser that prints it."""

from __future__ import annotations

import argparse
import sys

from nnlab.i18n import t


class UsageError(Exception):
    """A bad flag or value: one line on stderr, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error and exit code 2 (no usage dump)."""

    def error(self, message: str):  # type: ignore[override]
        print(t("cli.error", message=message), file=sys.stderr)
        raise SystemExit(2)
