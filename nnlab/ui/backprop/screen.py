"""The backprop stepper: any small network (the tutorial's 2-2-2 by default), one chain-rule factor per
key press, in either order; messages go on the progress line, where they hide nothing."""

from __future__ import annotations

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from nnlab.core.netlab import Lab, NetError, tutorial_lab, update
from nnlab.core.netlab_run import LabRecord, lab_record
from nnlab.core.netlab_steps import counts
from nnlab.core.netlab_steps import steps as lab_steps
from nnlab.core.tinynet import steps as tutorial_steps
from nnlab.core.tinynet_net import TUTORIAL
from nnlab.core.tinynet_step import Step
from nnlab.i18n import t
from nnlab.ui.backprop.edit import BackpropEdit
from nnlab.ui.backprop.exercise import ExerciseBar
from nnlab.ui.backprop.matrix import BackpropMatrix
from nnlab.ui.backprop.network_diagram import NetworkDiagram, draws_as_tutorial
from nnlab.ui.backprop.passes import BackpropPasses
from nnlab.ui.backprop.step_panel import StepPanel
from nnlab.ui.backprop.step_progress import StepProgress
from nnlab.ui.backprop.torch_loader import TORCH
from nnlab.ui.shared.base import LabScreen

ROOMY = (100, 30)  # from this width × height on: framed boxes, 6-decimal weights, errors beside outputs


