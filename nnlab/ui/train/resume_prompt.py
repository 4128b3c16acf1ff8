"""ResumePrompt: asks for a checkpoint path and checks it before a run resumes from it."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from nnlab.i18n import t
from nnlab.run.gc_pause import collections_paused
from nnlab.ui.messages import ResumeChecked
from nnlab.ui.shared.keys import translate_bindings
from nnlab.ui.shared.modal import OnceModal


def newest_checkpoint(directory: str) -> str:
    """The most recent *.pt in ``directory`` (a suggestion to edit), or the directory itself."""
    folder = Path(directory)
    try:
        files = sorted(folder.glob("*.pt"), key=lambda p: p.stat().st_mtime)
    except OSError:
        files = []
    return str(files[-1]) if files else str(folder) + "/"


class ResumePrompt(OnceModal[dict | None]):
    """Dismisses with {"path", "config", "epoch", "batch"} of a valid checkpoint, or None (Esc).

    The checkpoint is read and validated on a thread worker: a large (or hostile) file never
    freezes the UI, and Enter pressed again while it is being read changes nothing."""

    BINDINGS = [Binding("escape", "cancel", "key.close")]

    DEFAULT_CSS = """
    ResumePrompt { align: center middle; }
    ResumePrompt > Vertical {
        width: 90; max-width: 98%; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    ResumePrompt #resume-error { color: $error; height: auto; }
    ResumePrompt #resume-help { color: $text-muted; height: auto; }
    """

    def __init__(self, directory: str, suggestion: str | None = None) -> None:
        super().__init__()
        translate_bindings(self)
        self.directory = directory
        self.suggestion = suggestion
        self.checking: str | None = None  # the path being read, while it is

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t("dash.resume.title"), id="resume-title")
            yield Input(self.suggestion or newest_checkpoint(self.directory), id="resume-path")
            yield Static("", id="resume-error")
            yield Static(t("dash.resume.help"), id="resume-help")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        error = self.query_one("#resume-error", Static)
        if self.checking is not None or self._answered:
            return  # one check at a time; a second Enter while reading changes nothing
        if not path:
            error.update(t("dash.resume.empty"))
            return
        self.checking = str(Path(path).expanduser())
        error.update(t("resume.checking", path=self.checking))
        self.check(self.checking)

    @work(thread=True, exclusive=True, group="resume-check", exit_on_error=False)
    def check(self, path: str) -> None:
        try:
            with collections_paused():  # torch may be imported here first
                from nnlab.train.checkpoint import CheckpointError, load
            try:
                payload = load(path)
            except CheckpointError as problem:
                self.post_message(ResumeChecked(path, None, str(problem)))
                return
            extra = payload.get("extra") or {}
            answer = {
                "path": path,
                "config": payload["config_obj"],
                "epoch": int(payload["epoch"]),
                "batch": int(extra.get("batch", 0) or 0),
            }
            self.post_message(ResumeChecked(path, answer, None))
        except Exception as problem:  # noqa: BLE001 - shown in the prompt, never a crash
            self.post_message(ResumeChecked(path, None, t("resume.unreadable", path=path, why=problem)))

    def on_resume_checked(self, message: ResumeChecked) -> None:
        if message.path != self.checking or self._answered:
            return
        self.checking = None
        if message.answer is None:
            self.query_one("#resume-error", Static).update(message.error or "")
            return
        self.dismiss(message.answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
