"""Predictions for the whole test set from a snapshot of a run's weights (the Insight page's
"which shirts look like coats?": the images of one confusion-matrix cell).

The engine's EpochEnd carries predictions for the 16 preview images only; this recomputes all of
them on the CPU, from the consistent copy of the weights the engine publishes between two steps
(``Control.snapshot_info``), in chunks, without touching the run's own model or RNG. Called on a
worker thread: 10,000 images through the tutorial's MLP take ~0.1 s here.
"""

from __future__ import annotations

import torch

from nnlab.run.config import TrainConfig
from nnlab.train.model import build_model


def predict_test_set(config: TrainConfig, state_dict: dict, test_x: torch.Tensor, chunk: int = 2048) -> list[int]:
    """The predicted class of every test image (uint8 [N, 28, 28], as ``FashionData.test_x``)."""
    with torch.random.fork_rng(devices=[]):  # building the model draws initial weights: not from the run's RNG
        model = build_model(config)
    model.load_state_dict({k: v.detach().to("cpu") for k, v in state_dict.items()})
    model.eval()
    x = torch.as_tensor(test_x)
    out: list[int] = []
    with torch.inference_mode():
        for start in range(0, int(x.shape[0]), chunk):
            batch = x[start : start + chunk].reshape(-1, x[0].numel()).float().div_(255)  # as the engine scales
            out.extend(model(batch).argmax(1).tolist())
    return out
