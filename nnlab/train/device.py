"""Where a run trains: the device it asked for, its name, and how many CPU threads it uses."""

from __future__ import annotations

import os

import torch

from nnlab.i18n import t
from nnlab.run.errors import DeviceError


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceError(t("train.device.no_cuda", device=name))
        index = int(name.split(":")[1]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise DeviceError(t("train.device.no_index", device=name, count=torch.cuda.device_count()))
        return torch.device("cuda", index)
    return torch.device(name)


def device_label(device: torch.device) -> str:
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def choose_threads(device: torch.device, ui_threads: bool) -> int:
    """torch intra-op threads when the config says 0 (auto). Measured on the idle 2-core CPU this
    was built on (README, "Training engine"): a batch-64 step took 2.4 ms on 2 threads against
    4.2 ms on 1, so all cores. Beside a UI (``ui_threads``) one core is left to it only where
    there are more than two: on 2 cores the dashboard trained at 18.5-20.6k samples/s on one
    thread against 24-33k on both, and keys still answered with a p95 of 41-59 ms once full
    garbage collections were kept out of the run (``nnlab bench dashboard``, README). On a
    machine that other processes keep busy, 2 threads fell to ~10x slower than 1 (a fork-join
    region waits for its descheduled thread): pass ``threads=1`` there. The count is fixed for a
    run because it changes float summation order, and a seed must reproduce a run exactly. On
    CUDA the host only launches kernels (graph replays): one thread is enough."""
    cores = usable_cores()
    omp = os.environ.get("OMP_NUM_THREADS", "")
    if omp.isdigit() and int(omp) > 0:  # the standard way to ask for fewer threads: respected
        cores = min(cores, int(omp))
    if device.type == "cuda":
        return 1
    return cores - 1 if ui_threads and cores > 2 else cores


def gpu_figures(device: str) -> dict | None:
    """Memory used/total (GB) and utilisation (%) of the run's CUDA device; None on CPU."""
    if not device.startswith("cuda"):
        return None
    try:
        index = torch.device(device).index or 0
        free, total = torch.cuda.mem_get_info(index)
        figures = {"used_gb": (total - free) / 1e9, "total_gb": total / 1e9,
                   "allocated_gb": torch.cuda.memory_allocated(index) / 1e9, "util": None}
        try:
            figures["util"] = torch.cuda.utilization(index)  # needs pynvml; absent on some hosts
        except Exception:  # noqa: BLE001 - utilisation is optional
            pass
        return figures
    except Exception:  # noqa: BLE001 - never let a probe kill the run
        return None


def available_devices() -> list[tuple[str, str]]:
    """(label, value) of every device a run can use here: each CUDA GPU, then the CPU."""
    devices: list[tuple[str, str]] = []
    try:
        for i in range(torch.cuda.device_count() if torch.cuda.is_available() else 0):
            devices.append((f"cuda:{i} {torch.cuda.get_device_name(i)}", f"cuda:{i}"))
    except Exception:  # noqa: BLE001 - no CUDA is a normal answer
        pass
    devices.append(("CPU", "cpu"))
    return devices
