"""Issue 13's Train items (13, 14, 15, 17, 20) on the session, with a fake view: each failed before its fix."""

from __future__ import annotations

import time
from dataclasses import replace

from test_train_session import CONFIG, batch, epoch_end, session, started

from nnlab.i18n import t
from nnlab.run.events import Diverged, Finished, Paused, Resumed, Started
from nnlab.ui.messages import RunEvent, RunProgress
from nnlab.ui.train import updates as up
from nnlab.ui.train.alerts import alert_sequence
from nnlab.ui.train.state import ProgressState
from nnlab.ui.train.worker import TrainRun


def info(path, epoch=2, batch=0, epochs=2):
    return {"path": path, "config": CONFIG.with_(epochs=epochs), "epoch": epoch, "batch": batch}


# 13 --------------------------------------------------------------------------------------------
def test_s_after_resume_option_resumes_that_checkpoint_then_starts_fresh(tmp_path):
    ckpt = str(tmp_path / "f.pt")
    s, view = session(tmp_path, resume_path=ckpt)
    view.checkpoints[ckpt] = info(ckpt, epoch=2, epochs=2)
    s.start()  # the `s` key
    assert view.reads == [ckpt] and s.run.resume_path == ckpt and s.run.config.epochs == 3
    s.run.active = False
    s.on_ended(1, None)
    s.start()  # the next `s`: a new run from the form
    assert s.run.run_id == 2 and s.run.resume_path is None and view.reads == [ckpt]


def test_an_unreadable_resume_option_says_so_and_trains_nothing(tmp_path):
    s, view = session(tmp_path, resume_path=str(tmp_path / "missing.pt"))
    s.start()
    assert s.run is None and view.notes[-1][1]["severity"] == "error"
    assert "not a checkpoint" in view.notes[-1][0]


# 14 --------------------------------------------------------------------------------------------
def test_the_resume_help_says_what_resume_answer_does(tmp_path):
    help_text = t("dash.resume.help", lang="en")
    assert "larger" in help_text and "checkpoint's own" in help_text
    assert "较大" in t("dash.resume.help", lang="zh")
    s, view = session(tmp_path)
    view.config = CONFIG.with_(epochs=3)
    s.resume_answer(info(str(tmp_path / "r.pt"), epoch=1, epochs=5))  # Setup 3, checkpoint 5: the larger
    assert s.run.config.epochs == 5


# 15 --------------------------------------------------------------------------------------------
def test_worker_counts_paused_time_and_posts_it():
    now = [10.0]
    sent = []
    target = type("T", (), {"post_message": lambda self, m: sent.append(m) or True})()
    run = TrainRun(1, config=None, data_factory=lambda: None, target=target, interval=0.0, clock=lambda: now[0])
    run._emit(Started(config={}, device="cpu", parameters=1, train_size=1, test_size=1, data_source="x"))
    run._emit(Paused(epoch=1, batch=3))
    now[0] += 30.0  # 30 s paused
    run._emit(Resumed())
    now[0] += 1.0
    run._emit(batch(1, 4))
    assert run.paused_s == 30.0
    assert [m.paused_s for m in sent if isinstance(m, RunProgress)] == [30.0]
    assert [m.paused_s for m in sent if isinstance(m, RunEvent)][-1] == 30.0


def test_eta_and_run_time_leave_paused_time_out(tmp_path):
    s, view = session(tmp_path)
    s.start()
    s.on_event(1, started())
    s.on_progress(1, (batch(1, 50, batches=100),), None, 0.0)  # elapsed 5 s at batch 50
    s.on_event(1, Paused(epoch=1, batch=52))
    assert s.state.batch == 52  # the bar shows the batches done
    later = replace(batch(1, 60, batches=100), elapsed_s=36.0)
    s.on_progress(1, (later,), None, 30.0)  # elapsed 36 s, 30 of them paused
    assert s.state.elapsed_s == 6.0
    assert abs(s.state.eta_run_s() - 6.0 * (140 / 60)) < 1e-6  # 2 epochs x 100, 60 done: no pause in it
    s.on_event(1, Finished(epochs=2, stopped=False, test_accuracy=0.5, seconds=36.2), 30.0)
    assert abs(s.record.seconds - 6.2) < 1e-9  # the Runs page's time


def test_the_bar_shows_the_batch_that_diverged(tmp_path):
    s, view = session(tmp_path)
    s.start()
    s.on_event(1, started())
    s.on_progress(1, (batch(1, 1, batches=938),), None)
    s.on_event(1, Diverged(epoch=1, batch=3, loss=float("nan"), message="engine text"))
    assert (s.state.epoch, s.state.batch) == (1, 3)


def test_the_loss_chart_title_says_what_is_plotted(tmp_path):
    s, view = session(tmp_path)
    s.start()
    s.on_event(1, started())
    s.on_progress(1, (batch(1, 1), batch(1, 11)), None)
    assert view.of(up.LossPoints)[-1].every == 10  # each point: the mean of 10 batches
    from nnlab.ui.train.loss_chart import LossChart

    chart = LossChart.__new__(LossChart)
    chart.smooth, chart.log_scale, chart.every = False, False, 10
    assert "per batch" not in chart.title() and "10" in chart.title()


