"""Case 18: output names with ``../`` or through symlinks are written exactly where they point,
never over an existing file without --force (CLI) or a yes (app), and never through a link."""

from __future__ import annotations

import pytest
from _ui import key, notes, options, run_ended, start_run, until

from nnlab.train import checkpoint


def run_cli(tiny_set, *args) -> int:
    from nnlab.cli import main

    return main(["train", "--headless", "--data-dir", str(tiny_set), "--epochs", "1", "--hidden", "8", *args])


@pytest.fixture
def layout(tmp_path, monkeypatch):
    """tmp/work (the cwd), tmp/out, tmp/far/sub and tmp/work/link → tmp/far/sub."""
    work, out, sub = tmp_path / "work", tmp_path / "out", tmp_path / "far" / "sub"
    for d in (work, out, sub):
        d.mkdir(parents=True)
    (work / "link").symlink_to(sub, target_is_directory=True)
    monkeypatch.chdir(work)
    return tmp_path


def files(root) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def test_dotdot_name_lands_where_it_points_and_nowhere_else(layout, tiny_set, capsys):
    before = files(layout)
    assert run_cli(tiny_set, "--save", "../out/ck.pt", "--metrics", "../out/m.jsonl") == 0
    assert files(layout) - before == {"out/ck.pt", "out/m.jsonl"}
    checkpoint.load(layout / "out" / "ck.pt")


def test_symlinked_directory_then_dotdot_is_checked_where_the_kernel_writes(layout, tiny_set, capsys):
    """``link/../ck.pt`` is ``far/ck.pt`` for open(): an existing far/ck.pt needs --force."""
    victim = layout / "far" / "ck.pt"
    victim.write_text("precious")
    assert run_cli(tiny_set, "--save", "link/../ck.pt") == 2
    assert "--force" in capsys.readouterr().err and victim.read_text() == "precious"
    assert run_cli(tiny_set, "--save", "link/../ck.pt", "--force") == 0
    checkpoint.load(victim)
    assert not (layout / "work" / "ck.pt").exists()


def test_two_flags_reaching_one_file_through_a_link_are_refused(layout, tiny_set, capsys):
    code = run_cli(tiny_set, "--save", "link/../a.out", "--metrics", "../far/a.out")
    assert code == 2 and "different files" in capsys.readouterr().err
    assert not (layout / "far" / "a.out").exists()


def test_a_symlink_at_the_name_is_never_written_through(layout, tiny_set, capsys):
    victim = layout / "out" / "victim.txt"
    victim.write_text("precious")
    (layout / "work" / "ck.pt").symlink_to(victim)
    assert run_cli(tiny_set, "--save", "ck.pt") == 2  # it exists (through the link): --force needed
    assert victim.read_text() == "precious"
    assert run_cli(tiny_set, "--save", "ck.pt", "--force") == 0
    link = layout / "work" / "ck.pt"
    assert victim.read_text() == "precious" and not link.is_symlink() and checkpoint.load(link)["epoch"] == 1


@pytest.mark.parametrize("flag", ["--save", "--metrics", "--csv"])
def test_existing_output_needs_force(layout, tiny_set, capsys, flag):
    target = layout / "work" / "existing"
    target.write_bytes(b"old")
    assert run_cli(tiny_set, flag, "existing") == 2
    err = capsys.readouterr().err
    assert flag in err and "--force" in err and target.read_bytes() == b"old"
    assert run_cli(tiny_set, flag, "existing", "--force") == 0 and target.read_bytes() != b"old"


def test_check_output_follows_the_kernel(layout):
    from nnlab.fs.paths import OutputExists, check_output, same_file

    assert check_output("link/../new.pt") == layout / "far" / "new.pt"
    (layout / "far" / "x").write_text("")
    with pytest.raises(OutputExists):
        check_output("link/../x")
    assert same_file("link/../x", "../far/x") and not same_file("link/x", "../far/x")
    with pytest.raises(IsADirectoryError):
        check_output("link")
    with pytest.raises(NotADirectoryError):
        check_output("missing/dir/x.pt")


async def test_app_export_asks_before_replacing_files_it_did_not_write(tmp_path):
    from nnlab.ui.app import NNLabApp
    from nnlab.ui.shared.confirm_overwrite import ConfirmOverwrite

    # Exports are named after the run's unique id, so only a named target can hold an earlier
    # session's files: `nnlab train --metrics m.jsonl --csv m.csv` with both already there.
    old_jsonl, old_csv = tmp_path / "m.jsonl", tmp_path / "m.csv"
    old_jsonl.write_text("an earlier session's export\n")
    old_csv.write_text("epoch\n")
    app = NNLabApp(mode="train", options=options(tmp_path, metrics_path=str(old_jsonl), csv_path=str(old_csv)))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await run_ended(app, pilot)
        app.set_focus(None)
        await key(app, pilot, "e")
        await until(pilot, lambda: isinstance(app.screen, ConfirmOverwrite), what="the overwrite question")
        await key(app, pilot, "n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmOverwrite), what="the answer")
        await until(pilot, lambda: "kept" in notes(app), timeout=5, what="the note that nothing was written")
        assert old_jsonl.read_text() == "an earlier session's export\n" and old_csv.read_text() == "epoch\n"
        await key(app, pilot, "e")
        await until(pilot, lambda: isinstance(app.screen, ConfirmOverwrite), what="the question again")
        await key(app, pilot, "y")
        await until(pilot, lambda: old_jsonl.read_text().startswith('{"'), what="the export")
        await key(app, pilot, "e")  # a file this session wrote is replaced without asking again
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmOverwrite)


async def test_app_asks_before_a_run_replaces_an_existing_save_file(tmp_path):
    """`nnlab train --save ck.pt` (the dashboard) with ck.pt already there: s asks first; n starts
    nothing and keeps the file; y starts the run, which then writes its checkpoint there."""
    from nnlab.ui.app import NNLabApp
    from nnlab.ui.shared.confirm_overwrite import ConfirmOverwrite

    path = tmp_path / "ck.pt"
    path.write_bytes(b"precious")
    app = NNLabApp(mode="train", options=options(tmp_path, save_path=str(path)))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(
            pilot, lambda: "Linear" in str(app.screen.query_one("#summary-text").render()), what="the model summary"
        )
        app.set_focus(None)
        await key(app, pilot, "s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmOverwrite), what="the overwrite question")
        await key(app, pilot, "n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmOverwrite), what="the answer")
        await pilot.pause(0.3)
        assert app.screen.runs.run is None and path.read_bytes() == b"precious"
        await key(app, pilot, "s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmOverwrite), what="the question again")
        await key(app, pilot, "y")
        await until(pilot, lambda: app.screen.runs.run is not None, what="the run to start")
        await run_ended(app, pilot)
        assert checkpoint.load(path)["epoch"] == 3
