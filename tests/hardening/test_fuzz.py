"""The fuzz harness of issue 19 (Deliver 4), bounded to well under a minute.

Corpora: truncations of a real checkpoint at many offsets; type- and range-mutated checkpoint
dicts (hypothesis, derandomized so `make test` is repeatable); odd paths (too long, non-UTF-8,
no permission, a FIFO, a directory, a device, a dangling link, empty, garbage) given to every
file-taking flag of every command; a few real `nnlab` processes in the C locale.

Property, for every case: it ends within its limit, the exit code is in {0, 1, 2}, no traceback
on either stream, and every file that existed before is byte-identical (nothing was asked to be
replaced: no --force anywhere).
"""

from __future__ import annotations

import math
import os
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnlab.cli import main
from nnlab.run.config import TrainConfig
from nnlab.train import checkpoint
from nnlab.train.model import NeuralNetwork

pytestmark = pytest.mark.fuzz
NNLAB = str(Path(sys.executable).parent / "nnlab")
CASE_LIMIT_S = 20


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def snapshot(root: Path) -> dict:
    """Every entry under ``root``: its kind, and the bytes of regular files."""
    seen = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            content = None
            if stat.S_ISREG(mode):
                try:
                    content = path.read_bytes()
                except OSError:
                    content = "unreadable"
            seen[str(path)] = (stat.S_IFMT(mode), content)
    return seen


