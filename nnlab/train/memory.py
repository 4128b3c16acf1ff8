"""Memory: refuse a model that cannot fit before any work, and recover from CUDA out-of-memory.

``check_fits`` compares ``model.estimate_bytes`` with what the device has free (MemAvailable for
the CPU, ``cuda.mem_get_info`` for a GPU) and raises ``ConfigError`` with a translated message,
before data is loaded or a weight allocated. ``is_oom`` / ``release`` / ``oom_message`` turn a
``torch.cuda.OutOfMemoryError`` into an emptied cache and a sentence with a hint.
"""

from __future__ import annotations

import gc

from nnlab.i18n import t
from nnlab.run.config import TrainConfig
from nnlab.run.errors import ConfigError
from nnlab.train.device import resolve_device
from nnlab.train.model import estimate_bytes


def available_bytes(device) -> int | None:
    """Free memory on ``device`` (a torch.device; MemAvailable for the CPU), or None when unknown."""
    if getattr(device, "type", "cpu") == "cuda":
        import torch

        try:
            return int(torch.cuda.mem_get_info(device)[0])
        except Exception:  # noqa: BLE001 - a probe: unknown is an answer
            return None
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_fits(config: TrainConfig, train_size: int, test_size: int, device=None) -> int:
    """The estimated bytes, or ConfigError when they exceed the device's free memory."""
    if device is None:
        device = resolve_device(config.device)
    need = estimate_bytes(config, train_size or 60_000, test_size or 10_000)
    have = available_bytes(device)
    if have is not None and need > have:
        raise ConfigError(
            t(
                "safe.too_big",
                need=f"{need / 2**30:.1f}",
                have=f"{have / 2**30:.1f}",
                device=getattr(device, "type", str(device)),
            )
        )
    return need


def is_oom(error: BaseException) -> bool:
    """A CUDA (or accelerator) out-of-memory error, whatever torch version raised it."""
    try:
        import torch

        if isinstance(error, torch.cuda.OutOfMemoryError):
            return True
    except (ImportError, AttributeError):
        pass
    return isinstance(error, RuntimeError) and "out of memory" in str(error).lower()


def cuda_in_use() -> bool:
    """CUDA exists and this process has initialised it (checking never initialises it)."""
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_initialized())


def release() -> bool:
    """Free what a failed run held: collect garbage, then empty the CUDA cache. Call it once the
    run's tensors are unreachable (after the except block that caught the error: a traceback
    keeps every frame's tensors alive). A no-op without CUDA. True when the cache was emptied."""
    gc.collect()
    try:
        if cuda_in_use():
            import torch

            torch.cuda.empty_cache()
            return True
    except Exception:  # noqa: BLE001 - releasing memory must never raise on top of an OOM
        pass
    return False


def oom_message(config: TrainConfig, device: str = "cuda") -> str:
    return t(
        "safe.oom",
        device=device,
        batch=config.batch_size,
        hidden=",".join(map(str, config.hidden)),
        smaller=max(1, config.batch_size // 2),
    )
