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
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nnlab.i18n import t

ROOT = Path(__file__).resolve().parents[2]  # the checkout (the script runs in-tree)
DEVICE_DIR = ROOT / ".device"
WHEELS = DEVICE_DIR / "wheels"
DATA = DEVICE_DIR / "data"
MANIFEST = DEVICE_DIR / "manifest.json"
SITE = Path(tempfile.gettempdir()) / "nnlab-gpu-site"
SAMPLE = ROOT / "nnlab" / "assets" / "fashion-mnist-sample"
SYSTEM_DATA = Path("/usr/share/datasets/fashion-mnist")
DATA_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
TOP = ("textual", "textual-plotext")  # what the GPU image lacks (it has torch, numpy, rich, pytest)
# On the GPU image already and needed by torch itself: a carried copy would shadow torch's own.
NOT_CARRIED = {"typing-extensions"}
TARGET_PYTHON = "3.12"
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")
BUDGET_S = 450.0  # 8 minutes less a margin for the report and the start
GOALS = {  # issue 18, on an H100/H200-class GPU
    "bench_train.ratio": (">=", 40),
    "bench_train.nnlab_s_per_epoch": ("<=", 0.13),
    "bench_dashboard.throughput_ratio": (">=", 0.95),
    "bench_dashboard.key_latency_p95_ms": ("<=", 50),
    "probe.first_epoch_s": ("<=", 2.0),
}


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


# --- preparing .device/ (where pip can download) ----------------------------------------------
def closure(top=TOP, python_version: str = TARGET_PYTHON) -> dict[str, str]:
    """name → installed version of ``top`` and everything they need (markers evaluated for the
    GPU machine's Python), as this environment has them installed."""
    from importlib import metadata

    from packaging.requirements import Requirement

    env = {
        "python_version": python_version,
        "python_full_version": f"{python_version}.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "os_name": "posix",
    }
    found: dict[str, str] = {}
    todo = [(name, frozenset()) for name in top]
    seen: set[tuple[str, frozenset]] = set()
    while todo:
        name, extras = todo.pop()
        if (_norm(name), extras) in seen:
            continue
        seen.add((_norm(name), extras))
        dist = metadata.distribution(name)
        found[_norm(dist.metadata["Name"])] = dist.version
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is not None and not any(
                req.marker.evaluate({**env, "extra": extra}) for extra in (extras or {""})
            ):
                continue
            todo.append((req.name, frozenset(req.extras)))
    return dict(sorted(found.items()))


def prepare(data_dir: str | None = None, python: str = sys.executable) -> int:
    """Fill ``.device/``: the wheels of the closure (exact versions, --no-deps), the four .gz."""
    WHEELS.mkdir(parents=True, exist_ok=True)
    DATA.mkdir(parents=True, exist_ok=True)
    wanted = {n: v for n, v in closure().items() if n not in NOT_CARRIED}
    files: dict[str, str] = {}
    for name, version in wanted.items():
        for old in WHEELS.glob("*.whl"):  # one version of each: two stop the whole install
            if _norm(old.name.split("-")[0]) == name and old.name.split("-")[1] != version:
                old.unlink()
        cmd = [
            python,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            TARGET_PYTHON,
            "--implementation",
            "cp",
            "-d",
            str(WHEELS),
            f"{name}=={version}",
        ]
        for tag in PLATFORMS:
            cmd[-1:-1] = ["--platform", tag]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(
                t(
                    "gpu.check.download_failed",
                    name=name,
                    version=version,
                    why=(done.stderr.strip().splitlines() or ["?"])[-1],
                ),
                file=sys.stderr,
            )
            return 1
        match = [
            w.name
            for w in WHEELS.glob("*.whl")
            if _norm(w.name.split("-")[0]) == name and w.name.split("-")[1] == version
        ]
        files[name] = match[0] if match else "?"
    source = Path(data_dir) if data_dir else SYSTEM_DATA
    copied = []
    for name in DATA_FILES:
        if (source / name).is_file():
            shutil.copyfile(source / name, DATA / name)
            copied.append(name)
    MANIFEST.write_text(
        json.dumps(
            {
                "wheels": files,
                "versions": wanted,
                "data": copied,
                "data_from": str(source),
                "made": time.strftime("%Y-%m-%d %H:%M:%S"),
            },
            indent=1,
        )
    )
    size = sum(p.stat().st_size for p in DEVICE_DIR.rglob("*") if p.is_file())
    print(t("gpu.check.prepared", path=DEVICE_DIR, wheels=len(files), data=len(copied), mb=f"{size / 1e6:.1f}"))
    return 0 if len(copied) == len(DATA_FILES) else 1


