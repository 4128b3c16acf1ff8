"""A sweep's results: ranked, printed as the table, exported (CSV, Markdown) and recorded in sweep.json."""

from __future__ import annotations

import math

from nnlab.commands.sweep_input import random_count
from nnlab.commands.usage import say
from nnlab.i18n import t
from nnlab.run.sweep_export import export_csv, export_markdown
from nnlab.run.sweep_export import num as _num
from nnlab.run.sweep_export import pct as _pct

SWEEP_FORMAT, SWEEP_VERSION = "nnlab-sweep", 1
TUTORIAL_FIELDS = ("lr", "batch_size", "optimizer", "hidden", "activation", "schedule", "warmup_steps")


class SweepResults:
    """Sweep's part that ranks, prints, exports and records the members' results; Sweep sets the
    attributes it uses (args, base, members, groups, results, id, created, path, out, export)."""

    def record(self, state: str) -> dict:
        from nnlab.run.sweep import parse_axes

        ranked = self.ranked()
        best = ranked[0].index if ranked and self.results[ranked[0].index]["test_accuracy"] is not None else None
        axes = []
        for a in parse_axes(list(self.args.sweep or [])):
            axes.append(
                {"name": a.name, "lo": a.lo, "hi": a.hi, "log": a.log}
                if a.is_range
                else {"name": a.name, "values": [list(v) if isinstance(v, tuple) else v for v in a.values]}
            )
        group_of = {m.index: g for g, group in enumerate(self.groups) for m in group}
        members = [
            {
                "member": m.id,
                "index": m.index,
                "label": m.label(),
                "changes": {k: list(v) if isinstance(v, tuple) else v for k, v in m.changes},
                "group": group_of[m.index],
                **self.results[m.index],
                "best": m.index == best,
                "tutorial": is_tutorial(m.config),
            }
            for m in self.members
        ]
        return {
            "format": SWEEP_FORMAT,
            "version": SWEEP_VERSION,
            "id": self.id,
            "created": self.created,
            "state": state,
            "base": self.base.to_dict(),
            "axes": axes,
            "random": random_count(self.args),
            "seed": self.base.seed,
            "members": members,
        }

    def _write_record(self, state: str) -> None:
        import json

        from nnlab.fs import atomic
        from nnlab.run.events import finite

        try:
            text = json.dumps(finite(self.record(state)), ensure_ascii=False, allow_nan=False, indent=1)
            atomic.write_text(self.path / "sweep.json", text + "\n")
        except OSError as error:
            say(t("sweep.cli.record_failed", path=self.path / "sweep.json", why=error.strerror or error))

    # --- results -------------------------------------------------------------------------
    def ranked(self) -> list:
        def key(m):
            acc, loss = self.results[m.index]["test_accuracy"], self.results[m.index]["test_loss"]
            bad = self.results[m.index]["diverged"] or acc is None or not math.isfinite(acc)
            loss = loss if isinstance(loss, float) and math.isfinite(loss) else math.inf
            return (bad, -(acc or 0.0), loss, m.index)  # a tie in accuracy: the lower test loss first

        return sorted(self.members, key=key)

    def rows(self) -> list[dict]:
        ranked = self.ranked()
        best = ranked[0].index if ranked and self.results[ranked[0].index]["test_accuracy"] is not None else None
        rows = []
        for m in ranked:
            r = self.results[m.index]
            rows.append(
                {
                    "member": m.id,
                    "setting": m.label(),
                    "accuracy": r["test_accuracy"],
                    "test_loss": r["test_loss"],
                    "seconds": r["seconds"],
                    "epochs": r["epochs"],
                    "diverged": r["diverged"],
                    "state": r["state"],
                    "run": r["run"] or "",
                    "best": m.index == best,
                    "tutorial": is_tutorial(m.config),
                }
            )
        return rows

    def _table(self) -> None:
        rows = self.rows()
        width = max([len(t("sweep.cli.col.setting"))] + [len(r["setting"]) for r in rows])
        self._say("")
        self._say(t("sweep.cli.results", id=self.id))
        self._say(
            f"     {t('sweep.cli.col.member'):<6} {t('sweep.cli.col.setting'):<{width}} "
            f"{t('sweep.cli.col.accuracy'):>9} {t('sweep.cli.col.test_loss'):>10} "
            f"{t('sweep.cli.col.time'):>8}  {t('sweep.cli.col.diverged')}"
        )
        for r in rows:
            mark = ("*" if r["best"] else " ") + ("T" if r["tutorial"] else " ")
            self._say(
                f"  {mark} {r['member']:<6} {r['setting']:<{width}} {_pct(r['accuracy']):>9} "
                f"{_num(r['test_loss'], '.4f'):>10} {_num(r['seconds'], '.1f', 's'):>8}  "
                f"{t('sweep.cli.yes') if r['diverged'] else t('sweep.cli.no')}"
                f"{'' if r['state'] in ('completed', 'diverged') else '  (' + r['state'] + ')'}"
            )
        self._say(t("sweep.cli.legend"))

    def _export(self) -> None:
        from nnlab.fs import atomic

        path = self.args.sweep_export
        text = export_csv(self.rows()) if self.export == "csv" else export_markdown(self.rows(), self.id)
        try:
            atomic.write_text(path, text)
            self._say(t("sweep.cli.exported", path=path))
        except OSError as error:
            say(t("cli.error", message=t("safe.export_failed", path=path, why=error.strerror or error)))

    def _say(self, text: str) -> None:
        try:
            self.out.write(text + "\n")
            self.out.flush()
        except (OSError, ValueError):
            pass


def is_tutorial(config) -> bool:
    """The PyTorch quickstart's setting (lr 1e-3, batch 64, SGD, 512-512 ReLU, constant lr)."""
    from nnlab.run.config import PRESETS

    return all(getattr(config, f) == getattr(PRESETS["tutorial"], f) for f in TUTORIAL_FIELDS)
