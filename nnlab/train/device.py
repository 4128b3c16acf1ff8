"""Where a run trains: the device it asked for, its name, and how many CPU threads it uses."""

from __future__ import annotations

import contextlib
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
    """torch intra-op threads when the config says 0 (auto): all usable cores (``OMP_NUM_THREADS``
    respected); beside a UI (``ui_threads``) one fewer, but only where there are more than two,
    since on two cores the UI loses less than training would (figures: README, "How it stays
    light"). On CUDA the host only launches graph replays: one thread. The count is fixed for a
    run because it changes float summation order, and a seed must reproduce a run exactly."""
    cores = usable_cores()
    omp = os.environ.get("OMP_NUM_THREADS", "")
    if omp.isdigit() and int(omp) > 0:  # the standard way to ask for fewer threads: respected
        cores = min(cores, int(omp))
    if device.type == "cuda":
        return 1
    return cores - 1 if ui_threads and cores > 2 else cores


def device_scope(device):
    """A context in which ``device`` (a torch.device or name) is CUDA's current device, so that
    work that uses "the current device" (``torch.cuda.synchronize()``, graph capture, stream
    creation) does not create a context on GPU 0 for a run on ``cuda:N``. A no-op off CUDA."""
    device = torch.device(device) if isinstance(device, str) else device
    if getattr(device, "type", "cpu") == "cuda" and torch.cuda.is_available():
        return torch.cuda.device(device.index if device.index is not None else torch.cuda.current_device())
    return contextlib.nullcontext()


# --- GPU figures (nvidia-ml-py) ---------------------------------------------------------
NVML_PACKAGE = "nvidia-ml-py"
_nvml_state: dict = {}  # "module" once initialised, or "error" saying why not


def _nvml():
    """The initialised ``pynvml`` module, or None (not installed, or no driver): tried once."""
    if "module" in _nvml_state:
        return _nvml_state["module"]
    if "error" in _nvml_state:
        return None
    try:
        import pynvml  # nvidia-ml-py: optional (pip install 'nnlab[gpu]')

        pynvml.nvmlInit()
    except ImportError:
        _nvml_state["error"] = "missing"
        return None
    except Exception as error:  # noqa: BLE001 - NVML without a driver, in a sandbox, ...
        _nvml_state["error"] = f"{type(error).__name__}: {error}"[:200]
        return None
    _nvml_state["module"] = pynvml
    return pynvml


def nvml_hint() -> str | None:
    """One line saying what to install (or why NVML is unusable), or None when it works."""
    if _nvml() is not None:
        return None
    if _nvml_state.get("error") == "missing":
        return t("gpu.nvml.missing", package=NVML_PACKAGE)
    return t("gpu.nvml.failed", why=_nvml_state.get("error", "?"))


def _nvml_handle(nvml, index: int):
    """NVML's handle of torch's CUDA device ``index``: matched by UUID, since
    CUDA_VISIBLE_DEVICES renumbers devices for CUDA but not for NVML."""
    try:
        uuid = str(torch.cuda.get_device_properties(index).uuid)
        return nvml.nvmlDeviceGetHandleByUUID(uuid if uuid.startswith("GPU-") else f"GPU-{uuid}")
    except Exception:  # noqa: BLE001 - older torch, fake modules, MIG: fall back to the index
        return nvml.nvmlDeviceGetHandleByIndex(index)


def nvml_figures(nvml, handle, pid: int | None = None) -> dict:
    """What NVML says about one GPU; each figure None when this GPU or driver does not report it."""
    pid = os.getpid() if pid is None else pid

    def read(fn, *args):
        try:
            return fn(handle, *args)
        except Exception:  # noqa: BLE001 - NVMLError_NotSupported and friends: that figure is unknown
            return None

    figures: dict = {}
    util = read(nvml.nvmlDeviceGetUtilizationRates)
    figures["util"] = None if util is None else int(util.gpu)
    figures["mem_util"] = None if util is None else int(util.memory)
    mem = read(nvml.nvmlDeviceGetMemoryInfo)
    if mem is not None:
        figures["used_gb"], figures["total_gb"] = mem.used / 1e9, mem.total / 1e9
    power = read(nvml.nvmlDeviceGetPowerUsage)  # milliwatts
    limit = read(nvml.nvmlDeviceGetEnforcedPowerLimit)  # milliwatts
    figures["power_w"] = None if power is None else power / 1000
    figures["power_limit_w"] = None if limit is None else limit / 1000
    figures["temp_c"] = read(nvml.nvmlDeviceGetTemperature, getattr(nvml, "NVML_TEMPERATURE_GPU", 0))
    figures["sm_mhz"] = read(nvml.nvmlDeviceGetClockInfo, getattr(nvml, "NVML_CLOCK_SM", 1))
    figures["mem_mhz"] = read(nvml.nvmlDeviceGetClockInfo, getattr(nvml, "NVML_CLOCK_MEM", 2))
    processes = read(nvml.nvmlDeviceGetComputeRunningProcesses) or []
    own = [p.usedGpuMemory for p in processes if getattr(p, "pid", None) == pid and p.usedGpuMemory]
    figures["process_gb"] = sum(own) / 1e9 if own else None  # None in a PID namespace NVML cannot see into
    return figures


