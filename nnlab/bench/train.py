"""`nnlab bench train`: the PyTorch quickstart's own loop and nnlab's engine, side by side.

Both train the same model from the same initial weights (same seed), with the same loss,
optimizer, learning rate and batch size, on the same device, in one process, one after the
other. The tutorial's loop is its code as published (torchvision ``FashionMNIST`` with
``ToTensor``, ``DataLoader(batch_size=64)``, ``train()``/``test()``), minus the printing.
"""

from __future__ import annotations

import json
import sys
import time

import torch
from torch import nn

from nnlab.i18n import t
from nnlab.run.config import PRESETS
from nnlab.run.errors import DeviceError
from nnlab.train import data as data_mod
from nnlab.train import engine
from nnlab.train.device import resolve_device
from nnlab.train.model import NeuralNetwork


def _progress(name: str, epoch: int, seconds: float, accuracy: float) -> None:
    print(
        t("bench.train.progress", name=name, epoch=epoch, s=f"{seconds:.2f}", accuracy=f"{100 * accuracy:.1f}"),
        file=sys.stderr,
        flush=True,
    )


def tutorial_loop(
    root: str, device: torch.device, epochs: int, seed: int, batch_size: int = 64, lr: float = 1e-3
) -> dict:
    """The quickstart, verbatim apart from printing: returns seconds per epoch and accuracies."""
    from torch.utils.data import DataLoader
    from torchvision import datasets
    from torchvision.transforms import ToTensor

    training_data = datasets.FashionMNIST(root=root, train=True, download=False, transform=ToTensor())
    test_data = datasets.FashionMNIST(root=root, train=False, download=False, transform=ToTensor())
    train_dataloader = DataLoader(training_data, batch_size=batch_size)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)
    torch.manual_seed(seed)  # the engine initialises from the same seed: identical starting weights
    model = NeuralNetwork().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

    def train(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            X, y = X.to(device), y.to(device)
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            if batch % 100 == 0:
                # the tutorial prints f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]": the same
                # host sync and arithmetic happen here, only the print is left out
                loss, current = loss.item(), (batch + 1) * len(X)
                _ = (loss, current, size)

    def test(dataloader, model, loss_fn):
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                X, y = X.to(device), y.to(device)
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        test_loss /= num_batches
        correct /= size
        return correct, test_loss

    seconds, accuracies = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        train(train_dataloader, model, loss_fn, optimizer)
        accuracy, _ = test(test_dataloader, model, loss_fn)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds.append(time.perf_counter() - start)
        accuracies.append(accuracy)
        _progress("tutorial", len(seconds), seconds[-1], accuracy)
    return {"seconds": seconds, "accuracies": accuracies, "threads": torch.get_num_threads()}


def engine_loop(data, device_name: str, epochs: int, seed: int) -> dict:
    config = PRESETS["tutorial"].with_(epochs=epochs, device=device_name, seed=seed)
    epochs_seen, started = [], []

    def emit(event) -> None:
        if event.KIND == "epoch":
            epochs_seen.append(event)
            _progress("nnlab", event.epoch, event.seconds, event.test_accuracy)
        elif event.KIND == "started":
            started.append(event)
        elif event.KIND == "failed":
            raise RuntimeError(event.message)

    engine.run(config, data, emit, progress_every=100)
    return {
        "seconds": [e.seconds for e in epochs_seen],
        "accuracies": [e.test_accuracy for e in epochs_seen],
        "threads": started[0].threads,
        "step_mode": started[0].step_mode,
        "device": started[0].device,
    }


def run_bench(args) -> int:
    epochs = args.epochs if args.epochs is not None else 2
    if epochs < 1:
        print(t("cli.error", message=t("bench.train.bad_epochs")), file=sys.stderr)
        return 2
    try:
        device = resolve_device(args.device)
        data = data_mod.load(getattr(args, "data_dir", None))
    except (DeviceError, data_mod.DataError) as error:
        print(t("cli.error", message=str(error)), file=sys.stderr)
        return 2 if isinstance(error, DeviceError) else 1
    if data.is_sample:
        print(t("train.data.sample_notice", train=f"{data.train_size:,}", test=f"{data.test_size:,}"), file=sys.stderr)
    seed = 0
    default_threads = torch.get_num_threads()
    tutorial = tutorial_loop(data.root, device, epochs, seed)
    torch.set_num_threads(default_threads)
    ours = engine_loop(data, str(device), epochs, seed)
    tut_s = sum(tutorial["seconds"]) / epochs
    our_s = sum(ours["seconds"]) / epochs
    result = {
        "device": ours["device"],
        "epochs": epochs,
        "data": data.source,
        "tutorial_s_per_epoch": round(tut_s, 4),
        "nnlab_s_per_epoch": round(our_s, 4),
        "ratio": round(tut_s / our_s, 2),
        "tutorial_accuracy": tutorial["accuracies"][-1],
        "nnlab_accuracy": ours["accuracies"][-1],
        "tutorial_seconds": [round(s, 4) for s in tutorial["seconds"]],
        "nnlab_seconds": [round(s, 4) for s in ours["seconds"]],
        "tutorial_threads": tutorial["threads"],
        "nnlab_threads": ours["threads"],
        "nnlab_step": ours["step_mode"],
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(t("bench.train.header", device=result["device"], epochs=epochs, data=data.source))
    print(
        t(
            "bench.train.row",
            name="tutorial (DataLoader + ToTensor)",
            s=f"{tut_s:.3f}",
            accuracy=f"{100 * result['tutorial_accuracy']:.1f}",
            threads=tutorial["threads"],
            mode="eager",
        )
    )
    print(
        t(
            "bench.train.row",
            name="nnlab engine",
            s=f"{our_s:.3f}",
            accuracy=f"{100 * result['nnlab_accuracy']:.1f}",
            threads=ours["threads"],
            mode=ours["step_mode"],
        )
    )
    print(t("bench.train.ratio", ratio=f"{result['ratio']:.2f}"))
    return 0
