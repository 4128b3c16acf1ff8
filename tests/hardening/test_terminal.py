"""Cases 14-16: odd terminal sizes mid-run, no terminal at all, and 16 / 256 / no colours."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
from _pty import NNLAB, PtyApp
from _ui import LONG, key, options, resize, start_run, until

# --- case 14: sizes ---------------------------------------------------------------------------------
SIZES = [(1, 1), (20, 5), (80, 24), (200, 60), (1, 1), (20, 5), (200, 60)]


async def test_resizing_during_training_never_crashes_and_reads_again(tmp_path, screen_text):
    from nnlab.ui.app import NNLabApp

    app = NNLabApp(mode="train", options=options(tmp_path, config=LONG, n_train=4096))
    async with app.run_test(size=(80, 24)) as pilot:
        await start_run(app, pilot)
        await until(pilot, lambda: app.screen.runs.state.batch > 0, what="training progress")
        for size in SIZES:
            await resize(app, pilot, *size)
            assert app.return_code is None and app.screen.runs.active
        before = (app.screen.runs.state.epoch, app.screen.runs.state.batch)
        await pilot.pause(0.5)
        text = screen_text(app)
        assert tuple(app.size) == (200, 60) and len(text.splitlines()) == 60
        assert "Train" in text and "Live" in text and "Epoch" in text  # readable again at 200x60
        assert (app.screen.runs.state.epoch, app.screen.runs.state.batch) != before  # still training
        await key(app, pilot, "x")
        await until(pilot, lambda: app.active_run is None, what="the run to stop")


async def test_resizing_while_stepping_backprop_never_crashes(screen_text):
    from nnlab.ui.app import NNLabApp

    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        first = screen_text(app)
        for size in SIZES:
            await pilot.resize_terminal(*size)
            app.set_focus(None)
            await pilot.press("right")  # one backprop step at every size
            assert app.return_code is None
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "Backprop" in text and text != first  # readable, and the steps happened


# --- case 15: no terminal ---------------------------------------------------------------------------
@pytest.mark.parametrize("command", [[], ["neuron"], ["backprop"], ["train"], ["anatomy"]])
def test_stdin_not_a_terminal_every_app_command_refuses_with_exit_2(command, monkeypatch, capsys):
    from nnlab.cli import main

    with open(os.devnull) as devnull:
        monkeypatch.setattr(sys, "stdin", devnull)
        assert main(command) == 2
    err = capsys.readouterr().err
    assert "--headless" in err and "terminal" in err


def _run_without_terminal(stdin_spec, env=None):
    """Run `nnlab train` with stdin from /dev/null, a pipe, or closed; return code, stderr, CPU s, wall s."""
    started = time.monotonic()
    kwargs = {"stdin": subprocess.DEVNULL} if stdin_spec == "devnull" else {"stdin": subprocess.PIPE}
    if stdin_spec == "closed":
        cmd = ["sh", "-c", f'exec "{NNLAB}" train <&-']
        kwargs = {}
    else:
        cmd = [NNLAB, "train"]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TERM": "xterm-256color", **(env or {})},
        **kwargs,
    )
    if stdin_spec == "pipe":
        proc.stdin.write(b"s\nq\n")
        proc.stdin.close()
    err = proc.stderr.read().decode()
    proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, err, usage.ru_utime + usage.ru_stime, time.monotonic() - started


@pytest.mark.parametrize("stdin_spec", ["devnull", "pipe", "closed"])
def test_real_process_without_a_terminal_exits_2_at_once_without_spinning(stdin_spec):
    code, err, cpu, wall = _run_without_terminal(stdin_spec)
    assert code == 2 and "nnlab train --headless" in err and "Traceback" not in err
    assert wall < 30 and cpu < 5  # no busy loop: it prints and leaves


def test_term_dumb_in_a_real_pty_exits_2(tmp_path):
    app = PtyApp(["train"], cwd=tmp_path, env={"TERM": "dumb"})
    try:
        assert app.wait(30) == 2
        time.sleep(0.1)
        assert "--headless" in app.text()
    finally:
        app.kill()


# --- case 16: colours -------------------------------------------------------------------------------
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _cells(ansi: str):
    """(character, fg, bg) for every character of a tmux capture with escapes (-e)."""
    fg = bg = None
    out = []
    for line in ansi.splitlines():
        pos = 0
        for match in SGR.finditer(line + "\x1b[m"):
            for ch in line[pos : match.start()]:
                out.append((ch, fg, bg))
            pos = match.end()
            codes = [c for c in match.group(1).split(";")] or ["0"]
            i = 0
            while i < len(codes):
                c = int(codes[i] or 0)
                if c == 0:
                    fg = bg = None
                elif c in (38, 48):
                    kind = codes[i + 1]
                    value = codes[i + 2] if kind == "5" else ",".join(codes[i + 2 : i + 5])
                    i += 2 if kind == "5" else 4
                    if c == 38:
                        fg = f"{kind}:{value}"
                    else:
                        bg = f"{kind}:{value}"
                elif 30 <= c <= 37 or 90 <= c <= 97:
                    fg = f"16:{c}"
                elif 40 <= c <= 47 or 100 <= c <= 107:
                    bg = f"16:{c - 10}"
                elif c == 39:
                    fg = None
                elif c == 49:
                    bg = None
                i += 1
    return out


def _grey(colour: str | None) -> bool:
    if colour is None or colour.startswith("16:"):
        return colour in (None, "16:30", "16:37", "16:90", "16:97")
    kind, value = colour.split(":")
    if kind == "5":
        n = int(value)
        return (
            n >= 232
            or n in (0, 7, 8, 15, 16, 231)
            or (16 <= n <= 231 and len({(n - 16) // 36, (n - 16) // 6 % 6, (n - 16) % 6}) == 1)
        )
    r, g, b = map(int, value.split(","))
    return r == g == b


@pytest.mark.slow
@pytest.mark.parametrize(
    "env, check",
    [
        ({"TERM": "xterm"}, "16"),
        ({"TERM": "xterm-256color"}, "256"),
        ({"TERM": "xterm-256color", "NO_COLOR": "1"}, "none"),
    ],
)
def test_real_terminal_colours_stay_readable(tmp_path, env, check):
    """tmux renders `nnlab train` with each colour setting: the mode bar and the footer keys are
    there, every letter's colour differs from its background, and the codes fit the setting."""
    from tmux_helpers import Tmux  # tests/e2e: the project's tmux driver

    with Tmux(tmp_path, env=env) as term:
        term.start("unset COLORTERM; nnlab train")
        term.wait_for("Setup")
        time.sleep(1.0)
        ansi = term.screen_ansi()
        text = term.screen()
        term.keys("q")
    assert "Train" in text and "Start" in text and "Commands" in text
    cells = _cells(ansi)
    letters = [(ch, fg, bg) for ch, fg, bg in cells if ch.isalnum()]
    assert letters and all(fg != bg or fg is None for ch, fg, bg in letters)
    colours = {c for _, fg, bg in cells for c in (fg, bg) if c}
    if check == "16":
        assert colours and all(c.startswith("16:") for c in colours), sorted(colours)[:5]
    elif check == "256":
        assert any(c.startswith("5:") for c in colours)
    else:
        assert all(_grey(c) for c in colours), sorted(c for c in colours if not _grey(c))[:5]


