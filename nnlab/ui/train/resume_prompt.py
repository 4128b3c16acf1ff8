"""ResumePrompt: asks for a checkpoint path and checks it before a run resumes from it."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from nnlab.i18n import t
from nnlab.ui.shared.keys import translate_bindings


def newest_checkpoint(directory: str) -> str:
    """The most recent *.pt in ``directory`` (a suggestion to edit), or the directory itself."""
    folder = Path(directory)
    try:
        files = sorted(folder.glob("*.pt"), key=lambda p: p.stat().st_mtime)
    except OSError:
        files = []
    return str(files[-1]) if files else str(folder) + "/"


class ResumePrompt(ModalScreen[dict | None]):
    """Dismisses with {"path", "config", "epoch"} of a valid checkpoint, or None (Esc)."""

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
        if not path:
            error.update(t("dash.resume.empty"))
            return
        from nnlab.train.checkpoint import CheckpointError, load

        try:
            payload = load(Path(path).expanduser())
        except CheckpointError as problem:
            error.update(str(problem))
            return
        self.dismiss({"path": str(Path(path).expanduser()), "config": payload["config_obj"],
                      "epoch": int(payload["epoch"])})

    def action_cancel(self) -> None:
        self.dismiss(None)
