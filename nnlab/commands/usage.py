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
        say(t("cli.error", message=message))
        raise SystemExit(2)


def say(text: str, stream=None) -> None:
    """Write one line to stderr (or ``stream``) so that writing it cannot fail: any locale, any
    path bytes, a closed or broken stream. A line that cannot be written is dropped."""
    stream = stream if stream is not None else sys.stderr
    if stream is None:
        return
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text = text.encode(encoding, "backslashreplace").decode(encoding, "replace")
    except (LookupError, UnicodeError):
        text = text.encode("ascii", "backslashreplace").decode("ascii")
    try:
        stream.write(text + "\n")
        stream.flush()
    except (OSError, ValueError, AttributeError):
        pass
