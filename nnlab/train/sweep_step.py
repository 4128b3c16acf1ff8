"""K models of one architecture in one batched step: stacked weights, per-member lr and optimizer.

Member k's weights are slice ``[k]`` of each stacked tensor (``W: [K, out, in]``, ``b: [K, out]``),
built with ``torch.func.stack_module_state`` from the very modules an independent run starts
from (``fresh_model(config)``). Members of one group see the same batch (same seed → same data
order), so the step gathers the batch once and every layer is one batched matmul.

Two forwards, compared by ``nnlab bench sweep --impl both`` (bmm was faster on the 2-core CPU):

* ``"bmm"``: ``torch.baddbmm`` per layer through ``BatchedLinear``, whose backward makes exactly
  the products ``F.linear``'s autograd makes (``grad_W = g^T @ x``, not ``(x^T @ g)^T``: for a
  10-wide layer those round differently on the CPU). On the CPU each slice is the same MKL gemm
  an independent run calls, so weights, gradients and losses are bit-identical to it (torch
  2.14.1 with MKL; tests/train/test_sweep.py checks it, so a torch that rounds otherwise shows).
* ``"vmap"``: PyTorch's model-ensembling recipe (``functional_call`` under ``vmap``). Same math;
  vmap turns each linear into one wider matmul, which rounds differently (~1e-9 per step) and
  the difference grows: after one epoch of the 6,000-image sample the tutorial's model with Adam
  was 9e-3 off its independent run (bmm: 0). It was also slower here; kept for comparison.

The optimizer update reproduces ``torch.optim`` on the CPU bit for bit with a per-member lr
*tensor* (so a CUDA graph can read it and a schedule can change it): SGD's
``p.add_(g, alpha=-lr)`` is one fused multiply-add, and so is ``torch.addcmul(p, g, -lr)``;
Adam's ``p.addcdiv_(m, d, value=-s)`` equals ``p.addcdiv_(m * -s, d)``. Members are ordered by
optimizer so each kind is one contiguous slice of the stack, updated in place.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.func import functional_call, stack_module_state, vmap

from nnlab.run.config import TrainConfig
from nnlab.train.model import ACTIVATION_MODULES, build_model, fresh_model

KINDS = ("sgd", "momentum", "adam")
MOMENTUM = 0.9
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # torch.optim.Adam's defaults, as make_optimizer uses them
ACTIVATION_FUNCTIONS = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "gelu": F.gelu,
    "leaky_relu": F.leaky_relu,
}
assert set(ACTIVATION_FUNCTIONS) == set(ACTIVATION_MODULES)


class BatchedLinear(torch.autograd.Function):
    """``y[k] = x[k] @ W[k]^T + b[k]`` for every member k; x: [K, B, in] (may be an expanded view).

    ``per_member``: each member's products as its own ``mm`` call into a slice of the batched
    result. On the CPU with more than one thread MKL splits one ``mm`` between the threads
    differently from a slice of ``bmm`` (seen: the 10-wide layer's weight gradient, last bits),
    so only the per-member calls stay bit-identical to independent runs there."""

    @staticmethod
    def forward(ctx, x, weight, bias, per_member: bool = False):
        ctx.save_for_backward(x, weight)
        ctx.per_member = per_member
        if not per_member:
            return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))  # [K, B, out]
        out = x.new_empty(x.shape[0], x.shape[1], weight.shape[1])
        for k in range(x.shape[0]):
            torch.addmm(bias[k], x[k], weight[k].t(), out=out[k])
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x = ctx.needs_input_grad[0]
        if ctx.per_member:
            grad_x = x.new_empty(x.shape) if need_x else None
            grad_w = weight.new_empty(weight.shape)
            for k in range(x.shape[0]):
                if need_x:
                    torch.mm(grad[k], weight[k], out=grad_x[k])
                torch.mm(grad[k].t(), x[k], out=grad_w[k])
        else:
            grad_x = torch.bmm(grad, weight) if need_x else None  # as g.mm(W)
            grad_w = torch.bmm(grad.transpose(1, 2), x)  # as g.t().mm(x), not (x^T g)^T
        grad_b = grad.sum(1)  # as g.sum(0)
        return grad_x, grad_w, grad_b, None


class BatchedMLP:
    """The stacked weights of K members and the batched forward/loss/update. Torch tensors only:
    the loop that drives it (``sweep.py``) owns data, events and control."""

    def __init__(self, configs: list[TrainConfig], device: torch.device, impl: str = "bmm"):
        first = configs[0]
        if any((c.hidden, c.activation) != (first.hidden, first.activation) for c in configs):
            raise ValueError("a batched group needs one architecture")
        if impl not in ("bmm", "vmap"):
            raise ValueError(f"impl must be bmm or vmap, not {impl!r}")
        self.configs, self.device, self.impl = list(configs), device, impl
        self.activation = ACTIVATION_FUNCTIONS[first.activation]
        models = [fresh_model(c) for c in configs]  # the weights each independent run starts from
        stacked, _ = stack_module_state(models)
        self.names = list(stacked)  # linear_relu_stack.0.weight, ...bias, ...
        self.params = [stacked[n].detach().to(device).requires_grad_() for n in self.names]
        self._meta = build_model(first).to("meta")  # the module vmap calls with each member's weights
        # [K] learning rates on the device, read by graphs: float32 as SGD's kernels see them, and
        # float64 for Adam's step size lr / (1 - beta1^t), which torch computes in double precision.
        self.lr = torch.tensor([c.lr for c in configs], dtype=torch.float32, device=device)
        self.lr64 = torch.tensor([c.lr for c in configs], dtype=torch.float64, device=device)
        self.kinds = {kind: self._span(kind) for kind in KINDS}
        self.state: dict[str, list[torch.Tensor]] = {}  # "buf" (momentum), "m", "v" (adam): [n_kind, ...]
        self.steps = 0  # optimizer steps taken (Adam's t), host copy
        self.step_t = torch.zeros((), dtype=torch.float64, device=device)  # the same on the device
        self.device_scalars = False  # True inside a CUDA graph (Adam's t on the device)
        # one mm per member on a multi-threaded CPU (see BatchedLinear); set again if threads change
        self.per_member = device.type == "cpu" and torch.get_num_threads() > 1

    def _span(self, kind: str) -> slice | None:
        idx = [i for i, c in enumerate(self.configs) if c.optimizer == kind]
        if not idx:
            return None
        if idx != list(range(idx[0], idx[-1] + 1)):
            raise ValueError("members must be ordered by optimizer (sgd, momentum, adam)")
        return slice(idx[0], idx[-1] + 1)

    @property
    def k(self) -> int:
        return len(self.configs)

    # --- forward and loss ------------------------------------------------------------------
    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 784], the same batch for every member → [K, B, 10]."""
        if self.impl == "vmap":
            weights = dict(zip(self.names, self.params))
            return vmap(lambda p, xx: functional_call(self._meta, p, (xx,)), in_dims=(0, None))(weights, x)
        h = x.unsqueeze(0).expand(self.k, *x.shape)
        layers = len(self.params) // 2
        for i in range(layers):
            h = BatchedLinear.apply(h, self.params[2 * i], self.params[2 * i + 1], self.per_member)
            if i < layers - 1:
                h = self.activation(h)
        return h

    def losses(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(the sum of the members' mean cross-entropies, to differentiate; each member's own, [K],
        detached). ``F.cross_entropy`` is ``nll_loss(log_softmax(z))``: log_softmax works row by
        row, so one call on all K·B rows gives each member's rows as its own call would. The
        gradient flows through ``reduction="none"`` and a mean per member (the same -1/B per
        target as nll_loss's mean); the reported losses are nll_loss's own means, one call per
        member, because a mean over a [K, B] view sums in another order (a last-bit difference)."""
        logits = self.logits(x)
        k, b, c = logits.shape
        logp = F.log_softmax(logits.reshape(k * b, c), dim=1)
        per_row = F.nll_loss(logp, y.repeat(k), reduction="none").view(k, b)
        with torch.no_grad():
            rows = logp.detach().view(k, b, c)
            reported = torch.stack([F.nll_loss(rows[i], y) for i in range(k)])
        return per_row.mean(1).sum(), reported

    def backward(self, total: torch.Tensor) -> None:
        # d(sum of losses)/dW[k] = d loss_k / dW[k]: the members share no weights.
        total.backward()

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    # --- the optimizers, per member --------------------------------------------------------
    def _lr(self, span: slice, ndim: int) -> torch.Tensor:
        return self.lr[span].view(-1, *([1] * (ndim - 1)))

    @torch.no_grad()
    def update(self) -> None:
        """One optimizer step for every member (``torch.optim``'s single-tensor CPU code, batched).
        Each kind updates its slice of the stack in place; its state holds only its own members."""
        self.steps += 1
        self.step_t.add_(1)
        grads = [p.grad for p in self.params]
        if (span := self.kinds["sgd"]) is not None:
            for p, g in zip(self.params, grads):
                p[span].addcmul_(g[span], self._lr(span, p.dim()), value=-1)  # p - lr·g, one FMA
        if (span := self.kinds["momentum"]) is not None:
            first = "buf" not in self.state
            if first:  # torch: the first buffer is a clone of the gradient
                self.state["buf"] = [g[span].clone() for g in grads]
            for p, g, buf in zip(self.params, grads, self.state["buf"]):
                if not first:
                    buf.mul_(MOMENTUM).add_(g[span])
                p[span].addcmul_(buf, self._lr(span, p.dim()), value=-1)
        if (span := self.kinds["adam"]) is not None:
            self._adam(span, grads)

    def _adam(self, span: slice, grads) -> None:
        if "m" not in self.state:
            self.state["m"] = [torch.zeros_like(g[span]) for g in grads]
            self.state["v"] = [torch.zeros_like(g[span]) for g in grads]
        if self.device_scalars:  # the step count lives on the device: a graph replays it
            bc1 = 1 - BETA1**self.step_t
            bc2_sqrt = (1 - BETA2**self.step_t).sqrt()
            neg_step = (-(self.lr64[span] / bc1)).float()
        else:  # as torch: Python floats in double precision, then float32
            step = float(self.steps)
            bc1 = 1 - BETA1**step
            bc2_sqrt = (1 - BETA2**step) ** 0.5
            neg_step = torch.tensor(
                [-(self.configs[i].lr / bc1) for i in range(span.start, span.stop)],
                dtype=torch.float32,
                device=self.device,
            )
        for p, g, m, v in zip(self.params, grads, self.state["m"], self.state["v"]):
            gs = g[span]
            m.lerp_(gs, 1 - BETA1)
            v.mul_(BETA2).addcmul_(gs, gs, value=1 - BETA2)
            denom = (v.sqrt() / bc2_sqrt).add_(EPS)
            # p.addcdiv_(m, denom, value=-s) with a per-member s: (m·-s)/denom rounds the same
            p[span].addcdiv_(m * neg_step.view(-1, *([1] * (p.dim() - 1))), denom)

    def set_lr(self, member: int, lr: float) -> None:
        """Change member ``member``'s learning rate (a schedule; a graph reads the new value)."""
        self.configs[member] = self.configs[member].with_(lr=lr)
        self.lr[member] = lr
        self.lr64[member] = lr

    # --- members ---------------------------------------------------------------------------
    def keep(self, members: list[int]) -> None:
        """Drop every member not in ``members`` (indices into the current stack, ascending)."""
        old_kinds = self.kinds
        idx = torch.tensor(members, dtype=torch.int64, device=self.device)
        with torch.no_grad():
            params = []
            for p in self.params:
                kept = p.detach().index_select(0, idx).requires_grad_()
                kept.grad = None if p.grad is None else p.grad.index_select(0, idx)
                params.append(kept)
            self.params = params
            self.lr, self.lr64 = self.lr.index_select(0, idx), self.lr64.index_select(0, idx)
            for key, kind in (("buf", "momentum"), ("m", "adam"), ("v", "adam")):
                span = old_kinds[kind]
                if key in self.state and span is not None:
                    local = torch.tensor(
                        [i - span.start for i in members if span.start <= i < span.stop],
                        dtype=torch.int64,
                        device=self.device,
                    )
                    self.state[key] = [s.index_select(0, local) for s in self.state[key]]
        self.configs = [self.configs[i] for i in members]
        self.kinds = {kind: self._span(kind) for kind in KINDS}

    def member_state(self, member: int) -> dict[str, torch.Tensor]:
        """Member ``member``'s weights as a ``state_dict`` of the tutorial's module (a CPU copy)."""
        return {n: p[member].detach().to("cpu", copy=True) for n, p in zip(self.names, self.params)}

    def member_module(self, member: int) -> torch.nn.Module:
        """A module whose weights *are* slice ``member`` of the stack (views: no copy), for evaluation."""
        with torch.device("meta"):  # no initialisation: the global RNG is left alone
            module = build_model(self.configs[member])
        for name, p in zip(self.names, self.params):
            owner, attr = module.get_submodule(name.rsplit(".", 1)[0]), name.rsplit(".", 1)[1]
            setattr(owner, attr, torch.nn.Parameter(p[member].detach(), requires_grad=False))
        return module

    def finite(self, member: int) -> bool:
        return all(bool(torch.isfinite(p[member]).all()) for p in self.params)


def order_members(configs: list[TrainConfig]) -> list[int]:
    """Member indices ordered so each optimizer kind is one contiguous run (stable within a kind)."""
    return sorted(range(len(configs)), key=lambda i: KINDS.index(configs[i].optimizer))
