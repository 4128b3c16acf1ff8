"""--sweep parsing, grids, random draws and grouping (torch-free: nnlab.run.sweep)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nnlab.run.config import TrainConfig
from nnlab.run.errors import ConfigError
from nnlab.run.sweep import SweepControl, groups, parse_axis, parse_max_members, parse_sweep

BASE = TrainConfig()


def test_a_grid_is_the_product_first_axis_slowest():
    members = parse_sweep(BASE, ["lr=1e-3,1e-2,1e-1", "optimizer=sgd,adam"])
    assert [(m.config.lr, m.config.optimizer) for m in members] == [
        (1e-3, "sgd"),
        (1e-3, "adam"),
        (1e-2, "sgd"),
        (1e-2, "adam"),
        (0.1, "sgd"),
        (0.1, "adam"),
    ]
    assert [m.id for m in members][:2] == ["m00", "m01"]
    assert members[3].label() == "lr=0.01 optimizer=adam"
    assert all(m.config.batch_size == 64 and m.config.hidden == (512, 512) for m in members)
    assert len(groups(members)) == 1  # lr and optimizer may differ inside a group


def test_groups_split_on_what_a_batched_step_must_share():
    members = parse_sweep(BASE, ["batch_size=32,64", "seed=0,1", "lr=1e-3,1e-2", "hidden=512x512,256"])
    found = groups(members)
    assert len(found) == 8 and all(len(g) == 2 for g in found)
    for group in found:
        assert len({(m.config.batch_size, m.config.seed, m.config.hidden) for m in group}) == 1


def test_random_members_are_reproducible_and_inside_the_ranges():
    texts = ["lr=1e-4..1e-1:log", "batch_size=32..256", "optimizer=sgd,adam"]
    a = parse_sweep(BASE, texts, random_count=20, seed=7)
    b = parse_sweep(BASE, texts, random_count=20, seed=7)
    assert [m.config for m in a] == [m.config for m in b]
    assert all(1e-4 <= m.config.lr <= 1e-1 and 32 <= m.config.batch_size <= 256 for m in a)
    assert all(isinstance(m.config.batch_size, int) for m in a)
    assert {m.config.optimizer for m in a} == {"sgd", "adam"}
    assert parse_sweep(BASE, texts, random_count=20, seed=8)[0].config != a[0].config


@pytest.mark.parametrize(
    "texts, words",
    [
        (["lr="], "value 1 is empty"),
        (["lr=1e-3,,1e-2"], "value 2 is empty"),
        (["lr=1e-3,0.001"], "listed twice"),
        (["optimizer=sgd,sgd"], "listed twice"),
        (["lr=abc"], "lr=abc"),
        (["lr=nan"], "lr=nan"),
        (["lr=0"], "lr=0"),
        (["batch_size=1.5"], "batch_size=1.5"),
        (["batch_size=70000"], "batch_size=70000"),
        (["momentum=0.9"], "not a setting"),
        (["device=cpu,cuda"], "not a setting"),
        (["lr"], "SETTING=VALUE"),
        (["lr=1e-3", "lr=1e-2"], "given twice"),
        (["optimizer=rmsprop"], "sgd|momentum|adam"),
        (["hidden=512x0"], "512x512"),
        (["lr=1e-3..1e-1"], "needs --sweep-random"),
    ],
)
def test_bad_input_is_named_in_one_line(texts, words):
    with pytest.raises(ConfigError) as error:
        parse_sweep(BASE, texts)
    message = str(error.value)
    assert words in message and "\n" not in message


@pytest.mark.parametrize("text", ["lr=1e-1..1e-4", "lr=0..1:log", "optimizer=sgd..adam", "lr=1e-3..x"])
def test_bad_ranges_are_refused(text):
    with pytest.raises(ConfigError):
        parse_sweep(BASE, [text], random_count=3)


def test_a_grid_over_the_cap_is_refused_with_its_count():
    lrs = ",".join(f"{i}e-3" for i in range(1, 12))
    with pytest.raises(ConfigError, match=r"66 members \(11 lr × 2 optimizer × 3 batch_size\).*64"):
        parse_sweep(BASE, [f"lr={lrs}", "optimizer=sgd,adam", "batch_size=32,64,128"])
    assert len(parse_sweep(BASE, [f"lr={lrs}", "optimizer=sgd,adam", "batch_size=32,64,128"], max_members=66)) == 66
    with pytest.raises(ConfigError, match="65 members"):
        parse_sweep(BASE, ["lr=1e-4..1e-1"], random_count=65)
    assert parse_max_members("100") == 100
    for bad in ("0", "-1", "1.5", "abc", "100000"):
        with pytest.raises(ConfigError, match="--max-members"):
            parse_max_members(bad)


def test_members_are_validated_against_the_data():
    with pytest.raises(ConfigError, match=r"m01 \(batch_size=999\)"):
        parse_sweep(BASE, ["batch_size=32,999"], train_size=500)


def test_the_chinese_catalog_has_the_messages(zh):
    with pytest.raises(ConfigError, match="不是可扫描的设置"):
        parse_axis("foo=1")


def test_sweep_control_stops_one_member_and_steers_the_group():
    control = SweepControl()
    control.stop_member(2)
    assert control.member_stops() == {2} and not control.stopped
    control.pause()
    assert control.step() and control._next_action() == "step"
    control.stop()
    assert control._next_action() == "stop"


def test_the_spec_module_imports_no_torch():
    code = "import sys, nnlab.run.sweep; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_schedule_and_early_stop_are_axes_that_share_a_group():
    members = parse_sweep(
        BASE.with_(warmup_steps=10), ["schedule=none,cosine,warmup,step", "early_stop=0,2", "step_gamma=0.5,0.1"]
    )
    assert len(members) == 16 and len(groups(members)) == 1
    assert {m.config.schedule for m in members} == {"none", "cosine", "warmup", "step"}
    with pytest.raises(ConfigError, match="none|step|cosine|warmup"):
        parse_sweep(BASE, ["schedule=linear"])
    with pytest.raises(ConfigError, match="m00 .*warmup_steps"):
        parse_sweep(BASE, ["schedule=warmup"])  # a warm-up needs warmup_steps
    with pytest.raises(ConfigError, match="step_gamma=2"):
        parse_sweep(BASE, ["step_gamma=0.5,2"])
