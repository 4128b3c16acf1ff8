"""Every screen's footer shows every key it lists, whole, at 80x24, in English and in Chinese.

Textual's footer is one row that scrolls sideways: keys past the right edge (or under the command
palette key docked there) are simply cut, "? 帮" or "] Ne" (issue 13 item 11). Each state below is
a screen as a person meets it (a mode, a page, a panel, a focused field or table); the test reads
the footer's keys and fails on any that does not lie wholly left of the palette key, or whose
label is not on the screen's last line in full.
"""

from __future__ import annotations

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

from nnlab import i18n
from nnlab.ui.app import NNLabApp

SIZE = (80, 24)


async def _settle(pilot, seconds: float = 0.15) -> None:
    await pilot.pause()
    await pilot.pause(seconds)


def _problems(app, state: str) -> list[str]:
    """What is cut in the footer of the screen shown now (empty: every key fits)."""
    # An overlay (help, a dialog) has no footer of its own: the one beneath stays on screen.
    with_footer = [s for s in reversed(app.screen_stack) if s.query(Footer)]
    if not with_footer:
        return [f"{state}: no footer on screen"]
    footer = with_footer[0].query_one(Footer)
    last_line = app.screen._compositor.render_strips()[-1].text
    items = [w for w in footer.query("FooterKey, FooterLabel") if w.display]
    palette = [w for w in items if w.has_class("-command-palette")]
    limit = palette[0].region.x if palette else footer.region.right
    problems = []
    if "…" in last_line:
        problems.append(f"{state}: an ellipsis in the footer: {last_line!r}")
    for item in items:
        if item in palette:
            continue
        if isinstance(item, FooterKey):
            label = f"{item.key_display} {item.description}" if item.description else item.key_display
        elif isinstance(item, FooterLabel):
            label = str(item.render())
        else:  # pragma: no cover
            continue
        if item.region.right > limit or item.region.width == 0:
            problems.append(f"{state}: {label!r} is cut (ends at column {item.region.right}, room to {limit})")
        elif label not in last_line:
            problems.append(f"{state}: {label!r} is not on the footer line {last_line!r}")
    return problems


async def _walk_neuron(app, pilot, check) -> None:
    for panel in ("neuron", "compare", "loss", "softmax"):
        app.screen.show_panel(panel)
        await _settle(pilot)
        check(f"neuron/{panel}")
        await pilot.press("tab")  # the panel's first field: its nudge keys join the footer
        await _settle(pilot)
        check(f"neuron/{panel} (a field focused)")
        app.set_focus(None)


async def _walk_backprop(app, pilot, check) -> None:
    await _settle(pilot)
    check("backprop")
    await pilot.press("right", "right")
    await _settle(pilot)
    check("backprop (stepping)")


async def _walk_train(app, pilot, check) -> None:
    from nnlab.ui.train.confusion_matrix import ConfusionMatrix
    from nnlab.ui.train.runs_table import RunsTable
    from nnlab.ui.train.setup_form import SetupForm

    screen = app.screen
    for page in ("setup", "live", "insight", "runs"):
        screen.show_page(page) if hasattr(screen, "show_page") else None
        await _settle(pilot, 0.3)
        check(f"train/{page}")
    screen.show_page("setup")
    await _settle(pilot, 0.3)
    fields = list(screen.query(SetupForm).first().query("NumberField"))
    if fields:
        fields[0].focus()
        await _settle(pilot)
        check("train/setup (a field focused)")
    screen.show_page("insight")
    await _settle(pilot, 0.3)
    screen.query_one(ConfusionMatrix).focus()
    await _settle(pilot)
    check("train/insight (the confusion matrix focused)")
    screen.show_page("runs")
    await _settle(pilot, 0.3)
    screen.query_one(RunsTable).focus()
    await _settle(pilot)
    check("train/runs (the runs table focused)")


async def _walk_anatomy(app, pilot, check) -> None:
    from nnlab.run.config import TrainConfig
    from nnlab.ui.anatomy.screen import AnatomyScreen

    def source():  # no data (the options point nowhere): the view says so; its keys do not depend on it
        return {"config": TrainConfig(), "state_dict": None, "initial_state_dict": None, "data": None, "epoch": 0}

    await app.push_screen(AnatomyScreen(source=source))
    await _settle(pilot, 0.3)
    check("anatomy")


async def _walk_help(app, pilot, check) -> None:
    for mode in ("neuron", "backprop", "train"):
        await app.switch_mode(mode)
        await _settle(pilot)
        app.set_focus(None)
        await pilot.press("question_mark")
        await _settle(pilot)
        check(f"help over {mode}")
        await pilot.press("escape")
        await _settle(pilot)


WALKS = {
    "neuron": ("neuron", {}, _walk_neuron),
    "backprop": ("backprop", {}, _walk_backprop),
    "train": ("train", {}, _walk_train),
    "anatomy": ("train", {"data_dir": "/nonexistent/nnlab-footer-test"}, _walk_anatomy),
    "help": ("neuron", {}, _walk_help),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("walk", list(WALKS))
async def test_every_footer_key_is_shown_whole_at_80_columns(walk, lang):
    i18n.set_lang(lang)
    mode, options, steps = WALKS[walk]
    app = NNLabApp(mode=mode, options=options)
    problems: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot, 0.3)
        app.set_focus(None)
        await steps(app, pilot, lambda state: problems.extend(_problems(app, state)))
    assert not problems, "\n".join(problems)


def _recorded_run(tmp_path):
    from nnlab.run.config import TrainConfig
    from nnlab.run.events import Started
    from nnlab.run.rundir import RunDir

    config = TrainConfig(epochs=1, batch_size=32, hidden=(32,), seed=3)
    rd = RunDir.create(tmp_path / "runs", config)
    writer = rd.writer()
    writer(
        Started(config=config.to_dict(), device="cpu", parameters=1, train_size=64, test_size=32, data_source="sample")
    )
    writer.close()
    return rd


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_viewer_and_sweep_footers_fit_at_80_columns(tmp_path, lang):
    """`nnlab watch RUN` (each page), a script's tracked run, and the sweep page."""
    import nnlab.track

    i18n.set_lang(lang)
    problems: list[str] = []
    rd = _recorded_run(tmp_path)
    app = NNLabApp(mode="watch", options={"watch": str(rd.path), "runs_dir": str(rd.path.parent)})
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot, 0.5)
        screen = app.screen
        for page in ("live", "insight", "runs"):
            if hasattr(screen, "show_page"):
                screen.show_page(page)
            await _settle(pilot, 0.3)
            problems += _problems(app, f"watch/{page}")

    run = nnlab.track.init(name="footer", runs_dir=str(tmp_path / "track"), quiet=True)
    run.log({"loss": 1.0}, step=1)
    run.finish()
    app = NNLabApp(mode="watch", options={"watch": str(run.path), "source": "track"})
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot, 0.5)
        problems += _problems(app, "watch (a tracked script)")

    app = NNLabApp(mode="sweep", options={"sweep": str(tmp_path / "no-sweep")})
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot, 0.5)
        problems += _problems(app, "sweep")
    assert not problems, "\n".join(problems)
