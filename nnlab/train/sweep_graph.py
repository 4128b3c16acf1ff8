"""The batched step of a sweep group on device-resident data: eager, or captured in a CUDA graph.

The same structure as ``step.py``'s ``Stepper`` (read it first): the graph body reads the batch
position from a device counter, gathers the batch through the epoch's permutation, runs the K
members' forward, backward and optimizer update, writes the K losses into row ``counter`` of a
``[batches, K]`` device buffer and advances the counter. The learning rates are a ``[K]`` device
tensor the body reads, so ``BatchedMLP.set_lr`` changes what the next replay does (a schedule),
and Adam's step count is a device tensor too (``device_scalars``). The last partial batch runs
eagerly. When members leave the stack (diverged, stopped) its tensors are new: the graph is
captured again.
"""

from __future__ import annotations

import torch

from nnlab.i18n import t
from nnlab.train.step import _is_oom
from nnlab.train.sweep_step import BatchedMLP


class GroupStepper:
    def __init__(
        self, mlp: BatchedMLP, train_x: torch.Tensor, train_y: torch.Tensor, batch_size: int, static: bool = False
    ):
        self.mlp = mlp
        self.train_x, self.train_y = train_x, train_y  # [N, 784] float, [N] int64, on the device
        self.n, self.batch_size = int(train_y.shape[0]), batch_size
        self.full_batches = self.n // batch_size
        self.batches = -(-self.n // batch_size)
        device = train_x.device
        self.perm = torch.arange(self.n, device=device)
        self.losses = torch.zeros(self.batches, mlp.k, device=device)  # [batch, member]
        self.pending = torch.zeros(mlp.k, device=device)  # this step's losses, before its update
        self.counter = torch.zeros((), dtype=torch.int64, device=device)
        self.offsets = torch.arange(batch_size, device=device)
        self.static = static
        self.graph = None
        self.note = ""
        self._graph_grads: list = []
        if static:
            mlp.device_scalars = True  # the body as captured: Adam's step count on the device

    @property
    def mode(self) -> str:
        return "cuda-graph" if self.graph is not None else "eager"

    @property
    def captured(self) -> bool:
        return self.graph is not None or self.static

    def begin_epoch(self, perm: torch.Tensor, first_batch: int = 0) -> None:
        self.perm.copy_(perm)
        self.counter.fill_(first_batch)

    # --- eager -----------------------------------------------------------------------------
    def forward_backward(self, b: int) -> None:
        """Forward and backward of batch ``b``; its K losses land in ``self.pending``."""
        idx = self.perm[b * self.batch_size : (b + 1) * self.batch_size]
        if self.graph is not None:  # as Stepper._eager: accumulate into the graph's own gradients
            for p, g in zip(self.mlp.params, self._graph_grads):
                p.grad = g
        self.mlp.zero_grad(set_to_none=self.graph is None)
        total, losses = self.mlp.losses(self.train_x.index_select(0, idx), self.train_y.index_select(0, idx))
        self.mlp.backward(total)
        self.pending = losses

    def update(self, b: int) -> None:
        self.mlp.update()
        self.losses[b] = self.pending

    def step(self, b: int) -> None:
        if b < self.full_batches and self.graph is not None:
            self.graph.replay()
        elif b < self.full_batches and self.static:
            self.mlp.zero_grad(set_to_none=True)
            self._static_body()
        else:
            self.forward_backward(b)
            self.update(b)

    def _static_body(self) -> None:
        idx = self.perm.index_select(0, self.counter * self.batch_size + self.offsets)
        total, losses = self.mlp.losses(self.train_x.index_select(0, idx), self.train_y.index_select(0, idx))
        self.mlp.backward(total)
        self.mlp.update()
        self.losses.index_copy_(0, self.counter.view(1), losses.view(1, -1))
        self.counter.add_(1)

    def members_changed(self, keep: list[int]) -> None:
        """The stack now holds members ``keep`` (old positions): shrink the buffers, recapture."""
        idx = torch.tensor(keep, dtype=torch.int64, device=self.losses.device)
        self.losses = self.losses.index_select(1, idx)
        self.pending = self.pending.index_select(0, idx)
        if self.graph is not None:
            self.graph, self._graph_grads = None, []
            counter = self.counter.clone()
            self.capture()
            self.counter.copy_(counter)

    # --- CUDA graph ---------------------------------------------------------------------------
    def capture(self, warmup: int = 3) -> bool:
        """Capture the full-batch step; on a failure restore the exact pre-capture state and stay
        eager (``self.note`` says why). Warm-up steps train, so weights, optimizer state and the
        step count are saved first and copied back in place (the graph holds those tensors)."""
        device = self.train_x.device
        if device.type != "cuda" or self.full_batches == 0:
            return False
        with torch.cuda.device(device):
            return self._capture(device, warmup)

    def _saved(self) -> dict:
        mlp = self.mlp
        return {
            "params": [p.detach().clone() for p in mlp.params],
            "state": {k: [s.clone() for s in v] for k, v in mlp.state.items()},
            "step_t": mlp.step_t.clone(),
            "steps": mlp.steps,
            "device_scalars": mlp.device_scalars,
        }

    @torch.no_grad()
    def _restore(self, saved: dict, keep_new_state: bool) -> None:
        mlp = self.mlp
        for p, s in zip(mlp.params, saved["params"]):
            p.copy_(s)
        for key in list(mlp.state):
            if key in saved["state"]:
                for now, then in zip(mlp.state[key], saved["state"][key]):
                    now.copy_(then)
            elif keep_new_state:  # created by the warm-up: zero is exactly what a first step starts from
                for now in mlp.state[key]:
                    now.zero_()
            else:
                del mlp.state[key]
        mlp.step_t.copy_(saved["step_t"])
        mlp.steps = saved["steps"]

    def _capture(self, device: torch.device, warmup: int) -> bool:
        mlp = self.mlp
        saved = self._saved()
        mlp.device_scalars = True
        graph = None
        try:
            self.counter.zero_()
            stream = torch.cuda.Stream(device=device)
            stream.wait_stream(torch.cuda.current_stream(device))
            with torch.cuda.stream(stream):
                for _ in range(warmup):
                    mlp.zero_grad(set_to_none=True)
                    self.counter.zero_()
                    self._static_body()
            torch.cuda.current_stream(device).wait_stream(stream)
            mlp.zero_grad(set_to_none=True)
            torch.cuda.synchronize(device)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.stream(stream):
                graph.capture_begin()
                try:
                    self._static_body()
                except BaseException:
                    try:
                        graph.capture_end()
                    except Exception:  # noqa: BLE001 - the body's error is the one to report
                        pass
                    raise
                graph.capture_end()
            torch.cuda.synchronize(device)
        except Exception as error:  # noqa: BLE001 - any capture failure falls back to eager
            oom = _is_oom(error)
            self.note = "" if oom else t("gpu.capture.failed", why=f"{type(error).__name__}: {error}")[:300]
            del graph
            self._restore(saved, keep_new_state=False)
            mlp.device_scalars = saved["device_scalars"]
            mlp.zero_grad(set_to_none=True)
            self.graph = None
            if oom:
                raise
            return False
        self._restore(saved, keep_new_state=True)
        self._graph_grads = [p.grad for p in mlp.params]
        self._keep = (
            self.train_x,
            self.train_y,
            self.perm,
            self.offsets,
            self.counter,
            self.losses,
            mlp.lr,
            mlp.lr64,
            mlp.step_t,
        )
        self.counter.zero_()
        self.graph = graph
        return True