def _torch_figures(index: int) -> dict:
    free, total = torch.cuda.mem_get_info(index)
    return {
        "used_gb": (total - free) / 1e9,
        "total_gb": total / 1e9,
        "allocated_gb": torch.cuda.memory_allocated(index) / 1e9,
        "reserved_gb": torch.cuda.memory_reserved(index) / 1e9,
    }


def gpu_figures(device: str) -> dict | None:
    """Figures of the run's CUDA device, None on the CPU (or when CUDA cannot be read).

    Always: ``used_gb``/``total_gb`` (device-wide: other processes count too), ``allocated_gb``
    (this process's tensors) and ``reserved_gb`` (this process's caching allocator). With
    nvidia-ml-py: ``util`` and ``mem_util`` (%), ``process_gb`` (this process as the driver counts
    it, context included), ``power_w``/``power_limit_w``, ``temp_c``, ``sm_mhz``/``mem_mhz``.
    ``nvml`` says whether those came; without it ``hint`` is the one line saying what to install."""
    if not str(device).startswith("cuda"):
        return None
    try:
        index = torch.device(device).index
        if index is None:  # "cuda": the current device, without initialising CUDA to ask
            index = torch.cuda.current_device() if torch.cuda.is_initialized() else 0
        figures = _torch_figures(index)
    except Exception:  # noqa: BLE001 - never let a probe kill the run
        return None
    figures.update(
        {
            "util": None,
            "mem_util": None,
            "process_gb": None,
            "power_w": None,
            "power_limit_w": None,
            "temp_c": None,
            "sm_mhz": None,
            "mem_mhz": None,
            "nvml": False,
            "hint": None,
        }
    )
    nvml = _nvml()
    if nvml is None:
        figures["hint"] = nvml_hint()
        return figures
    try:
        nv = nvml_figures(nvml, _nvml_handle(nvml, index))
    except Exception as error:  # noqa: BLE001 - a probe: what torch said is still worth showing
        figures["hint"] = t("gpu.nvml.failed", why=f"{type(error).__name__}: {error}"[:200])
        return figures
    figures.update({k: v for k, v in nv.items() if v is not None})
    figures["nvml"] = True
    return figures


def format_gpu_figures(figures: dict | None) -> str:
    """One line for a person (headless per epoch, the Live page): utilisation, memory (used of
    total, this process's), power, temperature, clocks; the install hint when NVML is missing."""
    if not figures:
        return ""
    own = figures.get("process_gb")
    own = own if own is not None else figures.get("reserved_gb")
    parts = []
    if figures.get("util") is not None:
        parts.append(t("gpu.fig.util", util=figures["util"]))
    memory = t("gpu.fig.memory", used=f"{figures['used_gb']:.1f}", total=f"{figures['total_gb']:.1f}")
    if own is not None:
        memory += " " + t("gpu.fig.own", own=f"{own:.2f}")
    parts.append(memory)
    if figures.get("power_w") is not None:
        limit = figures.get("power_limit_w")
        parts.append(
            t("gpu.fig.power", power=f"{figures['power_w']:.0f}")
            if limit is None
            else t("gpu.fig.power_of", power=f"{figures['power_w']:.0f}", limit=f"{limit:.0f}")
        )
    if figures.get("temp_c") is not None:
        parts.append(t("gpu.fig.temp", temp=figures["temp_c"]))
    if figures.get("sm_mhz") is not None:
        parts.append(t("gpu.fig.clocks", sm=figures["sm_mhz"], mem=figures.get("mem_mhz") or "?"))
    line = " · ".join(parts)
    if figures.get("hint"):
        line += " · " + figures["hint"]
    return line


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
