"""`make gpu-check`: the CUDA path proved on a GPU machine with no network, in one command and
one JSON report; `make gpu-wheels` fills ``.device/`` (ignored by git) for it where pip works.

On the GPU machine (``tools/gpu_check.sh`` → ``python3 -m nnlab.bench.gpu_check``), in order,
each stage with its own time limit inside one budget (8 minutes in all), the report rewritten
after every stage so a kill still leaves what was measured:

1. ``env``      python, torch, CUDA, the GPU, nvidia-smi, NVML figures;
2. ``install``  the carried wheels (textual, textual-plotext and their pure-Python needs, from
                ``.device/wheels``) into a private folder put first on PYTHONPATH, then
                ``pip install --no-deps --no-build-isolation --no-index -e .``; nothing is downloaded;
3. ``data``     the four FashionMNIST ``.gz`` files from ``.device/data`` (``NNLAB_DATA_DIR``);
4. ``tests``    ``pytest -m cuda tests/train/test_cuda.py`` (JUnit: counts, failures, the measured
                differences each test records);
5. ``bench_train``      ``nnlab bench train --device cuda --json``;
6. ``bench_dashboard``  ``nnlab bench dashboard --device cuda --json`` (100 epochs a run: at
                ~0.1 s an epoch a run lasts long enough for the key-latency probe);
7. ``bench_sweep``      ``nnlab bench sweep`` where this tree has it;
8. ``probe``    in a fresh process: µs per captured step for sgd, momentum, fused and foreach
                Adam; the first epoch including model, data and capture; a real out-of-memory
                (the GPU filled but 128 MiB) caught with its hint, then a run that works.

``--dry-run`` runs the same stages on the CPU with tiny sizes (the sample data, 1 epoch, 1 round),
skipping what needs CUDA (``install`` only checks the wheel set), and writes the same report.
The report goes to ``$OUT/gpu-check.json`` when ``OUT`` is set, else ``.device/gpu-check.json``.
Here: the order, the budget and the goals; the stages are in ``gpu_check_stages``, the report in
``gpu_check_report``, the probe in ``gpu_check_probe``, ``.device/`` and ``--prepare`` in ``gpu_check_files``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from nnlab.bench.gpu_check_files import (
    DATA,
    DATA_FILES,
    DEVICE_DIR,
    MANIFEST,
    NOT_CARRIED,
    PLATFORMS,
    ROOT,
    SAMPLE,
    SITE,
    SYSTEM_DATA,
    TARGET_PYTHON,
    TOP,
    WHEELS,
    closure,
    prepare,
)
from nnlab.bench.gpu_check_probe import probe
from nnlab.bench.gpu_check_report import Report
from nnlab.bench.gpu_check_stages import (
    _nnlab,
    stage_bench,
    stage_data,
    stage_env,
    stage_install,
    stage_probe,
    stage_tests,
    tiny_set,
)
from nnlab.i18n import t

__all__ = [
    "BUDGET_S",
    "DATA",
    "DATA_FILES",
    "DEVICE_DIR",
    "GOALS",
    "MANIFEST",
    "NOT_CARRIED",
    "PLATFORMS",
    "ROOT",
    "SAMPLE",
    "SITE",
    "SYSTEM_DATA",
    "TARGET_PYTHON",
    "TOP",
    "WHEELS",
    "Report",
    "check",
    "closure",
    "default_out",
    "main",
    "prepare",
    "probe",
    "stage_bench",
    "stage_data",
    "stage_env",
    "stage_install",
    "stage_probe",
    "stage_tests",
    "tiny_set",
]

BUDGET_S = 450.0  # 8 minutes less a margin for the report and the start
GOALS = {  # issue 18, on an H100/H200-class GPU
    "bench_train.ratio": (">=", 40),
    "bench_train.nnlab_s_per_epoch": ("<=", 0.13),
    "bench_dashboard.throughput_ratio": (">=", 0.95),
    "bench_dashboard.key_latency_p95_ms": ("<=", 50),
    "probe.first_epoch_s": ("<=", 2.0),
}


# --- main -------------------------------------------------------------------------------------
def _goals(report: Report) -> dict:
    goals = {}
    for key, (op, bound) in GOALS.items():
        stage, field = key.split(".")
        entry = report.data["stages"].get(stage, {})
        value = (entry.get("result") or {}).get(field)
        goals[key] = {
            "value": value,
            "goal": f"{op} {bound}",
            "met": None if value is None else (value >= bound if op == ">=" else value <= bound),
        }
    return goals


def check(dry: bool, out: Path, budget: float, data_dir: str | None, skip: set[str]) -> int:
    report = Report(out, dry, budget)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(x for x in (str(ROOT), env.get("PYTHONPATH", "")) if x)
    if not stage_env(report, dry):
        report.data["ok"] = False
        report.write()
        print(t("gpu.check.no_cuda"), file=sys.stderr)
        return 2
    device = "cpu" if dry else "cuda"
    epochs = ["--epochs", "1"] if dry else ["--epochs", "2"]
    plan = [
        ("install", lambda: stage_install(report, dry, env)),
        ("data", None),
        ("tests", lambda: stage_tests(report, dry, env)),
        (
            "bench_train",
            lambda: stage_bench(
                report, "bench_train", _nnlab("bench", "train", "--device", device, "--json", *epochs, *data), env, 120
            ),
        ),
        (
            "bench_dashboard",
            lambda: stage_bench(
                report,
                "bench_dashboard",
                _nnlab(
                    "bench",
                    "dashboard",
                    "--device",
                    device,
                    "--json",
                    "--epochs",
                    "1" if dry else "100",
                    "--runs",
                    "1" if dry else "2",
                    *data,
                ),
                env,
                240,
            ),
        ),
        (
            "bench_sweep",
            lambda: (
                stage_bench(
                    report,
                    "bench_sweep",
                    # the dry run only proves the stage works: K = 1 and 2, one epoch, bounded
                    _nnlab(
                        "bench",
                        "sweep",
                        "--device",
                        device,
                        "--json",
                        *data,
                        *(("--members", "1,2", "--epochs", "1", "--max-seconds", "30") if dry else ()),
                    ),
                    env,
                    90,
                )
                if (ROOT / "nnlab" / "bench" / "sweep.py").is_file()
                else report.stage("bench_sweep", "skipped", 0.0, why="nnlab bench sweep is not in this tree")
            ),
        ),
        ("probe", lambda: stage_probe(report, dry, env, where)),
    ]
    where, data = None, []
    for name, run in plan:
        if name in skip:
            report.stage(name, "skipped", 0.0, why="--skip")
            continue
        if report.left() < 15:
            report.stage(name, "skipped", 0.0, why="the time budget is spent")
            continue
        if name == "data":
            where = stage_data(report, dry, env, data_dir)
            data = ["--data-dir", where] if where else []
            continue
        try:
            run()
        except Exception as error:  # noqa: BLE001 - one broken stage must not lose the report
            report.stage(name, "failed", 0.0, why=f"{type(error).__name__}: {error}"[:500])
    stages = report.data["stages"]
    counts = {s: sum(1 for e in stages.values() if e["status"] == s) for s in ("passed", "failed", "skipped")}
    counts["failed"] += sum(1 for e in stages.values() if e["status"] == "timeout")
    report.data["summary"] = {
        **counts,
        "goals": _goals(report),
        "gpu": report.data["host"].get("gpu"),
        "date": time.strftime("%Y-%m-%d"),
    }
    report.data["ok"] = counts["failed"] == 0
    report.write()
    print(t("gpu.check.report", path=out, **counts), file=sys.stderr)
    return 0 if report.data["ok"] else 1


def default_out() -> Path:
    return Path(os.environ["OUT"]) / "gpu-check.json" if os.environ.get("OUT") else DEVICE_DIR / "gpu-check.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gpu_check", description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="every stage on the CPU with tiny sizes")
    parser.add_argument("--prepare", action="store_true", help="fill .device/ (wheels, data) where pip works")
    parser.add_argument("--out", type=Path, default=None, help="the report (default $OUT/gpu-check.json)")
    parser.add_argument("--budget", type=float, default=BUDGET_S, help="seconds for all stages")
    parser.add_argument("--data-dir", default=None, help="the four FashionMNIST .gz files")
    parser.add_argument("--skip", action="append", default=[], help="a stage to leave out (repeatable)")
    parser.add_argument("--probe", metavar="JSON", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        return prepare(args.data_dir)
    if args.probe:
        return probe(args.probe, args.dry_run, args.data_dir)
    return check(args.dry_run, args.out or default_out(), args.budget, args.data_dir, set(args.skip))


if __name__ == "__main__":
    raise SystemExit(main())
