"""Domain code never loads textual; the app's first frame never needs torch."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import nnlab.core
import nnlab.train


def _modules(package) -> list[str]:
    return [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sys.modules))"],
                         capture_output=True, text=True, timeout=120, check=True)
    return set(out.stdout.split())


def test_domain_modules_do_not_import_textual():
    names = _modules(nnlab.core) + _modules(nnlab.train) + ["nnlab.cli", "nnlab.i18n", "nnlab.bench.startup"]
    code = "\n".join(f"import {name}" for name in names)
    loaded = _loaded_after(code)
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded), "textual leaked into domain code"


def test_building_the_app_and_its_screens_does_not_import_torch():
    code = (
        "from nnlab.ui.app import NNLabApp\n"
        "app = NNLabApp()\n"
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
