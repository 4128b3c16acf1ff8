"""TrainSession without Textual: engine events in, view updates and requests out (a fake view)."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

from nnlab.run.config import PRESETS
from nnlab.run.events import BatchProgress, Diverged, EpochEnd, Failed, Finished, Paused, Resumed, SaveFailed, Started
from nnlab.ui.train import updates as up
from nnlab.ui.train.session import TrainSession, is_tutorial

CONFIG = PRESETS["tutorial"].with_(epochs=2, device="cpu")


class FakeView:
    """Records what the session shows and asks; answers like a screen with a valid form."""

    def __init__(self, config=CONFIG) -> None:
        self.config = config
        self.updates: list = []
        self.notes: list[tuple[str, dict]] = []
        self.pages: list[str] = []
        self.started: list = []
        self.active_run = None
        self.questions: list = []
        self.may = True
        self.reads: list[str] = []
        self.checkpoints: dict[str, dict] = {}
        self.alerts: list[tuple[str, str]] = []

    def show(self, update) -> None:
        self.updates.append(update)

    def notify(self, message, **kw) -> None:
        self.notes.append((message, kw))

    def show_page(self, page) -> None:
        self.pages.append(page)

    def form_config(self, show=True):
        return self.config

    def set_form_config(self, config) -> None:
        self.config = config

    def may_write(self, paths, written, proceed, force) -> bool:
        self.questions.append((list(paths), proceed))
        return self.may

    def in_background(self, job) -> None:
        self.notes.append(job())

    def ask_resume(self, directory, suggestion, answer) -> None:
        self.questions.append((directory, answer))

    def start_run(self, run) -> None:
        self.started.append(run)
        run.worker = "started"

    def set_active_run(self, run) -> None:
        self.active_run = run

    def release_run(self, run) -> None:
        if self.active_run is run:
            self.active_run = None

    def read_checkpoint(self, path, done) -> None:
        self.reads.append(path)
        info = self.checkpoints.get(path)
        done(info, None if info else "not a checkpoint")

    def alert(self, title, body) -> None:
        self.alerts.append((title, body))

    def of(self, kind) -> list:
        return [u for u in self.updates if isinstance(u, kind)]


class FakeRun:
    progress_every = 10

    def __init__(self, run_id, config, data_factory, save_path=None, resume_path=None, run_dir=None) -> None:
        self.run_id, self.config, self.data_factory, self.run_dir = run_id, config, data_factory, run_dir
        self.save_path, self.resume_path = save_path, resume_path
        self.active, self.paused, self.stopping, self.preview_count = True, False, False, 4
        self.calls: list[str] = []

    def pause(self):
        self.calls.append("pause")

    def resume(self):
        self.calls.append("resume")

    def stop(self):
        self.calls.append("stop")
        self.stopping = True

    def step(self):
        return self.paused


def session(tmp_path, **options):
    view = FakeView()
    return TrainSession(view, {"runs_dir": str(tmp_path), "data_factory": lambda: None, **options}, FakeRun), view


def started(train_size=6400) -> Started:
    return Started(
        config=CONFIG.to_dict(),
        device="cpu",
        parameters=669_706,
        train_size=train_size,
        test_size=1000,
        data_source="sample",
    )


def batch(epoch, b, batches=100, loss=2.3) -> BatchProgress:
    return BatchProgress(
        epoch=epoch,
        batch=b,
        batches=batches,
        samples_seen=b * 64,
        running_loss=loss,
        samples_per_s=1000.0,
        elapsed_s=b / 10,
        loss=loss,
    )


def epoch_end(epoch, acc=0.5) -> EpochEnd:
    return EpochEnd(
        epoch=epoch,
        train_loss=2.0,
        test_loss=1.9,
        test_accuracy=acc,
        per_class_accuracy=(acc,) * 10,
        confusion=((1,) * 10,) * 10,
        seconds=1.0,
        samples_per_s=1000.0,
        sample_predictions=(1, 2),
    )


def test_the_session_module_imports_no_textual():
    code = "import sys, nnlab.ui.train.session, nnlab.ui.train.run_files; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_start_makes_a_record_resets_the_live_page_and_starts_the_worker(tmp_path):
    s, view = session(tmp_path)
    s.start()
    assert s.run.run_id == 1 and s.record.run_id == 1 and s.next_id == 2
    assert view.started == [s.run] and view.active_run is s.run and view.pages == ["live"]
    assert view.of(up.ResetLive) == [up.ResetLive(keep_log=True)]
    assert view.of(up.NewSeries) == [up.NewSeries("#1", reference=True)]  # the tutorial's model: reference drawn
    assert view.of(up.Progress)[-1].state.status == "loading" and view.of(up.Progress)[-1].batch_size == 64
    assert s.run.save_path.startswith(str(tmp_path)) and s.run.save_path.endswith(".pt")
    s.start()  # one run at a time
    assert s.next_id == 2 and view.notes[-1][1]["severity"] == "warning" and len(view.started) == 1


def test_an_invalid_form_goes_back_to_setup_and_starts_nothing(tmp_path):
    s, view = session(tmp_path)
    view.config = None
    s.start()
    assert s.run is None and view.pages == ["setup"] and view.notes[-1][1]["severity"] == "error"
    s.start(config=CONFIG.with_(batch_size=0))  # refused by TrainConfig.validate
    assert s.run is None and view.pages == ["setup", "setup"]


def test_a_save_file_not_ours_is_asked_about_and_a_yes_starts_the_run(tmp_path):
    save = tmp_path / "mine.pt"
    s, view = session(tmp_path, save_path=str(save))
    view.may = False
    s.start()
    assert s.run is None and view.questions[-1][0] == [str(save)]
    view.may = True
    view.questions[-1][1]()  # the yes
    assert s.run is not None and s.run.save_path == str(save)


def test_events_become_records_progress_and_log_lines(tmp_path):
    s, view = session(tmp_path)
    s.start()
    s.on_event(1, started())
    assert s.state.status == "running" and s.record.device == "cpu" and s.train_size == 6400
    s.on_progress(1, (batch(1, 1), batch(1, 51), batch(1, 101, loss=2.0)), {"used_gb": 1.0, "total_gb": 80.0})
    assert view.of(up.LogEpoch) == [up.LogEpoch(1)]
    assert view.of(up.LogLoss) == [up.LogLoss(2.3, 64, 6400), up.LogLoss(2.0, 101 * 64, 6400)]  # batches 1, 101
    assert s.record.loss_y == [2.3, 2.3, 2.0] and s.record.loss_x[0] == 0.01
    assert s.state.batch == 101 and "80.0" in s.state.gpu
    s.on_event(1, epoch_end(1, 0.5))
    assert view.of(up.EpochResult)[-1].event.epoch == 1 and s.record.accuracy == [50.0]
    assert s.state.batch == s.state.batches  # the epoch bar is full at its end
    s.on_event(1, Paused(epoch=2, batch=3))
    assert s.state.status == "paused"
    s.on_event(1, Resumed())
    assert s.state.status == "running"
    s.on_event(1, Finished(epochs=1, stopped=False, test_accuracy=0.5, seconds=3.0))
    assert s.record.status == "finished" and s.state.status == "finished"
    s.run.active = False
    s.on_ended(1, None)
    assert view.active_run is None and s.records == {1: s.record} and view.of(up.RunDone) == [up.RunDone(s.record)]
    assert len(s.record.events) == 3 + 5  # every batch and event, for the export


def test_messages_of_another_run_are_ignored(tmp_path):
    s, view = session(tmp_path)
    s.start()
    before = list(view.updates)
    s.on_event(7, started())
    s.on_progress(7, (batch(1, 1),), None)
    s.on_ended(7, "boom")
    assert view.updates == before and s.record.events == [] and s.records == {}


def test_failures_mark_the_run_failed_and_notify(tmp_path):
    s, view = session(tmp_path)
    s.start()
    s.on_event(1, SaveFailed(path="x.pt", message="disk full"))
    assert view.notes[-1][0] == "disk full" and s.record.status == "running"
    s.on_event(1, Diverged(epoch=1, batch=2, loss=float("nan"), message="nan loss"))
    assert s.record.status == "failed" and view.notes[-1][1]["severity"] == "error"
    s.on_event(1, Finished(epochs=0, stopped=True, test_accuracy=None, seconds=1.0, reason="diverged"))
    assert s.record.status == "failed"  # a later Finished keeps it failed
    s2, view2 = session(tmp_path)
    s2.start()
    s2.on_event(1, Failed("no data"))
    assert s2.state.status == "failed" and s2.record.status == "failed"
    s3, view3 = session(tmp_path)
    s3.start()
    s3.run.active = False
    s3.on_ended(1, "crashed")  # the worker died without a Failed event
    assert s3.record.status == "failed" and s3.state.status == "failed"


def test_keys_steer_the_run_and_say_so_without_one(tmp_path):
    s, view = session(tmp_path)
    for command in (s.toggle_pause, s.stop, s.step):
        command()
    assert [kw["severity"] for _, kw in view.notes] == ["warning"] * 3
    s.start()
    s.toggle_pause()
    s.run.paused = True
    s.toggle_pause()
    s.stop()
    assert s.run.calls == ["pause", "resume", "stop"] and s.state.status == "stopping"
    s.run.active = False
    s.clear()
    assert s.state.status == "idle" and view.of(up.ResetLive)[-1] == up.ResetLive(keep_log=False)


def test_compare_overlays_known_runs_only(tmp_path):
    s, view = session(tmp_path)
    s.start()
    s.run.active = False
    s.on_ended(1, None)
    s.compare((1, 9))
    assert view.of(up.Compare)[-1] == up.Compare((s.records[1],))
    s.compare(())
    assert view.of(up.Compare)[-1] == up.Compare(())


def test_data_shows_the_preview_images_once_per_data_set(tmp_path):
    s, view = session(tmp_path)
    s.start()
    data = SimpleNamespace(train_y=[0] * 50, test_x=list(range(10)), test_y=list(range(10, 20)))
    s.on_data(1, data)
    s.on_data(1, data)
    assert view.of(up.Images) == [up.Images([0, 1, 2, 3], [10, 11, 12, 13])] and s.train_size == 50
    assert s.data is None  # injected data is not cached


def test_resume_answer_continues_at_least_one_epoch(tmp_path):
    s, view = session(tmp_path)
    s.ask_resume()
    directory, answer = view.questions[-1]
    assert directory == str(tmp_path)
    answer({"path": str(tmp_path / "r.pt"), "config": CONFIG.with_(epochs=2), "epoch": 2, "batch": 0})
    assert s.run.resume_path == str(tmp_path / "r.pt") and s.run.config.epochs == 3 and view.config.epochs == 3


def test_export_writes_events_and_epochs(tmp_path):
    s, view = session(tmp_path)
    s.export()
    assert view.notes[-1][1]["severity"] == "warning"  # nothing to export yet
    s.start()
    s.on_event(1, started())
    s.on_event(1, epoch_end(1))
    s.export()
    rid = s.record.run_dir  # exports are named by the run directory's id: unique across sessions
    assert rid and (tmp_path / rid / "run.json").is_file()
    jsonl, csv = tmp_path / f"run-{rid}-metrics.jsonl", tmp_path / f"run-{rid}-metrics.csv"
    assert len(jsonl.read_text().splitlines()) == 2 and len(csv.read_text().splitlines()) == 2
    assert {str(jsonl), str(csv)} <= s.files.written


def test_is_tutorial_ignores_device_seed_and_epochs():
    assert is_tutorial(CONFIG.with_(seed=5, epochs=9)) and not is_tutorial(CONFIG.with_(lr=0.1))


def test_the_log_states_the_settings_the_engine_received():
    """Issue 13 item 12: the effective settings are shown when a run starts (a typed value lost
    in a key burst cannot pass unnoticed): they come from the Started event, not from the form."""
    from nnlab.run.config import TrainConfig
    from nnlab.ui.train.session import settings_line

    line = settings_line(TrainConfig(lr=0.003, epochs=7, batch_size=32, hidden=(64, 16), seed=9).to_dict())
    assert line == "Settings: epochs 7, batch 32, lr 0.003, sgd, hidden 64-16 relu, seed 9"
