"""Issue 18 Deliver 3 (UI): the Live page's GPU panel, fed fake figures (no GPU here)."""

from __future__ import annotations

from test_train_session import batch, session, started

from nnlab.ui.app import NNLabApp
from nnlab.ui.train import updates as up
from nnlab.ui.train.gpu_panel import GpuPanel, gpu_lines, spark

NVML = {
    "used_gb": 12.5,
    "total_gb": 139.8,
    "allocated_gb": 0.4,
    "reserved_gb": 0.6,
    "util": 97,
    "mem_util": 41,
    "process_gb": 0.95,
    "power_w": 312.4,
    "power_limit_w": 700.0,
    "temp_c": 48,
    "sm_mhz": 1980,
    "mem_mhz": 3201,
    "nvml": True,
    "hint": None,
}
NO_NVML = {
    **NVML,
    "util": None,
    "mem_util": None,
    "process_gb": None,
    "power_w": None,
    "power_limit_w": None,
    "temp_c": None,
    "sm_mhz": None,
    "mem_mhz": None,
    "nvml": False,
    "hint": "GPU utilisation, power and clocks need nvidia-ml-py: pip install nvidia-ml-py",
}


def test_the_lines_show_every_figure_with_nvml():
    text = "\n".join(gpu_lines(NVML, (50.0, 97.0), (40_000.0, 41_000.0)))
    for part in ("97%", "41%", "12.5/139.8 GB", "0.95 GB", "312/700 W", "48 °C", "1980 MHz", "3201 MHz", "41,000"):
        assert part in text, part


def test_without_nvml_one_line_says_what_to_install_and_torch_memory_stays():
    lines = gpu_lines(NO_NVML)
    assert len(lines) == 3 and "pip install nvidia-ml-py" in lines[2]  # one line, in place of NVML's
    assert "12.5/139.8 GB" in lines[1] and "0.60 GB" in lines[1]  # this process: torch's reserved


def test_spark_scales_to_the_top():
    assert spark([0, 50, 100], top=100) == "▁▄█" and spark([]) == ""


def test_the_session_sends_figures_and_their_history_on_cuda_runs_only(tmp_path):
    s, view = session(tmp_path)
    s.start()
    s.on_event(1, started())
    s.on_progress(1, (batch(1, 1),), None)
    assert view.of(up.Gpu) == []  # a CPU run: no panel
    s.on_progress(1, (batch(1, 2),), NVML)
    s.on_progress(1, (batch(1, 3),), NVML)  # the same figures: nothing new
    s.on_progress(1, (batch(1, 4),), {**NVML, "util": 80})
    assert [u.util_history for u in view.of(up.Gpu)] == [(97.0,), (97.0, 80.0)]


async def test_the_panel_appears_for_figures_and_goes_for_the_next_run(tmp_path):
    app = NNLabApp(mode="train", options={"runs_dir": str(tmp_path), "data_factory": lambda: None})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.show_page("live")
        await pilot.pause(0.1)
        panel = screen.query_one(GpuPanel)
        assert not panel.display
        screen.show(up.Gpu(NVML, (97.0,), (41_000.0,)))
        await pilot.pause(0.1)
        assert panel.display and panel.size.height == 3 and "312/700 W" in str(panel.render())
        screen.show(up.ResetLive(keep_log=True))
        await pilot.pause(0.1)
        assert not panel.display
