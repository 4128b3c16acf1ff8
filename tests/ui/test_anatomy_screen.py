"""The Anatomy view: stepping, picking images, the parameters table, live refresh, snapshots."""

from __future__ import annotations

import time

import pytest

from nnlab import i18n
from nnlab.ui.anatomy.param_table import ParamTable
from nnlab.ui.anatomy.screen import AnatomyScreen
from nnlab.ui.app import NNLabApp
from nnlab.ui.train.screen import TrainScreen

STEP_NAMES = ["Data", "Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear → logits", "Softmax", "Parameters"]


@pytest.fixture(scope="module")
def fashion():
    from nnlab.train import data

    return data.synthetic(n_train=256, n_test=64, seed=0)


def make_source(fashion, **changes):
    """A stand-in for the dashboard's source: a dict the test can change between polls."""
    from nnlab.run.config import TrainConfig

    box = {"config": TrainConfig(), "state_dict": None, "initial_state_dict": None, "data": fashion, "epoch": 0}
    box.update(changes)
    return box, lambda: dict(box)


async def until(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the anatomy view")
        await pilot.pause(0.05)
    await pilot.pause()


def ready(screen: AnatomyScreen):
    return lambda: screen.session.anatomy is not None and screen.session.shown_generation == screen.session.generation


async def open_view(app, pilot, source) -> AnatomyScreen:
    screen = AnatomyScreen(source=source)
    await app.push_screen(screen)
    await until(pilot, ready(screen))
    return screen


def header(screen_text, app) -> str:
    return screen_text(app).splitlines()[1]


async def test_steps_through_data_layers_softmax_and_parameters(fashion, screen_text):
    app = NNLabApp(mode="train")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_view(app, pilot, make_source(fashion)[1])
        text = screen_text(app)
        assert "Anatomy 1/9: Data" in text
        assert "Shape of X [N, C, H, W]: torch.Size([64, 1, 28, 28])" in text
        assert "Shape of y: torch.Size([64]) torch.int64" in text
        assert "Shape of X [N, C, H, W]: torch.Size([3, 1, 28, 28])" in text
        from nnlab.train.data import CLASSES

        assert f"#0 {CLASSES[int(fashion.test_y[0])]}" in text
        for i, name in enumerate(STEP_NAMES[1:], start=2):
            await pilot.press("n")
            assert f"Anatomy {i}/9: {name}" in header(screen_text, app)
            if name == "ReLU" and i == 4:
                relu = screen.session.anatomy.layers[2]
                assert f"zeroed {relu.zeroed[0]} of 512" in screen_text(app)
                assert "ReLU()" in screen_text(app)
            if name == "Softmax":
                assert "1.000000" in screen_text(app) and "Softmax(dim=1)" in screen_text(app)
        await pilot.press("n")  # the last step stays the last
        assert "9/9: Parameters" in header(screen_text, app)
        await pilot.press("p")
        assert "8/9: Softmax" in header(screen_text, app)
        await pilot.press("left", "left")
        assert "6/9: ReLU" in header(screen_text, app)
        await pilot.press("right")
        assert "7/9: Linear → logits" in header(screen_text, app)
        await pilot.press("d")
        assert "1/9: Data" in header(screen_text, app)
        await pilot.press("w")
        assert "9/9: Parameters" in header(screen_text, app)


async def test_picking_images(fashion, screen_text):
    app = NNLabApp(mode="train")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_view(app, pilot, make_source(fashion)[1])
        assert screen.session.anatomy.data.indices == (0, 1, 2)
        await pilot.press("plus")
        await until(pilot, ready(screen))
        assert screen.session.anatomy.data.indices == (0, 1, 2, 3)
        assert "#0 #1 #2 #3" in header(screen_text, app)
        assert screen.session.anatomy.data.picked.x_shape == (4, 1, 28, 28)
        for _ in range(5):
            await pilot.press("minus")
        await until(pilot, ready(screen))
        assert screen.session.anatomy.data.indices == (0,)
        for _ in range(10):
            await pilot.press("plus")
        await until(pilot, ready(screen))
        assert screen.session.anatomy.data.indices == tuple(range(8))
        await pilot.press("right_square_bracket")
        await until(pilot, ready(screen))
        assert screen.session.anatomy.data.indices == tuple(range(8, 16))
        await pilot.press("left_square_bracket", "left_square_bracket")
        await until(pilot, ready(screen))
        assert screen.session.anatomy.data.indices == tuple(range(56, 64))  # wraps around the 64 test images
        await pilot.press("r")
        await until(pilot, ready(screen))
        picked = screen.session.anatomy.data.indices
        assert len(set(picked)) == 8 and picked != tuple(range(56, 64)) and all(0 <= i < 64 for i in picked)
        await pilot.press("n", "n", "n")  # the layers follow the picked images
        assert screen.session.anatomy.layers[0].output.shape == (8, 784)


async def test_parameters_table_and_detail_then_escape_back(fashion, screen_text):
    app = NNLabApp(mode="train")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_view(app, pilot, make_source(fashion)[1])
        await pilot.press("w")
        table = screen.query_one(ParamTable)
        assert table.row_count == 6 and app.focused is table
        text = screen_text(app)
        assert "Total: 669,706 parameters (669,706 trainable)" in text
        assert "linear_relu_stack.0.weight" in text and "512×784" in text and "401,408" in text
        first = screen.session.anatomy.parameters.entries[0]
        assert f"std {first.stats.std:.4g}" in text
        await pilot.press("down")
        assert "linear_relu_stack.0.bias  [512]" in screen_text(app)
        assert "distance moved: shown when the initial weights are known" in screen_text(app)
        assert table.columns_shown == ("name", "size", "numel", "mean", "std", "moved")  # fits 80 columns
        await pilot.resize_terminal(110, 30)
        await pilot.pause()
        assert table.columns_shown == ("name", "size", "numel", "mean", "std", "min", "max", "moved")
        assert f"{first.stats.min:.3g}" in screen_text(app).splitlines()[3]
        await pilot.press("escape")  # back to the dashboard
        await pilot.pause()
        assert isinstance(app.screen, TrainScreen)


async def test_refreshes_when_an_epoch_ends_and_shows_how_far_weights_moved(fashion, screen_text):
    import torch

    from nnlab.train.model import initial_state

    box, source = make_source(fashion)
    app = NNLabApp(mode="train")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_view(app, pilot, source)
        await pilot.press("w")
        generation = screen.session.generation
        await pilot.pause(1.5)
        assert screen.session.generation == generation  # same epoch: nothing recomputed
        initial = initial_state(box["config"])
        trained = {k: v.clone() for k, v in initial.items()}
        trained["linear_relu_stack.4.bias"] += 0.5
        box.update(state_dict=trained, initial_state_dict=initial, epoch=1)
        await until(pilot, lambda: screen.session.generation > generation and ready(screen)())
        assert "after epoch 1" in header(screen_text, app)
        bias = screen.session.anatomy.parameters.entries[-1]
        assert bias.moved_l2 == pytest.approx(torch.full((10,), 0.5).norm().item(), rel=1e-6)
        table = screen.query_one(ParamTable)
        table.move_cursor(row=5)
        await pilot.pause()
        assert f"‖p − p₀‖₂ = {bias.moved_l2:.4g}" in screen_text(app)
        assert f"{100 * bias.moved_relative:.2f}%" in screen_text(app)


async def test_failures_are_shown_and_the_app_keeps_running(screen_text, tmp_path):
    """No data where the options point: the loader's message. Later the source itself fails:
    its message replaces the view. Keys keep working and esc still goes back."""
    from nnlab.run.config import TrainConfig

    gone = []

    def source():
        if gone:
            raise RuntimeError("the run went away")
        return {"config": TrainConfig(), "state_dict": None, "initial_state_dict": None, "data": None, "epoch": 0}

    app = NNLabApp(mode="train", options={"data_dir": str(tmp_path / "nowhere")})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = AnatomyScreen(source=source)
        await app.push_screen(screen)
        await until(pilot, lambda: screen.session.shown_generation == screen.session.generation)
        shown = " ".join(line.strip() for line in screen_text(app).splitlines())  # the message wraps
        assert f"Cannot show the anatomy: data directory {tmp_path / 'nowhere'} does not exist" in shown
        gone.append(True)  # from now on the source itself fails
        await until(pilot, lambda: "Cannot show the anatomy: the run went away" in screen_text(app))
        await pilot.press("n", "plus", "escape")
        assert isinstance(app.screen, TrainScreen)


async def test_the_train_mode_opens_the_view_with_a(fashion, monkeypatch):
    """The dashboard's `a` pushes the view with its own source (no run yet: the form's config)."""
    from nnlab.train import data

    monkeypatch.setattr(data, "load", lambda *a, **k: fashion)
    app = NNLabApp(mode="train")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.set_focus(None)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AnatomyScreen))
        screen = app.screen
        await until(pilot, ready(screen))
        assert screen.session.source is not None and screen.session.anatomy.parameters.total == 669_706
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TrainScreen)