def call(argv, capsys) -> tuple[int, str, str]:
    """main(argv) in-process under an alarm; (code, stdout, stderr)."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_LIMIT_S)
    started = time.monotonic()
    try:
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
        except _Timeout:
            pytest.fail(f"{argv} ran past {CASE_LIMIT_S} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    out, err = capsys.readouterr()
    assert time.monotonic() - started < CASE_LIMIT_S
    return code, out, err


def holds(argv, code, out, err) -> None:
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in out and "Traceback" not in err, (argv, err)


@pytest.fixture(scope="module")
def real_checkpoint(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("real") / "ck.pt"
    model = NeuralNetwork((8,))
    opt = torch.optim.Adam(model.parameters())
    model(torch.zeros(2, 784)).sum().backward()
    opt.step()
    checkpoint.save(
        path,
        model,
        opt,
        epoch=1,
        config=TrainConfig(hidden=(8,), optimizer="adam"),
        history=[{"epoch": 1, "train_loss": 1.0, "test_accuracy": 0.5}],
        extra={"batch": 0},
    )
    return path.read_bytes()


# --- 1. truncations ------------------------------------------------------------------------------
def test_truncations_at_many_offsets_are_refused_cleanly(tmp_path, real_checkpoint):
    """Every prefix (160 offsets, all of the first/last 64 bytes' neighbourhoods included) loads or
    raises CheckpointError; nothing else escapes."""
    size = len(real_checkpoint)
    offsets = sorted(set(list(range(0, 64)) + list(range(size - 64, size)) + list(range(0, size, max(1, size // 40)))))
    path = tmp_path / "cut.pt"
    for offset in offsets:
        path.write_bytes(real_checkpoint[:offset])
        try:
            checkpoint.load(path)
        except checkpoint.CheckpointError as error:
            assert str(error) and "\n" not in str(error)
    assert len(offsets) >= 150


def test_byte_flips_inside_the_pickle_are_refused_cleanly(tmp_path, real_checkpoint):
    path = tmp_path / "flip.pt"
    src = tmp_path / "src.pt"
    src.write_bytes(real_checkpoint)
    with zipfile.ZipFile(src) as archive:
        names = [i.filename for i in archive.infolist()]
        blobs = {n: archive.read(n) for n in names}
    pkl = next(n for n in names if n.endswith("data.pkl"))
    for i in range(0, len(blobs[pkl]), max(1, len(blobs[pkl]) // 60)):
        changed = bytearray(blobs[pkl])
        changed[i] ^= 0xFF
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
            for n in names:
                archive.writestr(n, bytes(changed) if n == pkl else blobs[n])
        try:
            checkpoint.load(path)
        except checkpoint.CheckpointError:
            pass


# --- 2. mutated dicts ----------------------------------------------------------------------------
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(-3, 70000), max_size=4),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from(
        [
            torch.zeros(3),
            torch.full((2, 2), math.nan),
            torch.zeros(10, 8, dtype=torch.int64),
            torch.tensor(-1.0),
            torch.zeros(0),
        ]
    ),
)
FIELDS = [
    "epoch",
    "config",
    "config.hidden",
    "config.lr",
    "config.epochs",
    "config.batch_size",
    "config.device",
    "config.optimizer",
    "config.seed",
    "config.threads",
    "model",
    "model.linear_relu_stack.0.weight",
    "model.linear_relu_stack.2.bias",
    "optimizer",
    "optimizer.param_groups",
    "optimizer.state",
    "optimizer.state.0",
    "optimizer.state.0.exp_avg_sq",
    "optimizer.state.0.step",
    "history",
    "history.0",
    "extra",
    "extra.batch",
    "extra.shuffle_state",
    "extra.epoch_loss_sum",
    "version",
    "format",
]


def _set(payload, dotted: str, value) -> None:
    parts = dotted.split(".")
    if parts[0] == "model" and len(parts) > 1:
        parts = ["model", ".".join(parts[1:])]
    target = payload
    for part in parts[:-1]:
        target = (
            target[int(part)]
            if isinstance(target, list) or (isinstance(target, dict) and part.isdigit() and int(part) in target)
            else target[part]
        )
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    elif last.isdigit() and int(last) in target:
        target[int(last)] = value
    else:
        target[last] = value


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutations=st.lists(st.tuples(st.sampled_from(FIELDS), ODD_VALUES), min_size=1, max_size=3))
def test_mutated_checkpoints_load_or_name_what_is_wrong(tmp_path, real_checkpoint, mutations):
    """A file with the right names and wrong types/ranges loads and then resumes a model, or is a
    CheckpointError: never another exception, never silently wrong types handed to the trainer."""
    src = tmp_path / "src.pt"
    src.write_bytes(real_checkpoint)
    payload = torch.load(src, weights_only=True)
    for field, value in mutations:
        try:
            _set(payload, field, value)
        except (KeyError, IndexError, TypeError, ValueError):
            pass
    path = tmp_path / "mut.pt"
    torch.save(payload, path)
    try:
        loaded = checkpoint.load(path)
    except checkpoint.CheckpointError as error:
        assert str(error)
        return
    config = loaded["config_obj"]
    model = NeuralNetwork(config.hidden)
    optimizer = (
        torch.optim.Adam(model.parameters())
        if config.optimizer == "adam"
        else torch.optim.SGD(model.parameters(), lr=config.lr, momentum=0.9 if config.optimizer == "momentum" else 0)
    )
    try:
        checkpoint.apply(loaded, model, optimizer)
    except checkpoint.CheckpointError:
        return
    assert all(bool(torch.isfinite(p).all()) for p in model.parameters())
    assert isinstance(loaded["epoch"], int) and 0 <= loaded["epoch"] <= 10_000


# --- 3. odd paths × every file-taking flag -------------------------------------------------------
@pytest.fixture
def odd_paths(tmp_path, real_checkpoint):
    root = tmp_path / "odd"
    root.mkdir()
    fifo = root / "fifo"
    os.mkfifo(fifo)
    device = root / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    (root / "dir").mkdir()
    (root / "empty").write_bytes(b"")
    (root / "garbage").write_bytes(b"\x00\xffnot a checkpoint" * 10)
    (root / "ck.pt").write_bytes(real_checkpoint)
    (root / "cut.pt").write_bytes(real_checkpoint[: len(real_checkpoint) // 2])
    (root / "noperm").write_bytes(b"secret")
    os.chmod(root / "noperm", 0)
    (root / "dangling").symlink_to(root / "nowhere")
    (root / "params.json").write_text("{not json")
    return root, {
        "long-name": str(root / ("n" * 300)),
        "long-path": "/".join(["p" * 200] * 23),
        "non-utf8": os.fsdecode(os.fsencode(str(root)) + b"/bad\xff\xfe.out"),
        "no-permission": str(root / "noperm"),
        "fifo": str(fifo),
        "directory": str(root / "dir"),
        "dir-slash": str(root / "newdir") + "/",
        "device": str(device),
        "dangling-link": str(root / "dangling"),
        "empty": str(root / "empty"),
        "garbage": str(root / "garbage"),
        "truncated": str(root / "cut.pt"),
        "bad-json": str(root / "params.json"),
        "missing-parent": str(root / "no" / "such" / "f"),
    }


def flag_commands(tiny_set):
    train = ["train", "--headless", "--data-dir", str(tiny_set), "--epochs", "1", "--hidden", "8"]
    return {
        "train --save": lambda p: [*train, "--save", p],
        "train --metrics": lambda p: [*train, "--metrics", p],
        "train --csv": lambda p: [*train, "--csv", p],
        "train --resume": lambda p: [*train, "--resume", p],
        "train --data-dir": lambda p: ["train", "--headless", "--epochs", "1", "--hidden", "8", "--data-dir", p],
        "--data-dir train": lambda p: ["--data-dir", p, "train", "--headless", "--epochs", "1", "--hidden", "8"],
        "anatomy --checkpoint": lambda p: ["anatomy", "--json", "--data-dir", str(tiny_set), "--checkpoint", p],
        "anatomy --data-dir": lambda p: ["anatomy", "--json", "--data-dir", p],
        "backprop --params": lambda p: ["backprop", "--json", "--params", p],
    }


def test_odd_paths_for_every_file_taking_flag(odd_paths, tiny_set, capsys, tmp_path, monkeypatch):
    root, paths = odd_paths
    monkeypatch.chdir(tmp_path)
    commands = flag_commands(tiny_set)
    cases = 0
    for _flag, build in commands.items():
        for _kind, path in paths.items():
            before = snapshot(root)
            argv = build(path)
            code, out, err = call(argv, capsys)
            holds(argv, code, out, err)
            after = snapshot(root)
            for name, entry in before.items():
                assert after.get(name) == entry, (argv, name)
            for name in set(after) - set(before):  # a new output, if any, is a regular file or a lock
                assert after[name][0] == stat.S_IFREG, (argv, name)
                os.unlink(name)
            cases += 1
    assert cases >= 120


# --- 4. real processes in the C locale -----------------------------------------------------------
def test_real_processes_in_the_c_locale(odd_paths, tiny_set, tmp_path):
    root, paths = odd_paths
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "ascii"}
    train = [NNLAB, "train", "--headless", "--data-dir", str(tiny_set), "--epochs", "1", "--hidden", "8"]
    runs = [
        [*train, "--save", paths["non-utf8"]],
        [*train, "--csv", paths["fifo"]],
        [*train, "--resume", paths["truncated"]],
        [NNLAB, "anatomy", "--json", "--data-dir", str(tiny_set), "--checkpoint", paths["garbage"]],
    ]
    before = snapshot(root)
    for argv in runs:
        result = subprocess.run(
            [os.fsencode(a) for a in argv], env=env, capture_output=True, timeout=CASE_LIMIT_S * 3, cwd=tmp_path
        )
        assert result.returncode in (0, 1, 2), (argv, result.stderr)
        assert b"Traceback" not in result.stdout + result.stderr, (argv, result.stderr)
    after = snapshot(root)
    assert all(after.get(name) == entry for name, entry in before.items())