# --- the report -------------------------------------------------------------------------------
class Report:
    def __init__(self, path: Path, dry_run: bool, budget: float):
        self.path, self.t0, self.budget = path, time.monotonic(), budget
        self.data: dict = {
            "schema": 1,
            "dry_run": dry_run,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "budget_s": budget,
            "stages": {},
            "summary": {},
            "ok": None,
        }

    def left(self) -> float:
        return self.budget - (time.monotonic() - self.t0)

    def stage(self, name: str, status: str, seconds: float, **fields) -> dict:
        entry = {"status": status, "seconds": round(seconds, 2), **fields}
        self.data["stages"][name] = entry
        self.write()
        detail = f": {fields['why']}" if fields.get("why") else ""
        print(
            t("gpu.check.stage", stage=name, status=status, seconds=f"{seconds:.1f}", detail=detail),
            file=sys.stderr,
            flush=True,
        )
        return entry

    def write(self) -> None:
        self.data["seconds"] = round(time.monotonic() - self.t0, 2)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, default=str))
        os.replace(tmp, self.path)


def _tail(text: str, limit: int = 3000) -> str:
    return text if len(text) <= limit else "…" + text[-limit:]


def _child(cmd: list[str], env: dict, timeout: float) -> tuple[int | None, str, str, float]:
    """(returncode or None on timeout, stdout, stderr, seconds)."""
    start = time.monotonic()
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=max(5.0, timeout), check=False
        )
        return done.returncode, done.stdout, done.stderr, time.monotonic() - start
    except subprocess.TimeoutExpired as error:
        out = error.stdout.decode(errors="replace") if isinstance(error.stdout, bytes) else (error.stdout or "")
        err = error.stderr.decode(errors="replace") if isinstance(error.stderr, bytes) else (error.stderr or "")
        return None, out, err, time.monotonic() - start


def _last_json(text: str) -> dict | None:
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


