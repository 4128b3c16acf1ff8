"""One SGD step on device-resident data: eager, or the whole step captured in a CUDA graph.

The graph body reads the batch position from a device counter, gathers the batch through the
epoch's permutation, runs forward, backward and ``optimizer.step()``, writes the loss into a
per-batch device buffer and advances the counter: one ``graph.replay()`` per batch and no
host synchronisation. The last partial batch (a different shape) always runs eagerly. The same
body also runs eagerly (``static=True``) so it can be tested where there is no GPU.

A float lr is a constant baked into the captured kernels; a scheduled run on CUDA gets a 0-dim
device tensor instead (``model.make_optimizer``), which the captured step reads at each replay
and ``set_lr`` fills in place.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from nnlab.i18n import t


def _is_oom(error: BaseException) -> bool:
    """torch's CUDA out-of-memory, also when it arrives as a plain RuntimeError (capture_end)."""
    oom = getattr(torch.cuda, "OutOfMemoryError", ())
    return (bool(oom) and isinstance(error, oom)) or (
        isinstance(error, RuntimeError) and "out of memory" in str(error).lower()
    )


class Stepper:
    def __init__(
        self, model, optimizer, train_x: torch.Tensor, train_y: torch.Tensor, batch_size: int, static: bool = False
    ):
        self.model, self.optimizer = model, optimizer
        self.train_x, self.train_y = train_x, train_y  # [N, 784] float, [N] int64, on the device
        self.n, self.batch_size = int(train_y.shape[0]), batch_size
        self.full_batches = self.n // batch_size
        self.batches = -(-self.n // batch_size)
        device = train_x.device
        self.perm = torch.arange(self.n, device=device)  # this epoch's order
        self.losses = torch.zeros(self.batches, device=device)  # loss of each batch
        self.counter = torch.zeros((), dtype=torch.int64, device=device)  # next full batch (static body)
        self.offsets = torch.arange(batch_size, device=device)
        self.static = static
        self.graph = None
        self.note = ""
        self._graph_grads: list = []

    @property
    def mode(self) -> str:
        return "cuda-graph" if self.graph is not None else "eager"

    def set_lr(self, lr: float) -> None:
        """The lr of the next steps. A group whose lr is a device tensor (a scheduled run on CUDA,
        see ``model.make_optimizer``) has it filled in place: the captured step reads that very
        tensor, so a replay trains with the new value; a float lr is simply replaced."""
        for group in self.optimizer.param_groups:
            if torch.is_tensor(group["lr"]):
                group["lr"].fill_(lr)
            else:
                group["lr"] = lr

    def begin_epoch(self, perm: torch.Tensor, first_batch: int = 0) -> None:
        self.perm.copy_(perm)
        self.counter.fill_(first_batch)

    def step(self, b: int) -> None:
        """Train on batch ``b`` (0-based) of this epoch; its loss lands in ``self.losses[b]``."""
        if b < self.full_batches and self.graph is not None:
            self.graph.replay()
        elif b < self.full_batches and self.static:
            self.optimizer.zero_grad(set_to_none=True)
            self._static_body()
        else:
            self._eager(b)

    def _eager(self, b: int) -> None:
        idx = self.perm[b * self.batch_size : (b + 1) * self.batch_size]
        # With a graph, p.grad is the graph's own gradient buffer: zero it in place and let
        # backward accumulate into it (0 + g), so the eager last partial batch allocates no
        # gradients of its own and leaves none behind to go stale beside the graph's (a replay
        # overwrites the buffer, so zeroing it here is harmless). Without a graph: the usual.
        if self.graph is not None:
            for p, g in zip(self.model.parameters(), self._graph_grads):
                p.grad = g
        self.optimizer.zero_grad(set_to_none=self.graph is None)
        loss = F.cross_entropy(self.model(self.train_x.index_select(0, idx)), self.train_y.index_select(0, idx))
        loss.backward()
        self.optimizer.step()
        self.losses[b] = loss.detach()

    def _static_body(self) -> None:
        """The step as captured: every index is computed on the device from ``self.counter``."""
        idx = self.perm.index_select(0, self.counter * self.batch_size + self.offsets)
        loss = F.cross_entropy(self.model(self.train_x.index_select(0, idx)), self.train_y.index_select(0, idx))
        loss.backward()
        self.optimizer.step()
        self.losses.index_copy_(0, self.counter.view(1), loss.detach().view(1))
        self.counter.add_(1)

    # --- CUDA graph ---------------------------------------------------------------------
    def capture(self, warmup: int = 3) -> bool:
        """Capture the full-batch step in a CUDA graph; on a failure restore the exact
        pre-capture state and stay eager (``self.note`` says why). Warm-up steps train, so the
        weights and optimizer state are saved first and copied back in place afterwards (the
        graph holds those very tensors).

        Everything runs with the run's GPU as CUDA's current device (``cuda:N`` creates no
        context on GPU 0). The thread is back on its own stream whatever fails, ``capture_end``
        included. An out-of-memory error is re-raised after the restore, so the run reports it
        as out of memory with its hint rather than as a capture failure."""
        device = self.train_x.device
        if device.type != "cuda" or self.full_batches == 0:
            return False
        with torch.cuda.device(device):
            return self._capture(device, warmup)

    def _capture(self, device: torch.device, warmup: int) -> bool:
        params = [p for p in self.model.parameters()]
        saved_params = [p.detach().clone() for p in params]
        saved_state = {
            p: {k: (v.clone() if torch.is_tensor(v) else v) for k, v in self.optimizer.state[p].items()}
            for p in params
            if p in self.optimizer.state
        }
        graph = None
        try:
            self.counter.zero_()
            stream = torch.cuda.Stream(device=device)
            stream.wait_stream(torch.cuda.current_stream(device))
            with torch.cuda.stream(stream):
                for _ in range(warmup):
                    self.optimizer.zero_grad(set_to_none=True)
                    self.counter.zero_()
                    self._static_body()
            torch.cuda.current_stream(device).wait_stream(stream)
            self.optimizer.zero_grad(set_to_none=True)
            torch.cuda.synchronize(device)
            torch.cuda.empty_cache()
            graph = torch.cuda.CUDAGraph()
            # Capture on the warm-up stream: cuBLAS handles and workspaces are per stream, so
            # they already exist and nothing is created mid-capture. Not ``torch.cuda.graph``:
            # when its ``capture_end`` raises, the thread is left on the side stream.
            with torch.cuda.stream(stream):
                graph.capture_begin()
                try:
                    self._static_body()
                except BaseException:
                    try:
                        graph.capture_end()  # end the (now invalid) capture before leaving the stream
                    except Exception:  # noqa: BLE001, S110 - the body's error is the one to report
                        pass
                    raise
                graph.capture_end()
            torch.cuda.synchronize(device)
        except Exception as error:  # noqa: BLE001 - any capture failure falls back to eager
            oom = _is_oom(error)
            self.note = "" if oom else t("gpu.capture.failed", why=f"{type(error).__name__}: {error}")[:300]
            del graph
            self._restore(params, saved_params, saved_state, keep_new_state=False)
            self.optimizer.zero_grad(set_to_none=True)
            self.graph = None
            if oom:
                raise
            return False
        self._restore(params, saved_params, saved_state, keep_new_state=True)
        # The graph writes these gradients; keep them alive for its whole life (an eager step
        # zeroes and refills them in place, see _eager).
        self._graph_grads = [p.grad for p in params]
        self._keep = (self.train_x, self.train_y, self.perm, self.offsets, self.counter, self.losses)
        self.counter.zero_()
        self.losses.zero_()
        self.graph = graph
        return True

    @torch.no_grad()
    def _restore(self, params, saved_params, saved_state, keep_new_state: bool) -> None:
        for p, saved in zip(params, saved_params):
            p.copy_(saved)
        for p in params:
            state = self.optimizer.state.get(p)
            if not state:
                continue
            if p in saved_state:
                for key, value in saved_state[p].items():
                    if torch.is_tensor(value) and torch.is_tensor(state.get(key)):
                        state[key].copy_(value)
                    else:
                        state[key] = value
            elif keep_new_state:
                # State created by the warm-up (momentum buffer, Adam moments, step): the graph
                # uses these tensors, so zero them in place. Zero is exactly what a first step
                # starts from (SGD momentum: buf = 0·m + g = g; Adam: moments 0, step 0).
                for value in state.values():
                    if torch.is_tensor(value):
                        value.zero_()
            else:
                self.optimizer.state.pop(p, None)
