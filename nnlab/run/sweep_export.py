"""A sweep's results as rows, CSV and Markdown: the one implementation the headless sweep
(``nnlab.commands.sweep``) and the Sweep page (``nnlab.ui.sweep``) both use.

    ranked(members) -> list[dict]              # best first: final test accuracy, then test loss
    rows_from_record(record) -> list[dict]     # a sweep.json's members as result rows, ranked
    export_csv(rows) -> str; export_markdown(rows, sweep_id) -> str
    write_exports(sweep_dir, record) -> (csv_path, md_path)   # results.csv and results.md, atomically

A row: member, setting, accuracy, test_loss, seconds, epochs, diverged, state, run, best,
tutorial (``COLUMNS``). A diverged member, or one without a finite accuracy yet, ranks last.
Pure: no torch, no Textual (the run layer).
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

from nnlab.i18n import t

COLUMNS = (
    "member",
    "setting",
    "accuracy",
    "test_loss",
    "seconds",
    "epochs",
    "diverged",
    "state",
    "run",
    "best",
    "tutorial",
)
CSV_NAME, MD_NAME = "results.csv", "results.md"


def _finite(value) -> float | None:
    return (
        float(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        else None
    )


def rank_key(acc, loss, diverged, index) -> tuple:
    """Best first: not diverged with an accuracy, higher accuracy, then lower test loss, then index."""
    acc, loss = _finite(acc), _finite(loss)
    return (bool(diverged) or acc is None, -(acc or 0.0), math.inf if loss is None else loss, index)


def ranked(members: list[dict]) -> list[dict]:
    """sweep.json member records, best first."""
    return sorted(
        members,
        key=lambda m: rank_key(m.get("test_accuracy"), m.get("test_loss"), m.get("diverged"), m.get("index", 0)),
    )


def rows_from_record(record: dict) -> list[dict]:
    """The result rows of a sweep.json record (format nnlab-sweep v1), ranked best first."""
    rows = []
    for m in ranked([m for m in record.get("members") or [] if isinstance(m, dict)]):
        rows.append(
            {
                "member": m.get("member", ""),
                "setting": m.get("label", ""),
                "accuracy": _finite(m.get("test_accuracy")),
                "test_loss": _finite(m.get("test_loss")),
                "seconds": _finite(m.get("seconds")),
                "epochs": m.get("epochs") or 0,
                "diverged": bool(m.get("diverged")),
                "state": m.get("state") or "",
                "run": m.get("run") or "",
                "best": bool(m.get("best")),
                "tutorial": bool(m.get("tutorial")),
            }
        )
    return rows


def export_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("" if r[k] is None else r[k]) for k in COLUMNS})
    return buffer.getvalue()


def export_markdown(rows: list[dict], sweep_id: str) -> str:
    lines = [
        f"# {t('sweep.cli.results', id=sweep_id)}",
        "",
        "| | member | setting | test accuracy | test loss | time | epochs | diverged | run |",
        "|---|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        mark = " ".join(x for x in ("**best**" if r["best"] else "", "tutorial" if r["tutorial"] else "") if x)
        lines.append(
            f"| {mark} | {r['member']} | `{r['setting']}` | {pct(r['accuracy'])} | "
            f"{num(r['test_loss'], '.4f')} | {num(r['seconds'], '.1f', ' s')} | {r['epochs']} | "
            f"{'yes' if r['diverged'] else 'no'} | {r['run']} |"
        )
    return "\n".join(lines) + "\n"


def write_exports(sweep_dir: str | os.PathLike, record: dict) -> tuple[Path, Path]:
    """results.csv and results.md next to sweep.json (each atomically); OSError if one fails."""
    from nnlab.fs import atomic

    folder = Path(sweep_dir)
    rows = rows_from_record(record)
    csv_path, md_path = folder / CSV_NAME, folder / MD_NAME
    atomic.write_text(csv_path, export_csv(rows))
    atomic.write_text(md_path, export_markdown(rows, str(record.get("id") or folder.name)))
    return csv_path, md_path


def pct(value) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{100 * value:.1f}%"


def num(value, spec: str, unit: str = "") -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:{spec}}{unit}"