class BackpropScreen(LabScreen):
    MODE = "backprop"
    HELP_CONCEPT = "help.concept.backprop"
    BINDINGS = [
        Binding("right", "next", "bp.key.next", key_display="→"),
        Binding("space", "next", "bp.key.next", show=False),
        Binding("n", "next", "bp.key.next", show=False),
        Binding("left", "back", "bp.key.back", key_display="←"),
        Binding("p", "back", "bp.key.back", show=False),
        Binding("home", "first", "bp.key.first", show=False),
        Binding("end", "last", "bp.key.last", show=False),
        Binding("f", "jump('forward')", "bp.key.forward", show=False),
        Binding("b", "jump('output')", "bp.key.backward", show=False),
        Binding("u", "update", "bp.key.update"),
        Binding("e", "edit", "bp.key.edit"),
        Binding("i", "iterate", "bp.key.iterate"),
        Binding("x", "toggle_bias", "bp.key.bias", show=False),  # in help and the palette: the footer is full at 80
        Binding("o", "toggle_order", "bp.key.order", show=False),  # in help and the palette; the footer is full at 80
        Binding("r", "reset", "bp.key.reset"),
        Binding("t", "exercise", "bp.key.exercise", show=False),  # type each value before it is shown
        Binding("m", "matrix", "bp.key.matrix", show=False),  # the pass as matrices, a batch, torch beside it
    ]
    DEFAULT_CSS = """
    BackpropScreen NetworkDiagram { height: 7; border-bottom: solid $primary-darken-2; }
    BackpropScreen.-roomy NetworkDiagram { height: 7; border: round $primary; border-bottom: round $primary;
                                           padding: 0 1; }
    BackpropScreen.-roomy.-layered NetworkDiagram { height: 8; }
    BackpropScreen.-roomy StepPanel { border: round $primary; padding: 0 2; }
    BackpropScreen #bp-check { height: 1; padding: 0 1; color: $text-muted; }
    BackpropScreen #bp-check.-ok { color: $success; }
    BackpropScreen #bp-check.-bad { color: $error; text-style: bold; }
    """

    class Checked(Message):
        """The checks of ``lab`` finished: autograd and finite differences (``error`` when torch could not run)."""

        def __init__(
            self, lab: Lab, max_abs_diff: float = 0.0, worst: str = "", error: str = "", fd_diff: float | None = None
        ) -> None:
            super().__init__()
            self.lab, self.max_abs_diff, self.worst, self.error = lab, max_abs_diff, worst, error
            self.fd_diff = fd_diff

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.start_lab = tutorial_lab()
        self.start_bias_updates = False
        self.lab = self.start_lab
        self.bias_updates = False
        self.pass_no = 1
        self.index = 0
        self.steps: list[Step] = lab_steps(self.lab)
        self.history: list[LabRecord] = [lab_record(1, self.lab)]
        self.check_result: BackpropScreen.Checked | None = None
        self.order = "weight"  # the tutorial's; "node": each delta once (netlab_steps)
        self.edited = False  # e changed the numbers since the screen opened (r asks first)
        self.reset_armed = False
        self.exercise = False

    def compose_body(self) -> ComposeResult:
        yield NetworkDiagram(id="bp-diagram")
        yield StepPanel(id="bp-panel")
        yield ExerciseBar(id="bp-exo")
        yield StepProgress(id="bp-progress")
        yield Static(t("bp.check.running"), id="bp-check")

    def on_mount(self) -> None:
        options = getattr(self.app, "options", {}) or {}
        if isinstance(options.get("backprop_lab"), Lab):
            self.start_lab = options["backprop_lab"]
        elif options.get("backprop_params"):
            self.start_lab = tutorial_lab(TUTORIAL.with_values(**options["backprop_params"]))
        self.start_bias_updates = bool(options.get("backprop_bias_updates", False))
        self.order = (
            options.get("backprop_order", "weight") if options.get("backprop_order") in ("weight", "node") else "weight"
        )
        self.diagram = self.query_one(NetworkDiagram)
        self.panel = self.query_one(StepPanel)
        self.progress = self.query_one(StepProgress)
        self.bar = self.query_one(ExerciseBar)
        self.restart(self.start_lab, self.start_bias_updates)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= ROOMY[0] and event.size.height >= ROOMY[1], "-roomy")

    @property
    def params(self):
        """The tutorial's Params view of a 2-2-2 with shared biases (tests and older callers read it)."""
        return TUTORIAL.with_values(**{k: v for k, v in self.lab.values().items() if hasattr(TUTORIAL, k)})

    @params.setter
    def params(self, params) -> None:
        self.lab = tutorial_lab(params)

    def say(self, text: str) -> None:
        """A message on the progress line: it covers nothing of the step (issue 13 item 8)."""
        self.progress.say(text)

    # state ------------------------------------------------------------------------------------
    @property
    def step(self) -> Step:
        return self.steps[self.index]

    def restart(self, lab: Lab, bias_updates: bool) -> None:
        """A new network: pass 1, the first step, a fresh history, and a new check."""
        self.lab, self.bias_updates, self.pass_no, self.index = lab, bias_updates, 1, 0
        self.set_class(not draws_as_tutorial(lab), "-layered")  # six rows of units, biases, the lit edge
        self.history = [lab_record(1, lab)]
        self.bar.reset()
        self.recompute(keep_step=False)

    def recompute(self, keep_step: bool = True) -> None:
        """Rebuild the step list for the current network (after an edit, an update, the bias toggle)."""
        current = self.step.id if keep_step and self.steps else None
        self.steps = self.build_steps()
        ids = [s.id for s in self.steps]
        self.index = ids.index(current) if current in ids else min(self.index, len(self.steps) - 1)
        if not keep_step:
            self.index = 0
        self.start_check()
        self.render_step()

    def build_steps(self) -> list[Step]:
        if self.order == "weight" and self.lab.net == tutorial_lab().net:
            return tutorial_steps(self.params, self.bias_updates)  # the tutorial's own bias steps too
        return lab_steps(self.lab, self.order, self.bias_updates)

    def render_step(self) -> None:
        if self.exercise:
            self.bar.show(self.steps, self.index, self.pass_no)
        hidden = self.exercise and self.bar.hides()
        self.diagram.show(self.lab, self.steps, self.index, hidden)
        self.panel.show(self.steps, self.index, self.pass_no, self.bias_updates, self.lab, hidden)
        self.progress.show(self.steps, self.index)

    # exercise mode ------------------------------------------------------------------------------
    def action_exercise(self) -> None:
        """Each value hidden until the learner types it (Enter checks, Enter again goes on, Esc leaves)."""
        self.exercise = not self.exercise
        self.bar.set_class(self.exercise, "-on")
        if not self.exercise:
            self.set_focus(None)
        self.say(t("bp.exo.on" if self.exercise else "bp.exo.off"))
        self.render_step()

    def action_matrix(self) -> None:
        self.app.push_screen(BackpropMatrix(self.lab))

    def on_exercise_bar_resolved(self, message: ExerciseBar.Resolved) -> None:
        self.render_step()

    def on_exercise_bar_advance(self, message: ExerciseBar.Advance) -> None:
        if self.index == len(self.steps) - 1:
            self.action_update()  # the pass is done: the next one, with this one's score said
        else:
            self.go(self.index + 1)

    def on_exercise_bar_leave(self, message: ExerciseBar.Leave) -> None:
        if self.exercise:
            self.action_exercise()

    def go(self, index: int) -> None:
        self.index = max(0, min(index, len(self.steps) - 1))
        self.render_step()

    # keys -------------------------------------------------------------------------------------
    def action_next(self) -> None:
        self.go(self.index + 1)

    def action_back(self) -> None:
        self.go(self.index - 1)

    def action_first(self) -> None:
        self.go(0)

    def action_last(self) -> None:
        self.go(len(self.steps) - 1)

    def action_jump(self, phase: str) -> None:
        self.go(next((i for i, s in enumerate(self.steps) if s.phase == phase), self.index))

    def action_update(self) -> None:
        """Apply every update of this pass together and start the next pass at its first step."""
        before = self.history[-1].E_total
        score = self.bar.score() if self.exercise else None
        try:
            after = update(self.lab, None, self.bias_updates)
            record = lab_record(self.pass_no + 1, after)
            lab_steps(after, self.order, self.bias_updates)
        except (OverflowError, NetError):  # diverged: a value past what a float holds
            self.say(t("bp.note.diverged", n=self.pass_no))
            return
        self.lab = after
        self.pass_no += 1
        self.history.append(record)
        self.index = 0
        self.recompute(keep_step=False)
        note = t(
            "bp.note.updated_n",
            n=self.pass_no,
            done=self.pass_no - 1,
            before=f"{before:.9g}",
            after=f"{self.history[-1].E_total:.9g}",
        )
        if score is not None and score.answered:
            note = t("bp.exo.pass_score", n=self.pass_no - 1, right=score.right, answered=score.answered) + " · " + note
        self.say(note)

    def action_reset(self) -> None:
        """Back to what the screen opened with; after edits, only on a second r."""
        if self.edited and not self.reset_armed:
            self.reset_armed = True
            self.say(t("bp.note.reset_ask"))
            return
        self.reset_armed = False
        self.edited = False
        self.restart(self.start_lab, self.start_bias_updates)
        self.say(t("bp.note.reset" if self.start_lab == tutorial_lab() else "bp.note.reset_start"))

    def action_toggle_order(self) -> None:
        """The tutorial's weight-by-weight order, or each node's delta once (backprop's order)."""
        self.order = "node" if self.order == "weight" else "weight"
        self.index = 0
        self.recompute(keep_step=False)
        c = counts(self.lab, self.bias_updates)
        other = "weight" if self.order == "node" else "node"
        self.say(
            t(
                "bp.note.order_n",
                order=t(f"bp.order.{self.order}_short"),
                n=c[self.order],
                other=t(f"bp.order.{other}_short"),
                m=c[other],
            )
        )

    def action_toggle_bias(self) -> None:
        self.bias_updates = not self.bias_updates
        self.recompute(keep_step=True)
        if self.bias_updates:
            self.say(t("bp.note.bias_on" if self.lab.net == tutorial_lab().net else "bp.note.bias_on_n"))
        else:
            self.say(t("bp.note.bias_off"))

    def action_edit(self) -> None:
        def edited(lab: Lab | None) -> None:
            if lab is None or lab == self.lab:
                return
            same_shape = lab.net == self.lab.net
            index = self.index
            self.edited, self.reset_armed = True, False
            self.restart(lab, self.bias_updates)
            if same_shape:
                self.go(index)  # the same step, every value recomputed from the new numbers
            self.say(t("bp.note.edited" if same_shape else "bp.note.preset", net=lab.net.text))

        self.app.push_screen(BackpropEdit(self.lab), edited)

    def action_iterate(self) -> None:
        def done(result: tuple[Lab, list[LabRecord]] | None) -> None:
            if result is None:
                return
            lab, records = result
            self.lab = lab
            self.pass_no = records[-1].index
            self.history = self.history[:-1] + records
            self.recompute(keep_step=False)

        self.app.push_screen(BackpropPasses(self.lab, self.bias_updates, self.pass_no), done)

    # the checks: torch autograd (a worker, torch loaded off the first frame) and finite differences --
    def start_check(self) -> None:
        self.check_result = None
        line = self.query_one("#bp-check", Static)
        line.remove_class("-ok", "-bad")
        line.update(t("bp.check.running"))
        TORCH.when_loaded(lambda: self.post_message(self.TorchReady()))

    class TorchReady(Message):
        """torch is imported: the check itself takes about a millisecond."""

    def on_backprop_screen_torch_ready(self, message: TorchReady) -> None:
        if self.check_result is None:
            self.run_check(self.lab)

    @work(thread=True, exclusive=True, group="bp-check", exit_on_error=False)
    def run_check(self, lab: Lab) -> None:
        """Both checks, in a thread worker (torch is already imported by TORCH by now)."""
        from nnlab.core.netlab_run import fd_check

        try:
            fd = fd_check(lab)[0]
        except Exception:  # noqa: BLE001 - a value that overflows when nudged: the line says no more
            fd = None
        try:
            if TORCH.error:
                raise RuntimeError(TORCH.error)
            from nnlab.train.autograd_check import lab_max_abs_diff

            diff, _, worst = lab_max_abs_diff([lab])
        except Exception as error:  # noqa: BLE001 - shown on screen, the stepper works without torch
            self.post_message(self.Checked(lab, error=f"{type(error).__name__}: {error}", fd_diff=fd))
            return
        self.post_message(self.Checked(lab, diff, worst, fd_diff=fd))

    def on_backprop_screen_checked(self, message: Checked) -> None:
        if message.lab != self.lab:
            return  # a check of a network since replaced
        self.check_result = message
        line = self.query_one("#bp-check", Static)
        fd = "" if message.fd_diff is None else t("bp.check.fd", diff=f"{message.fd_diff:.0e}")
        if message.error:
            line.update(t("bp.check.failed", error=message.error))
            line.add_class("-bad")
        elif message.max_abs_diff <= 1e-12:
            line.update(t("bp.check.ok", diff=f"{message.max_abs_diff:.1e}") + fd)
            line.add_class("-ok")
        else:
            line.update(t("bp.check.bad", diff=f"{message.max_abs_diff:.1e}", name=message.worst) + fd)
            line.add_class("-bad")
