"""The `nnlab` command: argparse, subcommands, and the interactive app.

Headless paths (``backprop --json``, ``train --headless``, ``anatomy --json``, ``bench``) never
import textual; the app path never imports torch at start-up. Each subcommand lives in
``nnlab.commands.<name>`` with ``add_arguments(parser)`` and ``run(args) -> int | None``
(None means: open the app in that mode).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence

from nnlab import __version__
from nnlab.commands import anatomy, backprop, bench, ctl, neuron, runs, train, watch
from nnlab.commands.usage import Parser, UsageError, say
from nnlab.i18n import LANGS, detect_lang, set_lang, t

SUBCOMMANDS = {
    "neuron": neuron,
    "backprop": backprop,
    "train": train,
    "anatomy": anatomy,
    "bench": bench,
    "runs": runs,
    "ctl": ctl,
    "watch": watch,
}


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
        say(t("cli.no_tty"))
        return 2
    from nnlab.ui.app import NNLabApp

    options.setdefault("data_dir", getattr(args, "data_dir", None))
    options.setdefault("exit_watchdog", True)  # after SIGHUP/SIGTERM the process always ends
    # Textual draws on sys.__stderr__: with `2> log.txt` on a terminal the whole UI would go into
    # the file and the terminal stay blank (issue 19 case 22). Draw on the terminal (stdout) then.
    original = sys.__stderr__
    try:
        redirect = not (original is not None and original.isatty())
    except (ValueError, AttributeError, OSError):
        redirect = True
    if redirect:
        sys.__stderr__ = sys.__stdout__
    app = NNLabApp(mode=mode, theme=args.theme or "dark", options=options)
    try:
        app.run()
    except Exception:  # noqa: BLE001 - re-raised unless the app was already ending on a signal
        # After SIGHUP/SIGTERM the app is exiting with 128+N and its run has stopped and saved;
        # Textual's own teardown can then fail on a dead terminal (seen: "dictionary changed
        # size during iteration" in App._close_all). That must not turn the exit code into 1.
        if not (getattr(app, "_quitting", False) and app.return_code):
            raise
    finally:
        sys.__stderr__ = original
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


def _ensure_fds() -> None:
    """Open /dev/null onto fds 0-2 when they are closed at start (issue 19 case 22): otherwise the
    next file opened (the live --metrics log) would become fd 2, and anything written to stderr,
    by Python or native code, would land in the middle of it."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    for name, fd, mode in (("stdin", 0, "r"), ("stdout", 1, "w"), ("stderr", 2, "w")):
        if getattr(sys, name) is None:  # Python started with the fd closed
            setattr(sys, name, open(fd, mode, closefd=False, errors="backslashreplace"))


def _safe_streams() -> None:
    """Text that cannot be encoded (a non-UTF-8 path under an ASCII locale) is escaped, never an
    error (case 25): stdout and stderr write with ``errors="backslashreplace"``."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
            pass


def crash_log(error: BaseException) -> str | None:
    """Write the traceback to ``$XDG_STATE_HOME/nnlab/crash-*.log`` (else a temp directory);
    the path written, or None when nowhere could be written."""
    import tempfile
    import time
    import traceback

    text = f"nnlab {__version__} argv={sys.argv!r}\n" + "".join(
        traceback.format_exception(type(error), error, error.__traceback__)
    )
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    for directory in (os.path.join(state, "nnlab"), os.path.join(tempfile.gettempdir(), f"nnlab-{os.getuid()}")):
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            path = os.path.join(directory, name)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with open(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(text)
            return path
        except OSError:
            continue
    return None


DECODE_ERRORS = ("UnicodeDecodeError", "BadZipFile", "UnpicklingError", "EOFError", "BadGzipFile", "error")


def report(error: BaseException) -> int:
    """The error boundary's answer to an exception no command handled: one line and an exit code.

    OSError → the path and strerror (1); a file that cannot be decoded → the file (2); anything
    else → an internal error whose traceback goes to a log file, named (1)."""
    name = type(error).__name__
    if isinstance(error, OSError) and error.errno is not None and name != "BadGzipFile":
        why = error.strerror or str(error)
        paths = [os.fsdecode(p) for p in (error.filename, error.filename2) if p is not None]
        if paths:
            say(t("cli.error", message=t("err.os", path=" → ".join(paths), why=why)))
        else:
            say(t("cli.error", message=t("err.os_nopath", why=why)))
        return 1
    if name in DECODE_ERRORS and (name != "error" or type(error).__module__ in ("zlib", "struct")):
        path = getattr(error, "filename", None)
        why = (str(error).splitlines() or [name])[0][:200]
        if path:
            say(t("cli.error", message=t("err.decode", path=os.fsdecode(path), why=why)))
        else:
            say(t("cli.error", message=t("err.decode_nopath", why=why)))
        return 2
    log = crash_log(error)
    if log:
        say(t("cli.error", message=t("err.internal", name=name, log=log)))
    else:
        say(t("cli.error", message=t("err.internal_nolog", name=name, why=str(error)[:200])))
    return 1


def _quiet_stdout() -> None:
    """Flush stdout; if it is gone (a closed pipe, a full disk), point fd 1 at /dev/null so the
    interpreter's own flush at exit prints no 'Exception ignored' traceback."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            try:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, stream.fileno())
                os.close(null)
            except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
                pass


def main(argv: Sequence[str] | None = None) -> int:
    """The `nnlab` command. Exit codes: 0 done; 1 the run failed or diverged (or an I/O error
    or internal error); 2 bad input (a flag, a value, a file that cannot be used); 130 / 143
    stopped by SIGINT / SIGTERM. Every error is one line on stderr (the error boundary: ``report``)."""
    standalone = argv is None  # the `nnlab` command itself (tests pass argv and keep their process)
    if standalone:
        _ensure_fds()
    _safe_streams()
    try:
        return _main(argv, standalone)
    except UsageError as error:
        say(t("cli.error", message=str(error)))
        return 2
    except KeyboardInterrupt:
        say(t("cli.interrupted"))
        return 130
    except (SystemExit, GeneratorExit):
        raise
    except Exception as error:  # noqa: BLE001 - the one error boundary: never a traceback
        return report(error)
    finally:
        if standalone:
            _quiet_stdout()


def _main(argv: Sequence[str] | None, standalone: bool) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_lang(_pre_lang(argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = argv  # what --detach passes on to the background process
    if args.lang:
        set_lang(args.lang)
    if args.command is None:
        code = run_app("neuron", args)
        if standalone:
            _leave(code)
        return code
    module = SUBCOMMANDS[args.command]
    code = module.run(args)
    if code is None:
        code = run_app(getattr(args, "app_mode", args.command), args, **getattr(args, "app_options", {}))
        if standalone:
            _leave(code)
    return int(code)
