"""`make gpu-check` on the CPU (its dry run writes the same report) and the GPU figures through
a fake ``pynvml`` (the real one needs a driver): the nvml-absent hint and the one-line format."""

from __future__ import annotations

import json
import sys
import types

import pytest

from nnlab.bench import gpu_check
from nnlab.train import device as device_mod


def _dry_run(tmp_path, monkeypatch, *skip: str) -> dict:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # the data cache stays out of the user's home
    out = tmp_path / "report" / "gpu-check.json"
    args = ["--dry-run", "--out", str(out)] + [x for name in skip for x in ("--skip", name)]
    assert gpu_check.main(args) == 0, out.read_text()
    return json.loads(out.read_text())


def test_dry_run_writes_one_report_with_every_stage(tmp_path, monkeypatch):
    """The fast half (≤ 30 s): every stage but the dashboard bench, which the slow test runs."""
    report = _dry_run(tmp_path, monkeypatch, "bench_dashboard")
    stages = report["stages"]
    assert list(stages) == ["env", "install", "data", "tests", "bench_train", "bench_dashboard", "bench_sweep", "probe"]
    assert report["ok"] is True and report["dry_run"] is True
    assert stages["env"]["status"] == "passed" and report["host"]["torch"]
    assert stages["install"]["status"] in ("passed", "skipped")  # skipped where .device/wheels was not made
    assert stages["tests"]["status"] == "passed" and stages["tests"]["passed"] == 0  # CUDA tests skip on the CPU
    assert stages["tests"]["skipped"] >= 10
    train = stages["bench_train"]["result"]
    assert train["device"] == "cpu" and train["nnlab_step"] == "eager" and train["epochs"] == 1
    probe = stages["probe"]["result"]
    assert set(probe["steps"]) == {"sgd", "momentum", "adam_fused", "adam_foreach"}
    assert all(s["mode"] == "eager" and s["us_per_step"] > 0 for s in probe["steps"].values())
    assert probe["first_run"]["reason"] == "completed" and probe["first_epoch_s"] > 0
    assert probe["oom"]["status"] == "skipped"
    goals = report["summary"]["goals"]
    assert (
        goals["bench_train.ratio"]["value"] == train["ratio"]
        and goals["bench_dashboard.throughput_ratio"]["value"] is None
    )


@pytest.mark.slow
def test_dry_run_of_every_stage_including_the_dashboard_bench(tmp_path, monkeypatch):
    report = _dry_run(tmp_path, monkeypatch)
    dash = report["stages"]["bench_dashboard"]
    assert dash["status"] == "passed" and dash["result"]["device"].lower() == "cpu"


def test_without_cuda_the_real_check_says_so(tmp_path, monkeypatch):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    out = tmp_path / "r.json"
    assert gpu_check.main(["--out", str(out)]) == 2
    report = json.loads(out.read_text())
    assert report["ok"] is False and report["stages"]["env"]["status"] == "failed"
    assert "dry-run" in report["stages"]["env"]["why"]


def test_the_wheel_closure_is_pure_python_and_names_textual():
    names = gpu_check.closure()
    assert {"textual", "textual-plotext", "plotext", "platformdirs", "rich"} <= set(names)
    assert "torch" not in names


def test_report_goes_to_out_when_set(monkeypatch, tmp_path):
    monkeypatch.setenv("OUT", str(tmp_path))
    assert gpu_check.default_out() == tmp_path / "gpu-check.json"
    monkeypatch.delenv("OUT")
    assert gpu_check.default_out() == gpu_check.DEVICE_DIR / "gpu-check.json"


# --- GPU figures -------------------------------------------------------------------------------
TORCH_FIGURES = {"used_gb": 3.2, "total_gb": 143.8, "allocated_gb": 0.4, "reserved_gb": 0.9}


@pytest.fixture
def fresh_nvml(monkeypatch):
    monkeypatch.setattr(device_mod, "_nvml_state", {})
    monkeypatch.setattr(device_mod, "_torch_figures", lambda index: dict(TORCH_FIGURES))