def _letters_visible(app, system) -> list:
    """Letters and digits whose colour equals their background once the colours are reduced to
    ``system`` (None: as rendered) — text a person could not read."""
    bad = []
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            style = segment.style
            if not style or not any(ch.isalnum() for ch in segment.text) or not (style.color and style.bgcolor):
                continue
            fg, bg = (style.bgcolor, style.color) if style.reverse else (style.color, style.bgcolor)
            if system is not None:
                fg, bg = fg.downgrade(system), bg.downgrade(system)
            if fg.get_truecolor() == bg.get_truecolor():
                bad.append((app.current_mode, y, segment.text.strip()[:30]))
            elif system is None and _contrast(fg.get_truecolor(), bg.get_truecolor()) < 3.0:
                # full colour and NO_COLOR greys: WCAG's minimum for large text and UI parts
                bad.append(
                    (
                        app.current_mode,
                        y,
                        segment.text.strip()[:30],
                        f"contrast {_contrast(fg.get_truecolor(), bg.get_truecolor()):.2f}:1",
                    )
                )
    return bad


def _contrast(a, b) -> float:
    """WCAG 2 contrast ratio of two RGB colours (1 = identical, 21 = black on white)."""

    def luminance(rgb):
        def channel(v):
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b = rgb
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("no_color", [False, True])
async def test_every_screen_keeps_text_distinct_from_its_background(no_color, monkeypatch):
    from rich.color import ColorSystem

    from nnlab.ui.app import NNLabApp

    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        bad = []
        for mode in ("neuron", "backprop", "train"):
            app.switch_mode(mode)
            await pilot.pause(0.5)
            for system in (None,) if no_color else (ColorSystem.STANDARD, ColorSystem.EIGHT_BIT, None):
                bad += _letters_visible(app, system)
            if no_color:
                colours = {
                    c.get_truecolor()
                    for strip in app.screen._compositor.render_strips()
                    for seg in strip
                    if seg.style
                    for c in (seg.style.color, seg.style.bgcolor)
                    if c is not None
                }
                assert all(r == g == b for r, g, b in colours), f"{mode}: colours under NO_COLOR"
    assert bad == []


