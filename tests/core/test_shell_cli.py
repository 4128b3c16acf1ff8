"""The `nnlab` command line: version, help, errors, and refusing to run without a terminal."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nnlab import __version__
from nnlab.cli import build_parser, main

NNLAB = [sys.executable, "-m", "nnlab"]


def _run(*args, stdin=subprocess.DEVNULL, env=None, timeout=60):
    return subprocess.run(
        NNLAB + list(args),
        capture_output=True,
        text=True,
        stdin=stdin,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def test_version():
    out = _run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"nnlab {__version__}"


def test_help_lists_the_subcommands_in_both_languages():
    en = _run("--help", "--lang", "en")
    assert en.returncode == 0
    for name in ("neuron", "backprop", "train", "bench"):
        assert name in en.stdout
    zh = _run("--lang", "zh", "--help")
    assert "反向传播" in zh.stdout


def test_unknown_flag_is_one_line_and_exit_2():
    out = _run("--no-such-flag")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0
    assert "--no-such-flag" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("stdin", [subprocess.DEVNULL, subprocess.PIPE])
def test_without_a_terminal_the_app_refuses_and_points_to_headless_commands(stdin):
    out = _run("neuron", stdin=stdin, timeout=20)
    assert out.returncode == 2
    assert "nnlab train --headless" in out.stderr
    assert "Traceback" not in out.stderr


def test_term_dumb_is_refused(monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert main(["neuron"]) == 2


def test_global_options_work_before_and_after_the_subcommand():
    parser = build_parser()
    before = parser.parse_args(["--lang", "zh", "--data-dir", "/a", "--theme", "light", "train"])
    after = parser.parse_args(["train", "--lang", "zh", "--data-dir", "/a", "--theme", "light"])
    for args in (before, after):
        assert (args.lang, args.data_dir, args.theme, args.command) == ("zh", "/a", "light", "train")
    plain = parser.parse_args([])
    assert (plain.lang, plain.data_dir, plain.theme, plain.command) == (None, None, None, None)