def test_progress_fraction_of_a_mid_epoch_resume_counts_this_runs_batches_only():
    s = ProgressState(status="running", epoch=1, epochs=1, batch=600, batches=1000, start_batch=500, elapsed_s=10.0)
    assert s.run_fraction == 0.2 and s.eta_run_s() == 40.0


# 17 --------------------------------------------------------------------------------------------
def test_a_mid_epoch_resume_says_epoch_and_batch(tmp_path):
    path = str(tmp_path / "mid.pt")
    s, view = session(tmp_path)
    s.resume_answer(info(path, epoch=0, batch=300, epochs=2))
    logs = [u.text for u in view.of(up.LogLine)]
    assert any("epoch 1 after batch 300" in line for line in logs), logs
    assert not any("after epoch 0" in line for line in logs)
    s.on_event(
        1,
        Started(
            config=CONFIG.to_dict(),
            device="cpu",
            parameters=1,
            train_size=6400,
            test_size=1,
            data_source="x",
            start_epoch=0,
        ),
    )
    assert "Resumed in epoch 1 after batch 300" in view.of(up.LogLine)[-1].text
    assert (s.state.start_batch, s.state.batch) == (300, 300)


def test_a_prompt_answer_without_the_batch_reads_it_off_the_ui_thread(tmp_path):
    path = str(tmp_path / "mid.pt")
    s, view = session(tmp_path)
    view.checkpoints[path] = info(path, epoch=1, batch=7, epochs=3)
    s.resume_answer({"path": path, "config": CONFIG.with_(epochs=3), "epoch": 1})  # what the prompt gives
    assert view.reads == [path] and s.run.resume_path == path
    assert any("epoch 2 after batch 7" in u.text for u in view.of(up.LogLine))


def test_divergence_claims_a_kept_checkpoint_only_when_one_was_written(tmp_path):
    bad = Diverged(epoch=1, batch=3, loss=float("nan"), message="... The last good checkpoint was kept.")
    s, view = session(tmp_path)
    s.start()
    s.on_event(1, started())
    s.on_event(1, bad)
    assert "kept" not in view.notes[-1][0] and "No checkpoint was written" in view.notes[-1][0]
    s2, view2 = session(tmp_path)
    s2.start()
    s2.on_event(1, started())
    s2.on_event(1, epoch_end(1))  # the engine saved at this epoch's end
    s2.on_event(1, Diverged(epoch=2, batch=3, loss=float("inf"), message=""))
    assert s2.run.save_path in view2.notes[-1][0] and "was kept" in view2.notes[-1][0]


# 20 --------------------------------------------------------------------------------------------
def test_finish_divergence_and_failure_ask_for_an_alert_a_stop_does_not(tmp_path):
    s, view = session(tmp_path)
    s.start()
    s.on_event(1, started())
    s.on_event(1, Finished(epochs=2, stopped=False, test_accuracy=0.5, seconds=3.0))
    assert view.alerts and "50.0%" in view.alerts[-1][1]
    s.run.active = False
    s.on_ended(1, None)
    s.start()
    s.on_event(2, started())
    s.on_event(2, Finished(epochs=1, stopped=True, test_accuracy=0.5, seconds=3.0, reason="stopped"))
    assert len(view.alerts) == 1  # stopped by the person: no alert
    s.on_event(2, Diverged(epoch=1, batch=3, loss=float("nan"), message=""))
    assert view.alerts[-1][0] == t("dash.diverged.title")


def test_the_alert_is_a_bell_osc9_and_osc777_with_no_control_characters():
    seq = alert_sequence("Done; ok", "run\x1b]0;evil\x07 #1")
    assert seq.startswith("\a") and "\x1b]9;Done; ok: run ]0;evil  #1\a" in seq
    assert "\x1b]777;notify;Done, ok;run ]0;evil  #1\a" in seq
    assert seq.count("\x1b") == 2 and seq.count("\a") == 3


def test_monotonic_clock_is_what_the_worker_uses_by_default():
    run = TrainRun(1, config=None, data_factory=lambda: None, target=None)
    assert run.clock is time.monotonic


async def test_the_screen_alerts_only_when_the_person_looks_elsewhere_and_notify_is_on(tmp_path):
    from nnlab.ui.app import NNLabApp

    for notify in (True, False):
        app = NNLabApp(
            mode="train", options={"runs_dir": str(tmp_path), "data_factory": lambda: None, "notify": notify}
        )
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            written: list[str] = []
            screen.write_terminal = written.append
            screen.alert("Training finished", "Run #1")
            assert written == []  # focused, on this screen: the toast says it
            app.app_focus = False  # the terminal reported a focus-out
            await pilot.pause(0.05)
            screen.alert("Training finished", "Run #1")
            assert written == ([alert_sequence("Training finished", "Run #1")] if notify else [])
