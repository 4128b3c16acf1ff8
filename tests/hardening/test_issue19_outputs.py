"""Issue 19: outputs checked before any work, the error boundary, streams that go away.

Each test names the case it guards; each failed before the fix (a traceback, a replaced device,
a destroyed input, a blocked open, a wrong message)."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnlab.cli import main
from nnlab.fs import atomic
from nnlab.fs.lock import OutputLock
from nnlab.train import checkpoint

NNLAB = str(Path(sys.executable).parent / "nnlab")


def run_cli(tiny_set, *args) -> int:
    return main(["train", "--headless", "--data-dir", str(tiny_set), "--epochs", "1", "--hidden", "8", *args])


def one_line_no_traceback(text: str) -> None:
    assert "Traceback" not in text and len([line for line in text.splitlines() if line.strip()]) <= 2, text


def as_nobody(fn) -> int:
    """Run ``fn()`` in a forked child with uid/gid 65534; its return value is the exit status."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(65534)
            os.setuid(65534)
            os._exit(fn())
        except BaseException:  # noqa: BLE001
            os._exit(99)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.mark.parametrize("flag", ["--save", "--metrics", "--csv"])
def test_case1_a_device_or_fifo_is_never_replaced_even_with_force(tmp_path, tiny_set, capsys, flag):
    """Case 1: `--csv /dev/null --force` as root replaced the device with a regular file. Here a
    mknod'ed /dev/null twin and a FIFO in tmp: refused, still a device / FIFO."""
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target, check in ((device, stat.S_ISCHR), (fifo, stat.S_ISFIFO)):
        assert run_cli(tiny_set, flag, str(target), "--force") == 2
        err = capsys.readouterr().err
        assert "not a regular file" in err
        one_line_no_traceback(err)
        assert check(os.lstat(target).st_mode)


def test_case1_the_atomic_writer_itself_refuses_a_device(tmp_path):
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    with pytest.raises(atomic.NotRegularFile):
        atomic.write_bytes(device, b"x")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


@pytest.mark.parametrize("flag", ["--metrics", "--csv"])
def test_case2_an_output_that_is_the_resume_file_or_a_hard_link_to_it_is_refused(tmp_path, tiny_set, capsys, flag):
    """Case 2: `--resume F --metrics F --force` (or a hard link to F) destroyed F before reading it."""
    ck = tmp_path / "ck.pt"
    assert run_cli(tiny_set, "--save", str(ck)) == 0
    before = ck.read_bytes()
    link = tmp_path / "hard.pt"
    os.link(ck, link)
    for out in (ck, link):
        assert run_cli(tiny_set, "--resume", str(ck), "--epochs", "2", flag, str(out), "--force") == 2
        err = capsys.readouterr().err
        assert "same file as --resume" in err
    assert ck.read_bytes() == before
    assert run_cli(tiny_set, "--resume", str(ck), "--epochs", "2", "--save", str(link), "--force") == 0  # --save may


def test_case7_a_save_file_held_by_another_live_run_is_refused(tmp_path, tiny_set, capsys):
    """Case 7: two runs with the same --save overwrote each other silently."""
    target = tmp_path / "same.pt"
    with OutputLock(target):
        assert run_cli(tiny_set, "--save", str(target)) == 2
        assert "another running nnlab" in capsys.readouterr().err
        assert not target.exists()
    assert run_cli(tiny_set, "--save", str(target)) == 0
    assert not (tmp_path / ".same.pt.lock").exists()


