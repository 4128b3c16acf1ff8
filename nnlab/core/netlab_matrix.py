"""The same pass as vectors and matrices, and a mini-batch of N examples (plain floats).

For a single example, layer by layer from the output:
    δᴸ = ∂E/∂aᴸ ⊙ f′(zᴸ),    ∂E/∂Wˡ = δˡ·(aˡ⁻¹)ᵀ,    ∂E/∂bˡ = δˡ,    δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹ ⊙ f′(zˡ)
For a batch the gradient is the mean of the examples' gradients: what ``loss.backward()`` gives
when the loss is the batch mean. The numbers here are ``netlab.compute``'s, so every entry of
the matrices is one of the stepper's steps.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from nnlab.core.netlab import Lab, LabPass, Matrix, compute, draw

BATCH = 4  # examples in the mini-batch shown


def fmt(x: float) -> str:
    """A matrix entry: 4 significant digits, a real minus sign, small values in e-notation."""
    text = f"{x:.4g}"
    return ("0" if float(text) == 0 else text).replace("-", "−")


def vector(xs) -> str:
    return "[" + ", ".join(fmt(x) for x in xs) + "]"


def matrix(rows) -> str:
    return "[" + "; ".join(", ".join(fmt(x) for x in r) for r in rows) + "]"


def single_lines(lab: Lab, P: LabPass | None = None) -> list[tuple[str, str]]:
    """(equation, numbers) per line of the single-example pass, output layer first."""
    P = compute(lab) if P is None else P
    n = lab.net
    L = n.depth
    out = [(f"a{_sup(L)} = f(z{_sup(L)}), E", f"a{_sup(L)} = {vector(P.a[L])}   E = {fmt(P.E)}")]
    for layer in range(L, 0, -1):
        sup = _sup(layer)
        if layer == L:
            out.append(
                (
                    f"δ{sup} = ∂E/∂a{sup} ⊙ f′(z{sup})",
                    f"{vector(P.dE_da[L - 1])} ⊙ {vector(P.slope[L - 1])} = {vector(P.delta[L - 1])}",
                )
            )
        else:
            above = _sup(layer + 1)
            out.append(
                (
                    f"δ{sup} = (W{above})ᵀδ{above} ⊙ f′(z{sup})",
                    f"{vector(P.dE_da[layer - 1])} ⊙ {vector(P.slope[layer - 1])} = {vector(P.delta[layer - 1])}",
                )
            )
        out.append(
            (
                f"∂E/∂W{sup} = δ{sup}·(a{_sup(layer - 1)})ᵀ",
                f"{vector(P.delta[layer - 1])}·{vector(P.a[layer - 1])}ᵀ = {matrix(P.dW[layer - 1])}",
            )
        )
        out.append((f"∂E/∂b{sup}" + (" = Σδ" if n.bias == "layer" else " = δ") + sup, vector(P.db[layer - 1])))
    return out


def _sup(k: int) -> str:
    return "⁰¹²³⁴"[k]


def batch(lab: Lab, n: int = BATCH, seed: int = 0) -> list[Lab]:
    """``lab`` first, then n − 1 more examples: the same weights, inputs and targets drawn from ``seed``."""
    rng = random.Random(seed)
    out = [lab]
    for _ in range(n - 1):
        other = draw(lab.net, rng.randrange(2**32))
        out.append(replace(lab, inputs=other.inputs, targets=other.targets))
    return out


@dataclass(frozen=True)
class BatchGrad:
    E: float  # the batch mean of E
    dW: tuple[Matrix, ...]
    db: tuple[tuple[float, ...], ...]


def batch_mean(labs: list[Lab]) -> BatchGrad:
    """The mean over the examples of E and of every gradient (each example's by the chain rule)."""
    passes = [compute(lab) for lab in labs]
    k = len(labs)
    dW = tuple(
        tuple(
            tuple(sum(P.dW[l][j][i] for P in passes) / k for i in range(len(passes[0].dW[l][j])))
            for j in range(len(passes[0].dW[l]))
        )
        for l in range(len(passes[0].dW))
    )
    db = tuple(
        tuple(sum(P.db[l][j] for P in passes) / k for j in range(len(passes[0].db[l])))
        for l in range(len(passes[0].db))
    )
    return BatchGrad(sum(P.E for P in passes) / k, dW, db)


_TORCH_LOSS = {
    "sse": "loss = (0.5 * ((T - a) ** 2).sum(1)).mean()",
    "mse": "loss = F.mse_loss(a, T, reduction='none').mean(1).mean()",
    "ce": "loss = -(T * F.log_softmax(a, 1)).sum(1).mean()",
    "bce": "loss = F.binary_cross_entropy_with_logits(a, T, reduction='none').sum(1).mean()",
}
_TORCH_ACT = {
    "sigmoid": "torch.sigmoid({z})",
    "tanh": "torch.tanh({z})",
    "relu": "torch.relu({z})",
    "leaky_relu": "F.leaky_relu({z}, 0.01)",
    "identity": "{z}",
}


def torch_lines(lab: Lab, n: int = BATCH) -> list[str]:
    """The equivalent torch code for the batch (what ``nnlab.train.autograd_check.batch_autograd`` runs)."""
    net = lab.net
    lines = [
        f"X = torch.tensor(inputs)            # ({n}, {net.widths[0]}), one example per row",
        f"T = torch.tensor(targets)           # ({n}, {net.widths[-1]})",
    ]
    for l in range(1, net.depth + 1):
        shape_b = "1" if net.bias == "layer" else str(net.widths[l])
        lines.append(f"W{l} = torch.tensor(W{l}, requires_grad=True)   # ({net.widths[l]}, {net.widths[l - 1]})")
        lines.append(f"b{l} = torch.tensor(b{l}, requires_grad=True)   # ({shape_b},)")
    a = "X"
    for l in range(1, net.depth + 1):
        lines.append(f"a = {_TORCH_ACT[net.acts[l - 1]].format(z=f'{a} @ W{l}.T + b{l}')}")
        a = "a"
    lines += [
        _TORCH_LOSS[net.loss] + "   # the batch mean",
        "loss.backward()",
        "W1.grad, b1.grad, …                 # = the mean of the examples' ∂E/∂W",
    ]
    return lines