def _fake_pynvml(pid: int):
    nv = types.ModuleType("pynvml")
    nv.NVML_TEMPERATURE_GPU, nv.NVML_CLOCK_SM, nv.NVML_CLOCK_MEM = 0, 1, 2
    nv.nvmlInit = lambda: None
    nv.nvmlDeviceGetHandleByUUID = lambda uuid: "handle"
    nv.nvmlDeviceGetHandleByIndex = lambda index: "handle"
    nv.nvmlDeviceGetUtilizationRates = lambda h: types.SimpleNamespace(gpu=87, memory=40)
    nv.nvmlDeviceGetMemoryInfo = lambda h: types.SimpleNamespace(used=5.5e9, total=143.8e9, free=138.3e9)
    nv.nvmlDeviceGetPowerUsage = lambda h: 312_400
    nv.nvmlDeviceGetEnforcedPowerLimit = lambda h: 700_000
    nv.nvmlDeviceGetTemperature = lambda h, sensor: 54
    nv.nvmlDeviceGetClockInfo = lambda h, clock: {1: 1980, 2: 3201}[clock]

    def not_supported(h):
        raise RuntimeError("NVML_ERROR_NOT_SUPPORTED")

    nv.nvmlDeviceGetComputeRunningProcesses = lambda h: [
        types.SimpleNamespace(pid=pid, usedGpuMemory=1_250_000_000),
        types.SimpleNamespace(pid=1, usedGpuMemory=4e9),
    ]
    nv.not_supported = not_supported
    return nv


def test_without_nvml_memory_is_shown_with_one_line_saying_what_to_install(monkeypatch, fresh_nvml):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import pynvml raises ImportError
    figures = device_mod.gpu_figures("cuda:0")
    assert figures["nvml"] is False and figures["util"] is None and figures["used_gb"] == 3.2
    line = device_mod.format_gpu_figures(figures)
    assert line.startswith("memory 3.2/143.8 GB (this process 0.90 GB)")
    assert "pip install nvidia-ml-py" in line and "nnlab[gpu]" in line and "\n" not in line
    assert device_mod.gpu_figures("cpu") is None and device_mod.format_gpu_figures(None) == ""


def test_with_nvml_every_figure_is_read_and_formatted(monkeypatch, fresh_nvml):
    import os

    monkeypatch.setitem(sys.modules, "pynvml", _fake_pynvml(os.getpid()))
    figures = device_mod.gpu_figures("cuda:0")
    assert figures["nvml"] is True and figures["hint"] is None
    assert (figures["util"], figures["temp_c"], figures["sm_mhz"], figures["mem_mhz"]) == (87, 54, 1980, 3201)
    assert figures["used_gb"] == pytest.approx(5.5) and figures["process_gb"] == pytest.approx(1.25)
    assert figures["power_w"] == pytest.approx(312.4) and figures["allocated_gb"] == 0.4
    assert device_mod.format_gpu_figures(figures) == (
        "GPU 87% · memory 5.5/143.8 GB (this process 1.25 GB) · 312/700 W · 54 °C · SM 1980 MHz, memory 3201 MHz"
    )


def test_an_unsupported_nvml_figure_is_left_out(monkeypatch, fresh_nvml, zh):
    nv = _fake_pynvml(pid=-1)  # our process is not visible (a PID namespace): torch's reserve is shown
    nv.nvmlDeviceGetPowerUsage = nv.not_supported
    nv.nvmlDeviceGetTemperature = lambda h, sensor: nv.not_supported(h)
    monkeypatch.setitem(sys.modules, "pynvml", nv)
    figures = device_mod.gpu_figures("cuda")
    assert figures["power_w"] is None and figures["temp_c"] is None and figures["process_gb"] is None
    line = device_mod.format_gpu_figures(figures)
    assert "W" not in line and "°C" not in line and "0.90 GB" in line and "GPU 利用率 87%" in line


def test_nvml_that_cannot_start_says_why(monkeypatch, fresh_nvml):
    nv = _fake_pynvml(pid=0)

    def broken():
        raise RuntimeError("NVML_ERROR_DRIVER_NOT_LOADED")

    nv.nvmlInit = broken
    monkeypatch.setitem(sys.modules, "pynvml", nv)
    figures = device_mod.gpu_figures("cuda:0")
    assert figures["nvml"] is False and "DRIVER_NOT_LOADED" in figures["hint"]
