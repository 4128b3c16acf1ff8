"""Finding and checking FashionMNIST: the search order, and clear errors for bad files."""

from __future__ import annotations

import gzip

import pytest
import torch
from _engine_helpers import idx_images, idx_labels, write_set

from nnlab.train import data as data_mod


@pytest.fixture
def places(tmp_path, monkeypatch):
    """A fake HOME, system directory and sample directory; no network; no NNLAB_DATA_DIR."""
    home, system, sample = tmp_path / "home", tmp_path / "system", tmp_path / "sample"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NNLAB_DATA_DIR", raising=False)
    monkeypatch.setattr(data_mod, "SYSTEM_DIR", system)
    monkeypatch.setattr(data_mod, "SAMPLE_DIR", sample)
    monkeypatch.setattr(data_mod, "network_available", lambda timeout=0: False)
    data_mod._memo.clear()
    return {
        "home": home,
        "system": system,
        "sample": sample,
        "cache": home / ".cache" / "nnlab" / "FashionMNIST" / "raw",
        "tmp": tmp_path,
    }


def test_search_order(places, monkeypatch):
    with pytest.raises(data_mod.DataError, match="not found"):
        data_mod.locate()
    write_set(places["sample"], 30, 10)
    assert data_mod.locate().kind == "sample" and data_mod.locate().is_sample
    with pytest.raises(data_mod.DataError):
        data_mod.locate(allow_sample=False)
    monkeypatch.setattr(data_mod, "network_available", lambda timeout=0: True)
    assert data_mod.locate().kind == "download"
    assert data_mod.locate(allow_download=False).kind == "sample"
    write_set(places["system"], 40, 10)
    assert data_mod.locate().kind == "system" and data_mod.locate().train_size == 40
    write_set(places["cache"], 50, 10, gz=False)
    assert data_mod.locate().kind == "cache" and data_mod.locate().train_size == 50
    mine = write_set(places["tmp"] / "mine", 60, 10)
    monkeypatch.setenv("NNLAB_DATA_DIR", str(mine))
    assert data_mod.locate().kind == "dir" and data_mod.locate().train_size == 60
    other = write_set(places["tmp"] / "other" / "FashionMNIST" / "raw", 70, 10, gz=False)
    assert data_mod.locate(str(other.parent.parent)).train_size == 70  # the argument beats the environment


def test_explicit_directory_must_hold_the_files(places):
    with pytest.raises(data_mod.DataError, match="does not exist"):
        data_mod.locate(str(places["tmp"] / "nowhere"))
    half = places["tmp"] / "half"
    write_set(half)
    (half / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(data_mod.DataError, match="t10k-labels-idx1-ubyte") as info:
        data_mod.locate(str(half))
    assert "--data-dir" in str(info.value)


def test_load_goes_through_torchvision_and_unpacks_once(places):
    write_set(places["system"], 40, 10)
    data = data_mod.load()
    assert data.train_x.shape == (40, 28, 28) and data.train_x.dtype == torch.uint8
    assert data.train_y.dtype == torch.int64 and data.train_y.tolist()[:12] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert data.test_x.shape == (10, 28, 28) and not data.is_sample
    assert sorted(p.name for p in places["cache"].iterdir()) == sorted(data_mod.FILES.values())
    data_mod._memo.clear()
    assert data_mod.locate().kind == "cache"  # the unpacked copy is found first next time
    assert torch.equal(data_mod.load().train_x, data.train_x)


def test_sample_is_announced(places):
    write_set(places["sample"], 30, 10)
    data = data_mod.load()
    assert data.is_sample and data.source == "sample" and data.train_size == 30


def test_shipped_sample_is_real_and_balanced(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    data_mod._memo.clear()
    data = data_mod.load(str(data_mod.SAMPLE_DIR))
    assert data.is_sample and (data.train_size, data.test_size) == (6000, 1000)
    assert data.train_y.bincount().tolist() == [600] * 10 and data.test_y.bincount().tolist() == [100] * 10
    assert 60 < data.train_x.float().mean() < 90  # real clothing images: mostly dark background
    assert (data_mod.SAMPLE_DIR / "LICENSE").read_text().count("MIT") >= 1


@pytest.mark.parametrize(
    "role, blob, words",
    [
        ("train_images", idx_images(20)[:-100], "truncated"),
        ("train_images", idx_images(20) + b"xx", "extra data"),
        ("train_images", b"\x00\x00\x08\x01" + idx_images(20)[4:], "not an idx file"),
        ("train_images", idx_images(20, rows=27), "27×28"),
        ("train_labels", idx_labels(20, [3] * 19 + [10]), "label 10"),
        ("test_labels", idx_labels(9), "holds 10 images but"),
        ("test_images", b"\x00\x00", "truncated"),
    ],
)
def test_bad_files_name_the_file_and_the_fix(places, role, blob, words):
    directory = write_set(places["tmp"] / "bad", **{role: blob})
    with pytest.raises(data_mod.DataError, match=words) as info:
        data_mod.load(str(directory))
    assert data_mod.FILES[role] in str(info.value) or "holds" in str(info.value)


def test_corrupt_and_truncated_gzip(places):
    directory = write_set(places["tmp"] / "gz")
    name = directory / "train-images-idx3-ubyte.gz"
    whole = name.read_bytes()
    name.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(data_mod.DataError, match="train-images-idx3-ubyte.gz") as info:
        data_mod.load(str(directory))
    assert "reinstall" in str(info.value) or "download" in str(info.value)
    name.write_bytes(b"\x1f\x8b" + b"garbage" * 10)
    with pytest.raises(data_mod.DataError, match="train-images-idx3-ubyte.gz"):
        data_mod.load(str(directory))
    name.write_bytes(gzip.compress(b"x" * 10))
    with pytest.raises(data_mod.DataError, match="train-images-idx3-ubyte.gz"):
        data_mod.load(str(directory))


def test_synthetic_is_deterministic_and_balanced():
    a, b, c = data_mod.synthetic(100, 20, 1), data_mod.synthetic(100, 20, 1), data_mod.synthetic(100, 20, 2)
    assert torch.equal(a.train_x, b.train_x) and torch.equal(a.test_y, b.test_y)
    assert not torch.equal(a.train_x, c.train_x)
    assert a.train_y.bincount().tolist() == [10] * 10 and a.train_x.dtype == torch.uint8


def test_network_probe_never_hangs(monkeypatch):
    import time

    for url in ("http://10.255.255.1:9/x.gz", "http://nnlab-offline.invalid/x.gz"):  # blackhole, no DNS
        monkeypatch.setattr(data_mod, "PROBE_URL", url)
        start = time.monotonic()
        assert data_mod.network_available(timeout=0.5) is False
        assert time.monotonic() - start < 2