async def test_nnlab_anatomy_opens_the_view_in_train_mode(fashion, monkeypatch, tmp_path, screen_text):
    """`nnlab anatomy --checkpoint F --images 2 --first 5`: its options, handled by the app."""
    import torch

    from nnlab.run.config import TrainConfig
    from nnlab.train import anatomy, checkpoint, data

    monkeypatch.setattr(data, "load", lambda *a, **k: fashion)
    config = TrainConfig(seed=4)
    model = anatomy.fresh_model(config)
    path = tmp_path / "run.pt"
    checkpoint.save(path, model, torch.optim.SGD(model.parameters(), lr=0.1), epoch=3, config=config, history=[])
    options = {"open": "anatomy", "checkpoint": str(path), "images": 2, "first": 5, "seed": 0}
    app = NNLabApp(mode="anatomy", options=options)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AnatomyScreen))
        screen = app.screen
        await until(pilot, ready(screen))
        assert app.current_mode == "train"
        assert screen.session.anatomy.data.indices == (5, 6)
        assert "checkpoint run.pt, epoch 3" in header(screen_text, app)
        assert screen.session.anatomy.parameters.entries[0].first == tuple(
            model.linear_relu_stack[0].weight.detach().reshape(-1)[:8].tolist()
        )


# snapshots --------------------------------------------------------------------------------
def _snap_app(fashion, lang: str):
    i18n.set_lang(lang)
    app = NNLabApp(mode="neuron")  # a base with no background workers: the snapshot is only the view

    async def open_it(pilot, keys=()):
        screen = AnatomyScreen(source=make_source(fashion)[1])
        await app.push_screen(screen)
        await until(pilot, ready(screen))
        for key in keys:
            await pilot.press(key)
        await pilot.pause()

    return app, open_it


