"""`nnlab bench sweep` on tiny data: rows for every K and way, JSON, bad input."""

from __future__ import annotations

import argparse
import json

import pytest

from nnlab.bench import sweep as bench_sweep
from nnlab.commands import bench as bench_cmd
from nnlab.run.errors import ConfigError
from nnlab.train import data as data_mod


def test_measure_gives_batched_and_sequential_rows_side_by_side():
    data = data_mod.synthetic(256, 64)
    result = bench_sweep.measure(data, "cpu", 1, (1, 2), ("bmm",), runs=1, max_seconds=300, threads=1)
    rows = {(r["k"], r["how"]): r for r in result["rows"]}
    assert set(rows) == {(1, "batched"), (1, "sequential"), (2, "batched"), (2, "sequential")}
    for (k, _), row in rows.items():
        assert row["s_per_epoch"] > 0 and row["samples_per_s_total"] == pytest.approx(
            k * row["samples_per_s_per_member"], rel=1e-3
        )
    assert rows[(2, "sequential")]["sequential_over_this"] == 1.0


def test_max_seconds_skips_what_would_overrun():
    data = data_mod.synthetic(256, 64)
    result = bench_sweep.measure(data, "cpu", 1, (1, 16), ("bmm",), runs=1, max_seconds=0.0, threads=1)
    assert result["rows"] == [] and len(result["skipped"]) == 4


def test_members_are_the_tutorial_differing_only_by_lr():
    configs = bench_sweep.member_configs(4, 1, "cpu")
    assert [c.lr for c in configs] == [0.001, 0.004642, 0.02154, 0.1]
    assert len({(c.batch_size, c.seed, c.hidden, c.optimizer) for c in configs}) == 1
    with pytest.raises(ConfigError):
        bench_sweep.parse_members("0,4")


def test_the_command_prints_json(capsys, monkeypatch):
    monkeypatch.setattr(data_mod, "load", lambda *a, **k: data_mod.synthetic(128, 32))
    parser = argparse.ArgumentParser()
    bench_cmd.add_arguments(parser)
    args = parser.parse_args(["sweep", "--json", "--members", "1,2", "--threads", "1", "--device", "cpu"])
    args.lang, args.data_dir = None, None
    assert bench_cmd.run(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert [r["k"] for r in result["rows"]] == [1, 1, 2, 2] and result["threads"] == 1
