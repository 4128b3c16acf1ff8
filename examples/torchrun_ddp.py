"""DDP on the CPU (gloo) logging into one nnlab run: rank 0's loss, every rank's throughput.

    torchrun --nproc-per-node 2 examples/torchrun_ddp.py [--steps 200] [--runs-dir runs]
Stop it from `nnlab watch` (or `nnlab ctl RUN stop`): every rank stops at the same step.
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from nnlab.integrations.distributed import DistributedRun


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--step-sleep", type=float, default=0.0, help="seconds per step (tests: time to steer)")
    parser.add_argument("--runs-dir", default=None)
    args = parser.parse_args(argv)
    dist.init_process_group("gloo")
    torch.manual_seed(dist.get_rank())
    torch.set_num_threads(1)
    model = DistributedDataParallel(nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 4)))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    last_step = 0
    with DistributedRun(name="torchrun-ddp", config=vars(args), runs_dir=args.runs_dir, sync_every=5) as drun:
        started = time.perf_counter()
        for step in range(1, args.steps + 1):
            x = torch.randn(args.batch_size, 32)
            y = x[:, :4].argmax(1)
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if args.step_sleep:
                time.sleep(args.step_sleep)
            drun.log(step, loss=loss)
            last_step = step
            rate = step * args.batch_size / (time.perf_counter() - started)
            if drun.sync(step, samples_per_s=rate):
                break
    print(f"rank {dist.get_rank()} ended at step {last_step}", flush=True)
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