# --- stages -----------------------------------------------------------------------------------
def stage_env(report: Report, dry: bool) -> bool:
    start = time.monotonic()
    try:
        import torch

        from nnlab.train.device import format_gpu_figures, gpu_figures, nvml_hint
    except ImportError as error:  # the wrong python: say so in the report
        report.data["host"] = {"python": platform.python_version(), "executable": sys.executable}
        report.stage("env", "failed", time.monotonic() - start, why=f"{type(error).__name__}: {error}")
        return False

    info = {
        "python": platform.python_version(),
        "executable": sys.executable,
        "torch": torch.__version__,
        "torch_cuda": torch.version.cuda,
        "cuda_available": torch.cuda.is_available(),
        "device_count": torch.cuda.device_count() if torch.cuda.is_available() else 0,
        "cpu_cores": os.cpu_count(),
        "machine": platform.machine(),
    }
    try:
        info["commit"] = (
            subprocess.run(
                ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT, timeout=5, check=False
            ).stdout.strip()
            or None
        )
    except (OSError, subprocess.TimeoutExpired):
        info["commit"] = None
    if shutil.which("nvidia-smi"):
        try:
            info["nvidia_smi"] = subprocess.run(
                ["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10, check=False
            ).stdout.strip()
        except subprocess.TimeoutExpired:
            info["nvidia_smi"] = "timeout"
    if info["cuda_available"]:
        info["gpu"] = torch.cuda.get_device_name(0)
        info["capability"] = ".".join(map(str, torch.cuda.get_device_capability(0)))
        figures = gpu_figures("cuda:0")
        info["figures"], info["figures_line"] = figures, format_gpu_figures(figures)
    else:
        info["nvml_hint"] = nvml_hint()
    report.data["host"] = info
    if not dry and not info["cuda_available"]:
        report.stage("env", "failed", time.monotonic() - start, why=t("gpu.check.no_cuda"))
        return False
    report.stage("env", "passed", time.monotonic() - start)
    return True


def _wheel_set() -> tuple[dict[str, str], list[str]]:
    """project → wheel file in .device/wheels, and the problems with the set."""
    problems: list[str] = []
    wheels: dict[str, str] = {}
    for wheel in sorted(WHEELS.glob("*.whl")):
        name = _norm(wheel.name.split("-")[0])
        if name in wheels:
            problems.append(f"two wheels of {name}: {wheels[name]}, {wheel.name}")
        wheels[name] = wheel.name
        if not wheel.name.endswith("-none-any.whl"):
            problems.append(f"not pure Python: {wheel.name}")
    if MANIFEST.is_file():
        for name in json.loads(MANIFEST.read_text()).get("wheels", {}):
            if name not in wheels:
                problems.append(f"missing: {name}")
    for name in TOP:
        if _norm(name) not in wheels:
            problems.append(f"missing: {name}")
    return wheels, problems


def stage_install(report: Report, dry: bool, env: dict) -> None:
    start = time.monotonic()
    if not WHEELS.is_dir() or not any(WHEELS.glob("*.whl")):
        report.stage(
            "install",
            "skipped" if dry else "failed",
            time.monotonic() - start,
            why=t("gpu.check.no_wheels", path=WHEELS),
        )
        return
    wheels, problems = _wheel_set()
    if dry:
        report.stage(
            "install",
            "failed" if problems else "passed",
            time.monotonic() - start,
            wheels=wheels,
            problems=problems,
            note="dry run: the wheel set checked, nothing installed",
        )
        return
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-compile", "--no-cache-dir"]
    rc, _out, err, _ = _child(
        pip + ["--upgrade", "--target", str(SITE), *map(str, sorted(WHEELS.glob("*.whl")))],
        env,
        min(120, report.left()),
    )
    steps = {"wheels": rc}
    if rc == 0:
        env["PYTHONPATH"] = os.pathsep.join(x for x in (str(SITE), str(ROOT), env.get("PYTHONPATH", "")) if x)
        sys.path[:0] = [str(SITE)]
    # nnlab itself, editable and without downloading; PYTHONPATH has the checkout either way
    rc2, _out2, err2, _ = _child(pip + ["--no-build-isolation", "-e", str(ROOT)], env, min(120, report.left()))
    steps["nnlab_editable"] = rc2
    probe_import = "import textual, textual_plotext, platformdirs, nnlab.ui.app; print(textual.__version__)"
    rc3, out3, err3, _ = _child([sys.executable, "-c", probe_import], env, 60)
    steps["import"] = rc3
    ok = rc == 0 and rc3 == 0
    report.stage(
        "install",
        "passed" if ok else "failed",
        time.monotonic() - start,
        steps=steps,
        wheels=wheels,
        problems=problems,
        textual=out3.strip() or None,
        log=_tail("\n".join(x for x in (err, err2, err3) if x.strip())) or None,
    )


def tiny_set(directory: Path, n_train: int = 1024, n_test: int = 256) -> Path:
    """The first images of the shipped sample as a four-file set (the dry run's data)."""
    import gzip
    import struct

    directory.mkdir(parents=True, exist_ok=True)
    for name in DATA_FILES:
        with gzip.open(SAMPLE / name, "rb") as handle:
            blob = handle.read()
        n = n_train if name.startswith("train") else n_test
        labels = "labels" in name
        head = 8 if labels else 16
        body = blob[head : head + n * (1 if labels else 28 * 28)]
        header = struct.pack(">HBBI", 0, 8, 1, n) if labels else struct.pack(">HBBIII", 0, 8, 3, n, 28, 28)
        (directory / name).write_bytes(gzip.compress(header + body, compresslevel=1))
    return directory


def stage_data(report: Report, dry: bool, env: dict, data_dir: str | None) -> str | None:
    start = time.monotonic()
    if dry and not data_dir:
        data_dir = str(tiny_set(Path(tempfile.mkdtemp(prefix="nnlab-gpu-check-"))))
    where = Path(data_dir) if data_dir else DATA
    missing = [n for n in DATA_FILES if not (where / n).is_file()]
    if missing:
        report.stage(
            "data", "failed", time.monotonic() - start, why=t("gpu.check.no_data", path=where), missing=missing
        )
        return None
    env["NNLAB_DATA_DIR"] = str(where)
    report.stage(
        "data",
        "passed",
        time.monotonic() - start,
        path=str(where),
        mb=round(sum((where / n).stat().st_size for n in DATA_FILES) / 1e6, 1),
    )
    return str(where)


def _junit(path: Path) -> dict:
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    counts = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    failed, properties = [], {}
    for case in suite.iter("testcase"):
        name = case.get("name")
        for bad in list(case.findall("failure")) + list(case.findall("error")):
            failed.append({"test": name, "message": (bad.get("message") or "")[:500]})
        for prop in case.iter("property"):
            properties[f"{name}:{prop.get('name')}"] = prop.get("value")
    counts["passed"] = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    return {**counts, "failed": failed, "properties": properties}


def stage_tests(report: Report, dry: bool, env: dict) -> None:
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "junit.xml"
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "cuda",
            "-rfE",
            "tests/train/test_cuda.py",
            f"--junitxml={xml}",
            "-o",
            "junit_family=xunit1",
        ]
        rc, out, err, _ = _child(cmd, env, min(200, report.left() - 150))
        result = _junit(xml) if xml.is_file() else {}
    status = "timeout" if rc is None else ("passed" if rc == 0 else "failed")
    if dry and status == "passed" and result.get("passed"):
        status = "failed"  # on the CPU every CUDA test must skip
    report.stage(
        "tests",
        status,
        time.monotonic() - start,
        returncode=rc,
        **result,
        log=_tail(out + err) if status != "passed" else _tail(out, 600),
    )


