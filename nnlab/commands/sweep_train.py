"""A sweep's training: its directory, each group trained as one batched step, the signals, the steering."""

from __future__ import annotations

import signal
import threading

from nnlab.commands.sweep_input import progress_every_of
from nnlab.commands.sweep_results import SweepResults
from nnlab.commands.usage import say
from nnlab.i18n import t

EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Sweep(SweepResults):
    def __init__(self, args, base, members, groups, data, out, export):
        self.args, self.base, self.members, self.groups, self.data = args, base, members, groups, data
        self.out, self.export = out, export
        self.root = getattr(args, "runs_dir", None)
        self.results: dict[int, dict] = {
            m.index: {
                "run": None,
                "state": "not started",
                "epochs": 0,
                "test_accuracy": None,
                "test_loss": None,
                "seconds": None,
                "diverged": False,
            }
            for m in members
        }
        self.caught: list[int] = []
        self.control = None
        self.progress_every = progress_every_of(args)

    # --- files ---------------------------------------------------------------------------
    def _make_dir(self):
        from pathlib import Path

        from nnlab.run.rundir_common import RunDirError, new_id, now_iso, runs_root

        given = getattr(self.args, "sweep_dir", None)
        if given:  # made by the dashboard, which watches it: used as it is, unless it holds a sweep already
            path = Path(given).expanduser()
            if not path.is_dir() or (path / "sweep.json").exists():
                raise RunDirError(t("lab.sweep.dir_taken", path=path))
            self.id, self.path, self.created = path.name, path, now_iso()
            return
        root = runs_root(self.root)
        for _ in range(50):
            sweep_id = "sweep-" + new_id()
            path = root / sweep_id
            try:
                root.mkdir(parents=True, exist_ok=True)
                path.mkdir(mode=0o700)
                break
            except FileExistsError:
                continue
            except OSError as error:
                raise RunDirError(t("runs.create_failed", root=root, why=error.strerror or error)) from None
        self.id, self.path, self.created = sweep_id, path, now_iso()

    # --- training ------------------------------------------------------------------------
    def run(self) -> int:
        from nnlab.run.rundir_common import RunDirError

        try:
            self._make_dir()
        except RunDirError as error:
            say(t("cli.error", message=str(error)))
            return 2
        in_main = threading.current_thread() is threading.main_thread()
        previous = {s: signal.signal(s, self._on_signal) for s in EXIT_SIGNAL} if in_main else {}
        self._write_record("running")
        self._say(t("sweep.cli.start", id=self.id, members=len(self.members), groups=len(self.groups), path=self.path))
        failed = False
        try:
            for group in self.groups:
                if self.caught:
                    break
                failed = self._train(group) or failed
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        state = "stopped" if self.caught else "completed"
        self._write_record(state)
        self._table()
        if self.export:
            self._export()
        self._say(t("sweep.cli.where", path=self.path / "sweep.json"))
        if self.caught:
            say(t("sweep.cli.stopped", signal=signal.Signals(self.caught[0]).name))
            return EXIT_SIGNAL[self.caught[0]]
        return 1 if failed else 0

    def _on_signal(self, signum, frame) -> None:  # only flags: the group stops at the next batch
        if not self.caught:
            self.caught.append(signum)
        if self.control is not None:
            self.control.stop()

    def _train(self, group) -> bool:
        """Train one group; True when a member failed."""
        from nnlab.run.rundir import RunDir
        from nnlab.run.rundir_common import RunDirError
        from nnlab.run.sweep import SweepControl
        from nnlab.train.sweep import train_group

        writers, paths, rds = [], {}, []
        try:
            for local, m in enumerate(group):
                rd = RunDir.create(self.root, m.config, kind="sweep-member", name=m.label(), sweep=self.id)
                rds.append(rd)
                writers.append(
                    rd.writer(
                        on_error=lambda e, m=m: say(
                            t("runs.append_failed", path=e.filename or m.id, why=e.strerror or e)
                        )
                    )
                )
                paths[local] = str(rd.checkpoint_path)
                self.results[m.index].update(run=rd.id, state="running")
        except RunDirError as error:
            say(t("cli.error", message=str(error)))
            for w in writers:
                w.close()
            return True
        self._write_record("running")
        self.control = SweepControl()
        if self.caught:
            self.control.stop()
        servers = self._serve(rds, self.control)

        def emit(local: int, event) -> None:
            m = group[local]
            writers[local](event)
            self._event(m, event)

        try:
            result = train_group(
                [m.config for m in group],
                self.data,
                emit,
                self.control,
                progress_every=self.progress_every,
                save_paths=paths,
            )
        finally:
            for server in servers:
                server.close()
            for w in writers:
                w.close()
            self.control = None
        return any(f is not None and f.reason == "failed" for f in result.finished)

    def _serve(self, rds, control) -> list:
        """A control socket in every member's run directory, so `nnlab ctl MEMBER` and the Sweep
        page steer the sweep from any terminal of its owner: pause, resume and step act on the
        whole group (its members train in one batched step), stop takes that member out alone."""
        from nnlab.run.control_server import ControlServer
        from nnlab.run.rundir_common import RunDirError

        servers = []
        for local, rd in enumerate(rds):
            try:
                servers.append(ControlServer(rd, MemberControl(control, local)).start())
            except (RunDirError, OSError) as error:
                say(t("runs.cli.no_steering", run=rd.id, why=getattr(error, "strerror", None) or error))
        return servers

    def _event(self, m, event) -> None:
        kind, res = event.KIND, self.results[m.index]
        if kind == "epoch":
            res.update(epochs=event.epoch, test_accuracy=event.test_accuracy, test_loss=event.test_loss)
            self._say(
                t(
                    "sweep.cli.epoch",
                    member=m.id,
                    epoch=event.epoch,
                    epochs=m.config.epochs,
                    loss=f"{event.train_loss:.4f}",
                    accuracy=f"{100 * event.test_accuracy:.1f}",
                    test_loss=f"{event.test_loss:.4f}",
                    seconds=f"{event.seconds:.1f}",
                    label=m.label(),
                )
            )
        elif kind == "diverged":
            res["diverged"] = True
            self._say(t("sweep.cli.diverged", member=m.id, label=m.label(), message=event.message))
        elif kind == "failed":
            say(t("cli.error", message=f"{m.id}: {event.message}"))
        elif kind == "finished":
            res.update(state=event.reason, seconds=event.seconds)
            if event.reason == "early-stopped":
                self._say(t("sweep.cli.early", member=m.id, epochs=event.epochs, patience=m.config.early_stop))


class MemberControl:
    """What one member's control socket steers: the group for pause/resume/step (one batched
    step trains them all), that member alone for stop."""

    def __init__(self, group, member: int) -> None:
        self.group, self.member = group, member

    def pause(self) -> None:
        self.group.pause()

    def resume(self) -> None:
        self.group.resume()

    def step(self) -> bool:
        return self.group.step()

    def stop(self) -> None:
        self.group.stop_member(self.member)

    def request_snapshot(self) -> None:
        self.group.request_snapshot()

    @property
    def paused(self) -> bool:
        return self.group.paused

    @property
    def stopped(self) -> bool:
        return self.group.stopped or self.member in self.group.member_stops()
