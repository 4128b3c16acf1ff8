"""Insight: class names in the interface language, apart at >= 118 columns (issue 13 items 11, 17),
and Enter on a confusion-matrix cell shows that cell's test images (item 19)."""

from __future__ import annotations

from test_train_run import QUICK, options, until

from nnlab.run.events import EpochEnd
from nnlab.ui.app import NNLabApp
from nnlab.ui.train import updates as up
from nnlab.ui.train.confusion_matrix import ConfusionMatrix
from nnlab.ui.train.pair_images import PairImages

EPOCH = EpochEnd(
    epoch=1,
    train_loss=1.0,
    test_loss=1.0,
    test_accuracy=0.5,
    per_class_accuracy=(0.5,) * 10,
    confusion=tuple(tuple(100 if i == j else 3 for j in range(10)) for i in range(10)),
    seconds=1.0,
    samples_per_s=1.0,
)


async def test_class_names_do_not_run_together_at_120_columns(tmp_path, screen_text):
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        app.screen.show_page("insight")
        app.screen.show(up.EpochResult(EPOCH))
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "AnkleT-shirt" not in text and "Ankle" in text and "T-shirt/top" in text


async def test_insight_speaks_chinese_class_names(tmp_path, zh, screen_text):
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        app.screen.show_page("insight")
        app.screen.show(up.EpochResult(EPOCH))
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "短靴" in text and "T恤/上衣" in text and "Ankle boot" not in text
        rows = [line for line in text.splitlines() if "短靴" in line]
        assert rows and all("短靴" in r for r in rows)


async def test_enter_on_a_cell_shows_that_pairs_test_images(tmp_path):
    app = NNLabApp(mode="train", options=options(tmp_path, config=QUICK.with_(epochs=1)))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await until(
            pilot, lambda: screen.query_one("#summary-text").render().plain.count("Linear") >= 2, what="the summary"
        )
        screen.runs.start()
        await until(
            pilot,
            lambda: screen.runs.run is not None and not screen.runs.run.active and screen.runs.records,
            what="the run to end",
        )
        confusion = [e for e in screen.runs.record.events if isinstance(e, EpochEnd)][-1].confusion
        screen.show_page("insight")
        matrix = screen.query_one(ConfusionMatrix)
        matrix.focus()
        await pilot.pause(0.1)
        true, pred = max(((i, j) for i in range(10) for j in range(10) if i != j), key=lambda c: confusion[c[0]][c[1]])
        if not confusion[true][pred]:  # tiny data learnt perfectly: a diagonal cell
            true, pred = 3, 3
        matrix.cursor = (true, 0)
        for _ in range(pred):
            await pilot.press("right")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PairImages), what="the pair's images")
        pair = app.screen
        assert (pair.true, pair.predicted) == (true, pred)
        assert len(pair.indices) == confusion[true][pred] > 0  # the same weights as the matrix's epoch
        await pilot.pause(0.3)
        assert all(p == pred for p in pair.grid.predictions) and all(y == true for y in pair.grid.labels)
        assert len(pair.grid.images) == min(24, len(pair.indices))
        await pilot.press("escape")
        assert not isinstance(app.screen, PairImages)