def test_case8_a_temp_file_whose_writer_holds_its_lock_is_kept_whatever_its_pid(tmp_path):
    """Case 8: cleanup deleted live writers' temps across PID namespaces (their pid looked dead)."""
    target = tmp_path / "ck.pt"
    stray = tmp_path / ".ck.pt.999999.0123abcd.pt.tmp"  # pid 999999: not alive in this namespace
    stray.write_bytes(b"half")
    fd = os.open(stray, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # what a live writer in another namespace holds
    try:
        assert atomic.clean_strays(target) == 0 and stray.exists()
    finally:
        os.close(fd)
    assert atomic.clean_strays(target) == 1 and not stray.exists()


def test_case11_a_fifo_metrics_file_is_refused_at_once(tmp_path, tiny_set, capsys):
    """Case 11: `--metrics FIFO --force` blocked for ever in open(), deaf to SIGINT/SIGTERM."""
    fifo = tmp_path / "m.jsonl"
    os.mkfifo(fifo)
    started = time.monotonic()
    assert run_cli(tiny_set, "--metrics", str(fifo), "--force") == 2
    assert time.monotonic() - started < 30 and "not a regular file" in capsys.readouterr().err


def test_case11_the_jsonl_writer_never_blocks_on_a_fifo(tmp_path):
    from nnlab.run.writers import JsonlWriter

    fifo = tmp_path / "late.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(OSError):
        JsonlWriter(fifo)  # no reader: ENXIO at once (or refused as not regular)


def test_case12_a_failed_final_save_is_never_reported_as_written(tmp_path, tiny_set, capsys, monkeypatch):
    """Case 12: `--on-save-error continue` with a failed final save exited 0 printing 'checkpoint: FILE'."""
    target = tmp_path / "ck.pt"

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(checkpoint, "save", full)
    assert run_cli(tiny_set, "--save", str(target), "--on-save-error", "continue", "--epochs", "2") == 1
    out, err = capsys.readouterr()
    assert "checkpoint NOT written" in err and "does not exist" in err
    assert f"checkpoint: {target}" not in out
    assert "Traceback" not in err


def test_case13_an_unwritable_directory_is_found_before_any_epoch(tmp_path, tiny_set):
    """Case 13: a 0555 directory was found only after a full epoch, with a 'free some space' message."""
    from nnlab.fs.paths import check_output

    locked = tmp_path / "ro"
    locked.mkdir(mode=0o555)
    os.chmod(tmp_path, 0o755)

    def child() -> int:
        try:
            check_output(locked / "y.pt")
        except PermissionError:
            return 0
        return 1

    assert as_nobody(child) == 0


def test_case13_tilde_is_expanded_the_same_by_the_check_and_the_writer(tmp_path, tiny_set, monkeypatch):
    """Case 13: `--save=~/y.pt`: the check expanded `~`, the writer did not."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert run_cli(tiny_set, "--save=~/y.pt", "--metrics=~/m.jsonl") == 0
    checkpoint.load(tmp_path / "y.pt")
    assert (tmp_path / "m.jsonl").stat().st_size > 0 and not (tmp_path / "~").exists()


LONG_NAME = "x" * 300
LONG_PATH = "/".join(["d" * 200] * 23)  # 4,600 characters


@pytest.mark.parametrize("flag", ["--save", "--metrics", "--csv", "--resume", "--data-dir"])
@pytest.mark.parametrize("name", ["long-name", "long-path"])
def test_case16_names_too_long_are_one_line(tmp_path, tiny_set, capsys, flag, name):
    """Case 16: ENAMETOOLONG (a 300-character name, a 4,420-character path) was a traceback."""
    value = str(tmp_path / LONG_NAME) if name == "long-name" else LONG_PATH
    if flag == "--data-dir":
        code = main(["train", "--headless", "--data-dir", value, "--epochs", "1"])
    else:
        code = run_cli(tiny_set, flag, value)
    assert code == 2
    err = capsys.readouterr().err
    one_line_no_traceback(err)
    assert "too long" in err.lower() or "does not exist" in err


def test_case17_an_unreadable_data_dir_is_one_line(tmp_path):
    """Case 17: an unreadable or unenterable --data-dir was a PermissionError traceback."""
    from nnlab.train import data

    closed = tmp_path / "closed"
    closed.mkdir(mode=0o000)
    os.chmod(tmp_path, 0o755)

    def child() -> int:
        try:
            data.locate(str(closed), allow_download=False)
        except data.DataError as error:
            return 0 if "Permission denied" in str(error) else 2
        return 1

    assert as_nobody(child) == 0


def test_case22_closed_fds_become_dev_null_not_the_metrics_file(tmp_path, tiny_set):
    """Case 22: with stderr closed, fd 2 became the --metrics file and native stderr output
    corrupted the strict-JSON log."""
    metrics = tmp_path / "m.jsonl"
    code = (
        "import os, sys\n"
        "from nnlab.cli import _ensure_fds\n"
        "_ensure_fds()\n"
        "print(os.readlink('/proc/self/fd/2'), file=open(sys.argv[1], 'w'))\n"
    )
    probe = tmp_path / "fd2"
    subprocess.run(
        [sys.executable, "-c", code, str(probe)],
        stderr=subprocess.DEVNULL,
        close_fds=True,
        pass_fds=(),
        preexec_fn=lambda: os.close(2),
        check=True,
    )
    assert probe.read_text().strip() == "/dev/null"
    result = subprocess.run(
        [
            NNLAB,
            "train",
            "--headless",
            "--data-dir",
            str(tiny_set),
            "--epochs",
            "1",
            "--hidden",
            "8",
            "--metrics",
            str(metrics),
        ],
        preexec_fn=lambda: os.close(2),
        stdout=subprocess.DEVNULL,
        timeout=120,
    )
    assert result.returncode == 0
    for line in metrics.read_text().splitlines():
        json.loads(line)


def test_case22_the_app_draws_on_the_terminal_when_stderr_is_a_file(monkeypatch, tmp_path):
    """Case 22: `nnlab train 2> log.txt` on a tty drew the whole UI into the file (Textual draws on
    sys.__stderr__); now the app is given the terminal (stdout) for the run."""
    import argparse

    import nnlab.cli as cli
    import nnlab.ui.app as app_mod

    seen = {}

    class Fake:
        return_code = 0

        def __init__(self, **kwargs):
            pass

        def run(self):
            seen["stderr"] = sys.__stderr__

    fake_tty = open(os.devnull, "w")
    monkeypatch.setattr(app_mod, "NNLabApp", Fake)
    monkeypatch.setattr(cli, "has_terminal", lambda: True)
    monkeypatch.setattr(sys, "__stdout__", fake_tty)
    log = open(tmp_path / "log.txt", "w")
    monkeypatch.setattr(sys, "__stderr__", log)
    cli.run_app("train", argparse.Namespace(theme=None, data_dir=None))
    assert seen["stderr"] is fake_tty and sys.__stderr__ is log


@pytest.mark.parametrize("runs", ["0", "99999999", "-1", "x", "1.5"])
def test_case24_bench_runs_is_bounded(capsys, runs):
    """Case 24: `bench startup --runs 99999999` was accepted (hours); `--runs 0` silently ran 1."""
    assert main(["bench", "startup", "--runs", runs]) == 2
    err = capsys.readouterr().err
    assert "--runs" in err
    one_line_no_traceback(err)


def test_case25_a_non_utf8_save_name_under_an_ascii_locale(tmp_path, tiny_set):
    """Case 25: a non-UTF-8 --save name under an ASCII locale was saved, then a UnicodeEncodeError."""
    name = os.fsencode(str(tmp_path)) + b"/ck\xff.pt"
    env = {**os.environ, "LC_ALL": "C", "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"}
    result = subprocess.run(
        [
            os.fsencode(NNLAB),
            b"train",
            b"--headless",
            b"--data-dir",
            os.fsencode(str(tiny_set)),
            b"--epochs",
            b"1",
            b"--hidden",
            b"8",
            b"--save",
            name,
        ],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr + result.stdout
    assert b"\\udcff" in result.stdout or b"\\xff" in result.stdout
    assert os.path.exists(name)


def test_case26_save_to_a_name_ending_in_slash_is_refused(tmp_path, tiny_set, capsys):
    """Case 26: `--save newdir/` wrote a file named `newdir`."""
    assert run_cli(tiny_set, "--save", str(tmp_path / "newdir") + "/") == 2
    assert "directory" in capsys.readouterr().err and not (tmp_path / "newdir").exists()


def test_case26_an_unwritable_csv_names_the_csv_not_its_temp(tmp_path):
    """Case 26: an unwritable --csv error named the temp file (`.m.csv.<pid>.<hex>.pt.tmp`)."""
    from nnlab.run.writers import CsvWriter

    locked = tmp_path / "ro"
    locked.mkdir(mode=0o555)
    os.chmod(tmp_path, 0o755)

    def child() -> int:
        try:
            CsvWriter(locked / "m.csv")
        except PermissionError as error:
            return 0 if error.filename.endswith("m.csv") else 2
        return 1

    assert as_nobody(child) == 0
