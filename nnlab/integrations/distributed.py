"""torchrun / DDP: every rank of a job logs into one nnlab run; a viewer's stop reaches every rank.

    import torch.distributed as dist
    from nnlab.integrations.distributed import DistributedRun
    dist.init_process_group("gloo")                 # torchrun --nproc-per-node 2 script.py
    drun = DistributedRun(name="ddp", config={...}, runs_dir="runs", sync_every=10)
    for step, batch in enumerate(loader, 1):
        ... one step ...
        drun.log(step, loss=loss)                   # rank 0's metrics (a no-op elsewhere)
        if drun.sync(step, samples_per_s=rate):     # every rank calls it: one all_gather
            break                                   # a viewer asked to stop: every rank stops
    drun.finish()

Rank 0 alone owns the run directory (the writer lock allows one writer). ``sync`` is a
collective: every ``sync_every``-th call, on every rank, rank 0 first waits while a viewer has
paused the run (the other ranks wait in the collective; keep pauses shorter than the process
group's timeout, 30 minutes by default), then one ``all_gather`` of [stop, samples/s] gives
every rank rank 0's stop decision and gives rank 0 every rank's throughput, logged as
``throughput/rank<N>`` scalars (samples/s).
"""

from __future__ import annotations

import math
import os
from typing import Any

import torch
import torch.distributed as dist

import nnlab.track
from nnlab.i18n import t


class DistributedRun:
    def __init__(
        self,
        name: str = "",
        config: Any = None,
        runs_dir: str | os.PathLike | None = None,
        *,
        sync_every: int = 1,
        quiet: bool = False,
    ):
        if not dist.is_available() or not dist.is_initialized():
            raise RuntimeError(t("track.ddp.not_initialized"))
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        self.sync_every = max(1, int(sync_every))
        self._calls = 0
        self._stop = False
        self.run: nnlab.track.Run | None = None
        if self.rank == 0:
            config = dict(config or {})
            config.setdefault("world_size", self.world)
            self.run = nnlab.track.init(name=name, config=config, runs_dir=runs_dir, quiet=quiet)

    def log(self, step: int | None = None, /, **scalars: Any) -> None:
        """Rank 0's scalars (other ranks: nothing)."""
        if self.run is not None:
            self.run.log(step=step, **scalars)

    def epoch(self, n: int, /, **metrics: Any) -> None:
        if self.run is not None:
            self.run.epoch(n, **metrics)

    def sync(self, step: int, samples_per_s: float | None = None) -> bool:
        """Collective (every rank calls it): True on every rank once a viewer asked to stop."""
        self._calls += 1
        if self._stop or self._calls % self.sync_every:
            return self._stop
        stop = 0.0
        if self.run is not None:
            self.run.wait_if_paused()
            stop = 1.0 if self.run.should_stop() else 0.0
        mine = torch.tensor([stop, math.nan if samples_per_s is None else float(samples_per_s)], dtype=torch.float64)
        gathered = [torch.zeros(2, dtype=torch.float64) for _ in range(self.world)]
        dist.all_gather(gathered, mine)
        if self.run is not None:
            self.run.log(step=step, **{f"throughput/rank{r}": float(g[1]) for r, g in enumerate(gathered)})
        self._stop = bool(gathered[0][0] > 0)
        return self._stop

    def should_stop(self) -> bool:
        """The decision of the last ``sync`` (the same on every rank)."""
        return self._stop

    def finish(self, error: str | None = None) -> None:
        if self.run is not None:
            self.run.finish(error=error)

    def __enter__(self) -> DistributedRun:
        return self

    def __exit__(self, kind, value, tb) -> None:
        if self.run is not None:
            if value is None:
                self.run.finish()
            else:
                self.run._fail_with(value, tb)


__all__ = ["DistributedRun"]
