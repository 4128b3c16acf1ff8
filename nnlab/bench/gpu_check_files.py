"""The GPU check's files: the ``.device/`` layout (wheels, data, manifest) and `make gpu-wheels` filling it."""

from __future__ import annotations

import json
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