def test_snapshot_data_step_en(snap_compare, fashion):
    """The data step in English: the header "Anatomy 1/9: Data │ test #0 #1 #2 │ untrained, seed 0",
    the DataLoader batch lines exactly as the tutorial prints them ([64, 1, 28, 28], [64]
    torch.int64) and for the 3 picked images, then two images drawn in grey half blocks with
    their class names above them; the footer lists n Next, p Prev, w Params, + More images,
    - Fewer images, esc Back."""
    app, open_it = _snap_app(fashion, "en")
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_it)


def test_snapshot_relu_step_en(snap_compare, fashion):
    """The first ReLU step: "ReLU()", input [3, 512] → output [3, 512], a colour legend, then for
    image #0 the count of values ReLU zeroed, its first values before and after (negatives
    became 0) and two heat maps of 512 cells each (blue negatives, red positives, grey zeros)."""
    app, open_it = _snap_app(fashion, "en")
    assert snap_compare(app, terminal_size=(80, 24), run_before=lambda pilot: open_it(pilot, "nnn"))


def test_snapshot_softmax_step_zh(snap_compare, fashion):
    """The softmax step in Chinese: "Softmax(dim=1)", a table of 10 classes × 3 images with each
    image's highest probability in reverse video, ▸ before the true class, a 总和 (sum) row of
    1.000000 each, and per image the top class with ✓ or ✗."""
    app, open_it = _snap_app(fashion, "zh")
    assert snap_compare(app, terminal_size=(80, 24), run_before=lambda pilot: open_it(pilot, "nnnnnnn"))


def test_snapshot_parameters_zh(snap_compare, fashion):
    """The parameters step in Chinese: a table of the six named_parameters (name, shape, numel,
    mean, std, moved "—" before training) that fits 80 columns, the first row highlighted, and
    below it the total 669,706 and the selected tensor's first values and statistics."""
    app, open_it = _snap_app(fashion, "zh")
    assert snap_compare(app, terminal_size=(80, 24), run_before=lambda pilot: open_it(pilot, "w"))


def test_anatomy_session_needs_no_textual_and_drops_stale_results():
    """The walk's state apart from widgets: image picks wrap, a newer request makes older results stale."""
    import subprocess
    import sys
    from types import SimpleNamespace

    from nnlab.ui.anatomy.session import AnatomySession, Walked, WalkFailed

    code = "import sys, nnlab.ui.anatomy.session; print('textual' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )
    s = AnatomySession()
    first, second = s.request({}), s.request({})
    assert (first.generation, second.generation, second.count, second.picked) == (1, 2, 3, None)
    assert not s.accept(1, WalkFailed("old")) and s.shown_generation == -1
    data = SimpleNamespace(test_size=10)
    assert s.accept(2, Walked(anatomy=None, data=data, weights={}, info="x")) and s.data is data
    s.turn_page(-1)
    assert s.indices() == [7, 8, 9]  # wraps around the 10 test images
    s.change_count(+10)
    assert s.count == 8 and s.indices() == [7, 8, 9, 0, 1, 2, 3, 4]
    assert s.pick_random() and len(s.picked) == 8 and s.request({}).picked == tuple(s.picked)
    assert s.go(99) == "params" and s.go(-5) == "data"  # steps clamp (no layers before a walk)
