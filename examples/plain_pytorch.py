"""A small CNN on nnlab's shipped FashionMNIST sample, tracked with nnlab.track (seconds on a CPU).

python examples/plain_pytorch.py [--epochs 2] [--runs-dir runs]   # then: nnlab watch
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from torch import nn

import nnlab
import nnlab.track
from nnlab.train.data import load

CLASSES = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot"]
SAMPLE = Path(nnlab.__file__).parent / "assets" / "fashion-mnist-sample"


def model() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 8x14x14
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 16x7x7
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 10),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--runs-dir", default=None)
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    data = load(str(SAMPLE), allow_download=False)
    x = data.train_x.float().div(255).unsqueeze(1)
    tx, ty = data.test_x.float().div(255).unsqueeze(1), data.test_y
    net = model()
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    with nnlab.track.init(name="plain-pytorch-cnn", config=vars(args), runs_dir=args.runs_dir) as run:
        for epoch in range(1, args.epochs + 1):
            order = torch.randperm(len(x))
            for start in range(0, len(x), args.batch_size):
                run.wait_if_paused()  # a viewer's pause / single step
                if run.should_stop():  # a viewer's stop
                    break
                if run.save_requested():  # a viewer's save-now
                    torch.save(net.state_dict(), run.path / "checkpoint.pt")
                    run.saved(run.path / "checkpoint.pt")
                idx = order[start : start + args.batch_size]
                loss = loss_fn(net(x[idx]), data.train_y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                run.log(loss=loss, lr=args.lr)  # a tensor: no device sync per call
            with torch.no_grad():
                logits = net(tx)
                pred = logits.argmax(1)
                confusion = torch.zeros(10, 10, dtype=torch.int64)
                confusion.index_put_((ty, pred), torch.ones_like(ty), accumulate=True)
                run.epoch(epoch, test_loss=loss_fn(logits, ty), test_accuracy=(pred == ty).float().mean())
                run.confusion(confusion, labels=CLASSES)
                run.images(data.test_x[:16], key="test samples", captions=[CLASSES[p] for p in pred[:16]])
            if run.should_stop():
                break
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
