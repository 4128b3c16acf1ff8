"""The GPU check's stages: env, install, data, tests, the benches and the probe (each writes its report entry)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nnlab.bench.gpu_check_files import DATA, DATA_FILES, MANIFEST, ROOT, SAMPLE, SITE, TOP, WHEELS, _norm
from nnlab.bench.gpu_check_report import Report, _child, _last_json, _tail
from nnlab.i18n import t


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