def _colour_app(system: str):
    from pathlib import Path

    from rich.console import Console

    from nnlab.ui import app as app_module
    from nnlab.ui.app import NNLabApp

    class ColourApp(NNLabApp):
        """Exports its screenshot with the colours a ``system`` terminal gets (Textual's own
        export is always truecolor)."""

        CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))  # relative paths follow the subclass

        def export_screenshot(self, *, title=None, simplify=False) -> str:
            import io

            from rich.color import ColorSystem
            from rich.segment import Segment, Segments
            from rich.style import Style

            reduce_to = {"standard": ColorSystem.STANDARD, "256": ColorSystem.EIGHT_BIT}.get(system)

            def reduced(style):
                if style is None or reduce_to is None:
                    return style
                return style + Style.from_color(
                    style.color.downgrade(reduce_to) if style.color else None,
                    style.bgcolor.downgrade(reduce_to) if style.bgcolor else None,
                )

            width, height = self.size
            console = Console(
                width=width,
                height=height,
                file=io.StringIO(),
                force_terminal=True,
                color_system="truecolor",
                record=True,
                legacy_windows=False,
                safe_box=False,
            )
            segments = []
            for strip in self.screen._compositor.render_strips():
                segments += [Segment(seg.text, reduced(seg.style)) for seg in strip] + [Segment.line()]
            console.print(Segments(segments), end="")
            return console.export_svg(title=title or self.title)

    return ColourApp


async def _ready(pilot) -> None:
    app = pilot.app
    await until(pilot, lambda: "Linear" in str(app.screen.query_one("#summary-text").render()), what="the summary")
    app.set_focus(None)
    await pilot.pause(0.2)


@pytest.mark.parametrize("system, no_color", [("standard", False), ("256", False), ("truecolor", True)])
def test_snapshot_train_setup_in_16_256_and_no_colour(snap_compare, monkeypatch, system, no_color):
    """The Train mode's Setup page at 80x24 as a 16-colour terminal, a 256-colour terminal and a
    NO_COLOR terminal show it: the mode bar with "3 Train" highlighted, the form (preset, epochs,
    batch, lr, optimizer, hidden, activation, seed, device) with readable values, the model
    summary on the right, and the footer keys — every label legible in each; NO_COLOR in greys."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    from nnlab.train.data import synthetic

    data = synthetic(64, 32)
    app = _colour_app(system)(mode="train", options={"data_factory": lambda: data})
    assert snap_compare(app, terminal_size=(80, 24), run_before=_ready)
