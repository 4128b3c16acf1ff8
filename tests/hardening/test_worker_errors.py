"""Case 11: an exception of any kind in a worker becomes an error state in the UI; the app keeps
running and the next run works."""

from __future__ import annotations

from _ui import QUICK, key, notes, options, run_ended, start_run, status, until

from nnlab.train.data import synthetic


class Strange(Exception):
    """An exception type nothing in nnlab knows about."""


FAULTS = [
    RuntimeError("boom"),
    ValueError("bad value"),
    KeyError("missing"),
    ZeroDivisionError("division by zero"),
    MemoryError(),
    AssertionError("invariant"),
    OSError(5, "Input/output error"),
    Strange("odd"),
    SystemExit(3),
]


async def test_every_kind_of_exception_in_the_run_worker_is_shown_and_survived(tmp_path):
    from nnlab.ui.app import NNLabApp

    data = synthetic(128, 32)
    pending = list(FAULTS)

    def factory():
        if pending:
            raise pending.pop(0)
        return data

    app = NNLabApp(mode="train", options=options(tmp_path, config=QUICK.with_(epochs=1), factory=factory))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        for fault in FAULTS:
            await run_ended(app, pilot, timeout=15)
            assert status(app) == "failed", f"{type(fault).__name__}: status {status(app)}"
            await until(
                pilot,
                lambda fault=fault: type(fault).__name__ in notes(app),
                timeout=5,
                what=f"{type(fault).__name__} shown",
            )
            assert app.return_code is None
            app.screen.runs.start()
        await run_ended(app, pilot)
        assert status(app) == "finished"  # after nine failures, a run works


async def test_an_exception_inside_the_engine_mid_run_is_shown(tmp_path, monkeypatch):
    from nnlab.train import trainer as loop
    from nnlab.ui.app import NNLabApp

    def evaluate(*args, **kwargs):
        raise RuntimeError("evaluation exploded")

    monkeypatch.setattr(loop, "evaluate", evaluate)
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await run_ended(app, pilot)
        assert status(app) == "failed" and app.return_code is None
        await until(pilot, lambda: "evaluation exploded" in notes(app), timeout=5, what="the error shown")


async def test_a_failing_model_summary_worker_is_shown_not_raised(tmp_path, monkeypatch):
    from nnlab.train import model
    from nnlab.ui.app import NNLabApp

    def build_model(config):
        raise RuntimeError("cannot build")

    monkeypatch.setattr(model, "build_model", build_model)
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(
            pilot,
            lambda: "cannot build" in str(app.screen.query_one("#summary-text").render()),
            what="the summary's error",
        )
        assert app.return_code is None
        await key(app, pilot, "question_mark")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen", what="the help overlay")


async def test_an_exception_in_the_anatomy_worker_is_shown_on_its_screen(tmp_path, monkeypatch, screen_text):
    from nnlab.train import anatomy
    from nnlab.ui.app import NNLabApp

    def walk(*args, **kwargs):
        raise RuntimeError("the walk exploded")

    monkeypatch.setattr(anatomy, "walk", walk)
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        app.set_focus(None)
        await key(app, pilot, "a")
        await until(pilot, lambda: "the walk exploded" in screen_text(app), what="the anatomy error on screen")
        assert app.return_code is None and type(app.screen).__name__ == "AnatomyScreen"
