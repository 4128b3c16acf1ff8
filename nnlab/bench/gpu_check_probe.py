"""The GPU check's probe, run in a child process (it fills the GPU on purpose): step times, first epoch, a real OOM."""

from __future__ import annotations

import json
import time
from pathlib import Path


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
