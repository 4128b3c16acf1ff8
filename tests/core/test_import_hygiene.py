"""Each layer loads only what it may: checked in fresh interpreters, naming the module that leaks.

import-linter (`make lint`, CI) checks the import statements; these tests check what importing
really loads, deferred imports and re-exports included.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import nnlab.core
import nnlab.fs
import nnlab.run
import nnlab.train


def _modules(package) -> list[str]:
    return [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]


def _first_leak(modules: list[str], forbidden: tuple[str, ...]) -> dict:
    """Import ``modules`` one by one in a fresh interpreter; the first that loads a forbidden one."""
    code = f"""
import importlib, json, sys
forbidden = {forbidden!r}
for name in {modules!r}:
    importlib.import_module(name)
    bad = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
    if bad:
        print(json.dumps({{"module": name, "loaded": bad[:3]}}))
        break
else:
    print("{{}}")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("package", [nnlab.core, nnlab.run, nnlab.fs], ids=lambda p: p.__name__)
def test_run_fs_and_core_load_neither_torch_nor_textual(package):
    leak = _first_leak(_modules(package) + ["nnlab.i18n"], ("torch", "torchvision", "textual"))
    assert leak == {}, f"{leak['module']} loads {leak['loaded']}"


def test_the_torch_package_and_the_commands_never_load_textual():
    names = _modules(nnlab.train) + ["nnlab.cli", "nnlab.commands.headless", "nnlab.bench.startup"]
    leak = _first_leak(names, ("textual",))
    assert leak == {}, f"{leak['module']} loads {leak['loaded']}"


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(out.stdout.split())


def test_building_the_app_and_its_screens_does_not_import_torch():
    code = (
        "from textual._context import active_app\n"
        "from nnlab.ui.app import NNLabApp\n"
        "app = NNLabApp()\n"
        "active_app.set(app)  # screens are built inside their running app\n"
        "screens = [cls() for cls in NNLabApp.MODES.values()]\n"
        "from nnlab.cli import build_parser\nbuild_parser()\n"
    )
    loaded = _loaded_after(code)
    assert "torch" not in loaded


def test_the_first_frame_is_drawn_without_torch():
    from nnlab.bench.startup import measure_startup

    result = measure_startup(runs=1)
    assert result["torch_loaded_at_first_frame"] is False
    assert result["first_frame_s_median"] > 0