def _nnlab(*args: str) -> list[str]:
    return [sys.executable, "-m", "nnlab", *args]


def stage_bench(report: Report, name: str, cmd: list[str], env: dict, timeout: float) -> dict | None:
    start = time.monotonic()
    rc, out, err, _ = _child(cmd, env, min(timeout, report.left() - 60))
    result = _last_json(out) if rc == 0 else None
    status = "timeout" if rc is None else ("passed" if result is not None else "failed")
    report.stage(
        name,
        status,
        time.monotonic() - start,
        returncode=rc,
        command=" ".join(cmd[2:]),
        result=result,
        log=_tail(err, 1500) if status != "passed" else None,
    )
    return result


def stage_probe(report: Report, dry: bool, env: dict, data_dir: str | None) -> None:
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "probe.json"
        cmd = [sys.executable, "-m", "nnlab.bench.gpu_check", "--probe", str(out)] + (["--dry-run"] if dry else [])
        if data_dir:
            cmd += ["--data-dir", data_dir]
        rc, _stdout, err, _ = _child(cmd, env, min(150, report.left() - 10))
        result = json.loads(out.read_text()) if out.is_file() else None
    status = "timeout" if rc is None else ("passed" if rc == 0 and result and result.get("ok") else "failed")
    report.stage(
        "probe",
        status,
        time.monotonic() - start,
        returncode=rc,
        result=result,
        log=_tail(err, 2000) if status != "passed" else None,
    )


# --- the probe (a child process: it fills the GPU on purpose) ----------------------------------
def _time_steps(config, data, device, optimizer_factory) -> dict:
    import torch

    from nnlab.train.model import fresh_model
    from nnlab.train.step import Stepper

    model = fresh_model(config).to(device)
    optimizer = optimizer_factory(model.parameters())
    x = data.train_x.to(device).reshape(data.train_size, -1).float().div_(255)
    stepper = Stepper(model, optimizer, x, data.train_y.to(device), config.batch_size)
    t0 = time.perf_counter()
    stepper.capture()
    capture_s = time.perf_counter() - t0
    perm = torch.randperm(data.train_size, generator=torch.Generator().manual_seed(0)).to(device)
    timings = []
    for _ in range(2):  # the first pass warms up; the second is timed
        stepper.begin_epoch(perm)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        for b in range(stepper.full_batches):
            stepper.step(b)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        timings.append(time.perf_counter() - t0)
    group = optimizer.param_groups[0]
    return {
        "mode": stepper.mode,
        "us_per_step": round(1e6 * timings[-1] / max(1, stepper.full_batches), 1),
        "capture_s": round(capture_s, 3),
        "fused": group.get("fused"),
        "foreach": group.get("foreach"),
        "final_loss": round(float(stepper.losses[stepper.full_batches - 1]), 4),
        "note": stepper.note or None,
    }


