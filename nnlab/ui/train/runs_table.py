"""RunsTable: every finished or stopped run with its config and final metrics; mark two to overlay."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from nnlab.i18n import t
from nnlab.ui.shared.keys import translate_bindings
from nnlab.ui.train.state import RunRecord

__all__ = ["RunRecord", "RunsTable"]


class RunsTable(DataTable):
    """Space marks a run (at most two are marked; marking a third unmarks the oldest)."""

    BINDINGS = [Binding("space", "mark", "dash.key.mark")]

    class Marked(Message):
        def __init__(self, run_ids: tuple[int, ...]) -> None:
            super().__init__()
            self.run_ids = run_ids

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        translate_bindings(self)
        self.records: dict[int, RunRecord] = {}
        self.marked: list[int] = []

    def on_mount(self) -> None:
        for key in ("mark", "run", "preset", "epochs", "batch", "lr", "optimizer", "hidden",
                    "activation", "seed", "device", "accuracy", "loss", "time", "status"):
            self.add_column(t(f"dash.runs.col.{key}"), key=key)

    def add_record(self, record: RunRecord) -> None:
        self.records[record.run_id] = record
        c = record.config
        acc = f"{record.final_accuracy:.1f}%" if record.final_accuracy is not None else "–"
        loss = f"{record.test_loss[-1]:.4f}" if record.test_loss else "–"
        self.add_row(
            "", record.label, c.get("preset", ""), f"{len(record.epochs)}/{c.get('epochs')}", c.get("batch_size"),
            f"{c.get('lr'):g}", c.get("optimizer"), "-".join(str(h) for h in c.get("hidden", ())),
            c.get("activation"), c.get("seed"), record.device, acc, loss, f"{record.seconds:.1f} s",
            t(f"dash.status.{record.status}"), key=str(record.run_id),
        )

    def action_mark(self) -> None:
        if not self.row_count:
            return
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        run_id = int(row_key.value)
        if run_id in self.marked:
            self.marked.remove(run_id)
        else:
            self.marked.append(run_id)
            if len(self.marked) > 2:
                self.marked.pop(0)
        for rid in self.records:
            self.update_cell(str(rid), "mark", "●" if rid in self.marked else "")
        self.post_message(self.Marked(tuple(self.marked)))

    def clear_records(self) -> None:
        self.records.clear()
        self.marked.clear()
        self.clear()
        self.post_message(self.Marked(()))
