"""TensorBoardSource reads what torch.utils.tensorboard.SummaryWriter writes, live, as track records."""

from __future__ import annotations

import shutil
import sys

import pytest

pytest.importorskip("tensorboard")
torch = pytest.importorskip("torch")
from torch.utils.tensorboard import SummaryWriter  # noqa: E402

from nnlab.integrations.tensorboard import ExtraMissing, TensorBoardSource  # noqa: E402


def scalars(records):
    return [r for r in records if r["event"] == "scalars"]


def test_scalars_and_images_then_follow_a_writer_still_writing(tmp_path):
    source = TensorBoardSource(tmp_path)
    assert "waiting" in source.waiting and source.read_new() == []
    writer = SummaryWriter(tmp_path)
    for step in range(50):
        writer.add_scalar("train/loss", 1.0 / (step + 1), step)
        writer.add_scalar("train/acc", step / 50, step)
    writer.add_scalar("bad", float("nan"), 50)
    writer.add_image("samples", torch.arange(3 * 4 * 5, dtype=torch.uint8).reshape(3, 4, 5), 50)
    writer.flush()
    first = source.read_new()
    assert source.waiting is None and source.problems == []
    rows = scalars(first)
    assert [r["step"] for r in rows] == list(range(51))
    assert rows[3]["values"] == {"train/loss": pytest.approx(0.25), "train/acc": pytest.approx(0.06)}
    assert rows[50]["values"] == {"bad": None}
    image = [r for r in first if r["event"] == "images"][0]
    assert image["key"] == "samples" and image["shape"] == [1, 4, 5, 3]
    from nnlab.track import image_arrays

    assert image_arrays(image)[0, 0, 1, 0] == 1  # CHW 3x4x5 → HWC: [c=0, h=0, w=1] = 1
    for step in range(51, 61):
        writer.add_scalar("train/loss", 0.01, step)
    writer.flush()
    more = source.read_new()
    assert [r["step"] for r in scalars(more)] == list(range(51, 61))  # only what is new
    writer.add_scalars("multi", {"a": 1.0, "b": 2.0}, 70)  # subdirectories: prefixed tags
    writer.close()
    tags = {k for r in scalars(source.read_new()) for k in r["values"]}
    assert tags == {"multi_a/multi", "multi_b/multi"}


def test_a_corrupt_file_is_reported_and_the_rest_still_read(tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    for folder in (good, bad):
        writer = SummaryWriter(folder)
        for step in range(20):
            writer.add_scalar("loss", float(step), step)
        writer.close()
    event_file = next(bad.iterdir())
    data = bytearray(event_file.read_bytes())
    cut = len(data) // 2
    data[cut : cut + 12] = b"\xff" * 12  # garbage mid-file
    event_file.write_bytes(bytes(data))
    source = TensorBoardSource(tmp_path)
    records = scalars(source.read_new())
    assert len(source.problems) == 1 and "corrupt" in source.problems[0] and "bad" in source.problems[0]
    good_steps = [r["step"] for r in records if "good/loss" in r["values"]]
    bad_steps = [r["step"] for r in records if "bad/loss" in r["values"]]
    assert good_steps == list(range(20)) and 0 < len(bad_steps) < 20
    assert source.read_new() == [] and len(source.problems) == 1  # reported once


def test_a_record_cut_short_waits_for_the_rest(tmp_path):
    writer = SummaryWriter(tmp_path / "src")
    for step in range(5):
        writer.add_scalar("loss", float(step), step)
    writer.close()
    full = next((tmp_path / "src").iterdir()).read_bytes()
    (tmp_path / "live").mkdir()
    target = tmp_path / "live" / "events.out.tfevents.1.host"
    target.write_bytes(full[:-7])
    source = TensorBoardSource(tmp_path / "live")
    assert [r["step"] for r in scalars(source.read_new())] == [0, 1, 2, 3]
    target.write_bytes(full)
    assert [r["step"] for r in scalars(source.read_new())] == [4] and source.problems == []


def test_without_the_package_one_line_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto", None)
    with pytest.raises(ExtraMissing) as caught:
        TensorBoardSource(tmp_path)
    assert str(caught.value).count("\n") == 0 and "pip install 'nnlab[tensorboard]'" in str(caught.value)


def test_same_values_as_the_packages_own_loader(tmp_path):
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    writer = SummaryWriter(tmp_path)
    for step in range(30):
        writer.add_scalar("x", step * 0.5, step)
    writer.close()
    path = next(p for p in tmp_path.iterdir() if "tfevents" in p.name)
    theirs = [
        (e.step, v.tensor.float_val[0] if v.HasField("tensor") else v.simple_value)
        for e in EventFileLoader(str(path)).Load()
        for v in e.summary.value
    ]
    ours = [(r["step"], r["values"]["x"]) for r in scalars(TensorBoardSource(tmp_path).read_new())]
    assert ours == theirs
    shutil.rmtree(tmp_path)
    assert "no such directory" in TensorBoardSource(tmp_path).waiting
