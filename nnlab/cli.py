"""The `nnlab` command: argparse, subcommands, and the interactive app.

Headless paths (``backprop --json``, ``train --headless``, ``anatomy --json``, ``bench``) never
import textual; the app path never imports torch at start-up. Each subcommand lives in
``nnlab.commands.<name>`` with ``add_arguments(parser)`` and ``run(args) -> int | None``
(None means: open the app in that mode).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from nnlab import __version__
from nnlab.commands import anatomy, backprop, bench, neuron, train
from nnlab.commands.usage import Parser, UsageError
from nnlab.i18n import LANGS, detect_lang, set_lang, t

SUBCOMMANDS = {"neuron": neuron, "backprop": backprop, "train": train, "anatomy": anatomy, "bench": bench}


def _pre_lang(argv: Sequence[str]) -> str:
    """The language asked for on the command line, before the parser (whose help is translated) exists."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGS:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGS:
            return arg.split("=", 1)[1]
    return detect_lang()


def _common() -> Parser:
    """Options accepted before and after the subcommand. SUPPRESS: a subcommand's parser must
    not overwrite a value given before it with its own default. A fresh parser per use, since
    ``parents`` shares action objects and ``set_defaults`` would change them all."""
    common = Parser(add_help=False)
    common.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=t("cli.lang"))
    common.add_argument("--theme", choices=("dark", "light"), default=argparse.SUPPRESS, help=t("cli.theme"))
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=t("cli.data_dir"))
    return common


def build_parser() -> Parser:
    parser = Parser(prog="nnlab", description=t("cli.description"), parents=[_common()])
    parser.set_defaults(lang=None, theme=None, data_dir=None)
    parser.add_argument("--version", action="version", version=f"nnlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{" + ",".join(SUBCOMMANDS) + "}", parser_class=Parser)
    for name, module in SUBCOMMANDS.items():
        child = sub.add_parser(name, help=t(f"cli.cmd.{name}"), description=t(f"cli.cmd.{name}"), parents=[_common()])
        module.add_arguments(child)
    return parser


def has_terminal() -> bool:
    """True when an interactive app can run: stdin and stdout are TTYs and TERM is usable."""
    try:
        ttys = sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed stdin/stdout
        return False
    return ttys and os.environ.get("TERM", "") not in ("", "dumb")


def run_app(mode: str, args: argparse.Namespace, **options) -> int:
    if not has_terminal():
        print(t("cli.no_tty"), file=sys.stderr)
        return 2
    from nnlab.ui.app import NNLabApp

    options.setdefault("data_dir", getattr(args, "data_dir", None))
    options.setdefault("exit_watchdog", True)  # after SIGHUP/SIGTERM the process always ends
    app = NNLabApp(mode=mode, theme=args.theme or "dark", options=options)
    app.run()
    return int(app.return_code or 0)


def _leave(code: int) -> None:
    """End the `nnlab` process now that the app has returned. ``app.run()`` returns only after
    every thread worker has finished (asyncio joins the executor), so the checkpoint a stopped
    run writes is on disk by then. What is skipped is the interpreter's teardown of torch, which
    took 2-3.5 s here after a quit: longer than a person should wait for a prompt."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # a closed terminal after an SSH drop
            pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    standalone = argv is None  # the `nnlab` command itself (tests pass argv and keep their process)
    argv = list(sys.argv[1:] if argv is None else argv)
    set_lang(_pre_lang(argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.lang:
        set_lang(args.lang)
    if args.command is None:
        code = run_app("neuron", args)
        if standalone:
            _leave(code)
        return code
    module = SUBCOMMANDS[args.command]
    try:
        code = module.run(args)
    except UsageError as error:
        print(t("cli.error", message=str(error)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(t("cli.interrupted"), file=sys.stderr)
        return 130
    if code is None:
        code = run_app(args.command, args, **getattr(args, "app_options", {}))
        if standalone:
            _leave(code)
    return int(code)
