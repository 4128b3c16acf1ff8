"""A tiny Lightning fit written as an nnlab run; pause and stop it from `nnlab watch` (needs lightning).

pip install 'nnlab[lightning]'; python examples/lightning_fit.py [--epochs 2] [--runs-dir runs]
"""

from __future__ import annotations

import argparse

import lightning as L
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from nnlab.integrations.lightning import NnlabLogger


class Tiny(L.LightningModule):
    def __init__(self, lr: float = 0.05):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train/loss", loss, on_step=True, on_epoch=True)
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--runs-dir", default=None)
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    x = torch.randn(512, 8)
    y = (x[:, 0] + x[:, 1] > 0).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    logger = NnlabLogger(name="lightning-tiny", runs_dir=args.runs_dir)
    trainer = L.Trainer(
        max_epochs=args.epochs,
        logger=logger,
        callbacks=[logger.steering()],
        accelerator="cpu",
        devices=1,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
    )
    trainer.fit(Tiny(), loader)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