def probe(out_path: str, dry: bool, data_dir: str | None) -> int:
    import torch

    from nnlab.run.config import PRESETS
    from nnlab.train import data as data_mod
    from nnlab.train import engine, memory
    from nnlab.train.device import format_gpu_figures, gpu_figures
    from nnlab.train.model import make_optimizer

    result: dict = {"ok": False}
    out = Path(out_path)

    def save() -> None:
        out.write_text(json.dumps(result, default=str))

    device = torch.device("cpu" if dry else "cuda")
    data = data_mod.synthetic(2048, 256) if dry else data_mod.load(data_dir, allow_download=False)
    result["data"] = data.source
    base = PRESETS["tutorial"].with_(device=str(device), threads=0)
    if dry:  # the machinery, not the speed: a small model on one thread
        base = base.with_(hidden=(64,), threads=1)
    steps = {}
    for name, config, factory in (
        ("sgd", base, None),
        ("momentum", base.with_(optimizer="momentum"), None),
        ("adam_fused", base.with_(optimizer="adam"), None),
        (
            "adam_foreach",
            base.with_(optimizer="adam"),
            (lambda p: torch.optim.Adam(p, lr=1e-3, foreach=True, capturable=True)) if not dry else None,
        ),
    ):
        factory = factory or (lambda p, c=config: make_optimizer(c, p, device))
        steps[name] = _time_steps(config, data, device, factory)
        result["steps"] = steps
        save()
    # the first epoch as a person waits for it: model, data to the device, capture, 1 epoch
    seen: list = []
    t0 = time.perf_counter()
    first_at: list[float] = []

    def emit(event) -> None:
        seen.append(event)
        if event.KIND == "epoch" and not first_at:
            first_at.append(time.perf_counter() - t0)

    finished = engine.run(base.with_(epochs=1 if dry else 2), data, emit)
    started = next((e for e in seen if e.KIND == "started"), None)
    result["first_epoch_s"] = round(first_at[0], 3) if first_at else None
    result["first_run"] = {
        "reason": finished.reason,
        "accuracy": finished.test_accuracy,
        "step_mode": getattr(started, "step_mode", None),
        "note": getattr(started, "note", None),
        "epoch_s": [round(e.seconds, 4) for e in seen if e.KIND == "epoch"],
    }
    figures = gpu_figures(str(device))
    result["figures"], result["figures_line"] = figures, format_gpu_figures(figures)
    save()
    if dry:
        result["oom"] = {"status": "skipped", "why": "needs CUDA"}
    else:
        result["oom"] = _real_oom(base, engine, memory, data_mod)
    save()
    result["ok"] = finished.reason == "completed" and (
        dry
        or (
            result["first_run"]["step_mode"] == "cuda-graph"
            and result["oom"].get("caught")
            and result["oom"].get("next_run") == "completed"
        )
    )
    save()
    return 0 if result["ok"] else 1


def _real_oom(base, engine, memory, data_mod) -> dict:
    """Fill the GPU but 128 MiB, train (the data alone needs 188 MB as floats): out of memory,
    caught with its hint; drop the ballast and train again: it works."""
    import torch

    big = data_mod.synthetic(60_000, 1_000)
    torch.cuda.empty_cache()
    free, _total = torch.cuda.mem_get_info()
    ballast = torch.empty(max(free - 128 * 2**20, 0), dtype=torch.uint8, device="cuda")
    events: list = []
    try:
        finished = engine.run(base.with_(epochs=1), big, events.append)
    finally:
        del ballast
    failed = [e.message for e in events if e.KIND == "failed"]
    figures_after = torch.cuda.memory_reserved() / 1e9
    torch.cuda.empty_cache()
    again: list = []
    second = engine.run(base.with_(epochs=1), big, again.append)
    message = failed[0] if failed else None
    return {
        "caught": bool(message and "out of memory" in message and finished.reason == "failed"),
        "hint": bool(message and "smaller batch" in message),
        "message": message,
        "reserved_gb_after_release": round(figures_after, 3),
        "free_gb_before": round(free / 1e9, 1),
        "next_run": second.reason,
        "next_step_mode": again[0].step_mode if again and again[0].KIND == "started" else None,
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
