"""The matrix form of the pass, then a mini-batch with the equivalent torch lines, checked by autograd.

The hand side is ``netlab_matrix`` (every entry one of the stepper's steps); the torch side runs in
a thread worker through ``nnlab.train.autograd_check`` once torch is loaded (the UI never imports
torch). At 120 columns and more the torch lines stand beside the batch; below that, under it.
"""

from __future__ import annotations

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from nnlab.core.netlab import Lab
from nnlab.core.netlab_matrix import BATCH, batch, batch_mean, matrix, single_lines, torch_lines, vector
from nnlab.i18n import t
from nnlab.ui.backprop.torch_loader import TORCH
from nnlab.ui.shared.keys import translate_bindings
from nnlab.ui.shared.modal import OnceModal

WIDE = 120


class BackpropMatrix(OnceModal[None]):
    BINDINGS = [Binding("escape", "close", "key.close")]
    DEFAULT_CSS = """
    BackpropMatrix { align: center middle; }
    BackpropMatrix > VerticalScroll { width: 100%; height: 100%; border: round $accent; background: $surface;
                                      padding: 0 1; }
    BackpropMatrix .bp-matrix-title { text-style: bold; margin-top: 1; }
    BackpropMatrix #bp-matrix-batch { height: auto; layout: vertical; }
    BackpropMatrix.-wide #bp-matrix-batch { layout: horizontal; }
    BackpropMatrix #bp-matrix-batch > Vertical { height: auto; width: 1fr; }
    BackpropMatrix #bp-matrix-torch-code { color: $text-muted; }
    BackpropMatrix #bp-matrix-check { margin-top: 1; }
    BackpropMatrix #bp-matrix-check.-ok { color: $success; }
    BackpropMatrix #bp-matrix-check.-bad { color: $error; text-style: bold; }
    """

    class Checked(Message):
        def __init__(self, diff: float = 0.0, values=None, error: str = "") -> None:
            super().__init__()
            self.diff, self.values, self.error = diff, values, error

    class TorchReady(Message):
        pass

    def __init__(self, lab: Lab, n: int = BATCH) -> None:
        super().__init__()
        translate_bindings(self)
        self.lab = lab
        self.examples = batch(lab, n)
        self.result: BackpropMatrix.Checked | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(t("bp.matrix.single"), classes="bp-matrix-title")
            yield Static(self.single_text(), id="bp-matrix-single")
            yield Static(
                t("bp.matrix.batch", n=len(self.examples), more=len(self.examples) - 1), classes="bp-matrix-title"
            )
            with Horizontal(id="bp-matrix-batch"):
                with Vertical():
                    yield Static(self.batch_text(), id="bp-matrix-mean")
                with Vertical():
                    yield Static(t("bp.matrix.torch"), classes="bp-matrix-title")
                    yield Static("\n".join(torch_lines(self.lab, len(self.examples))), id="bp-matrix-torch-code")
                    yield Static(t("bp.check.running"), id="bp-matrix-check")
            yield Static(t("bp.chart.close_matrix"), classes="bp-matrix-title")

    def single_text(self) -> str:
        return "\n".join(f"{eq}\n    {numbers}" for eq, numbers in single_lines(self.lab))

    def batch_text(self) -> str:
        mean = batch_mean(self.examples)
        lines = [
            f"x{k + 1} = {vector(ex.inputs)}   t{k + 1} = {vector(ex.targets)}" for k, ex in enumerate(self.examples)
        ]
        lines.append(t("bp.matrix.mean_E", E=vector([mean.E])[1:-1]))
        for l in range(len(mean.dW)):
            lines.append(f"mean ∂E/∂W{l + 1} = {matrix(mean.dW[l])}   mean ∂E/∂b{l + 1} = {vector(mean.db[l])}")
        return "\n".join(lines)

    def on_mount(self) -> None:
        TORCH.when_loaded(lambda: self.post_message(self.TorchReady()))

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= WIDE, "-wide")

    def on_backprop_matrix_torch_ready(self, message: TorchReady) -> None:
        self.run_check()

    @work(thread=True, exclusive=True, group="bp-matrix", exit_on_error=False)
    def run_check(self) -> None:
        try:
            if TORCH.error:
                raise RuntimeError(TORCH.error)
            from nnlab.train.autograd_check import batch_check

            diff, values = batch_check(self.examples)
        except Exception as error:  # noqa: BLE001 - said on screen; the hand side stands alone
            self.post_message(self.Checked(error=f"{type(error).__name__}: {error}"))
            return
        self.post_message(self.Checked(diff, values))

    def on_backprop_matrix_checked(self, message: Checked) -> None:
        self.result = message
        line = self.query_one("#bp-matrix-check", Static)
        if message.error:
            line.update(t("bp.check.failed", error=message.error))
            line.add_class("-bad")
            return
        E, dW, db = message.values
        grads = "\n".join(f"W{l + 1}.grad = {matrix(dW[l])}   b{l + 1}.grad = {vector(db[l])}" for l in range(len(dW)))
        verdict = "bp.matrix.ok" if message.diff <= 1e-12 else "bp.matrix.bad"
        line.update(f"loss = {vector([E])[1:-1]}\n{grads}\n" + t(verdict, diff=f"{message.diff:.1e}"))
        line.add_class("-ok" if message.diff <= 1e-12 else "-bad")

    def action_close(self) -> None:
        self.dismiss(None)
