"""Branches: a new run that starts from another run's checkpoint with changed settings.

``create_branch("RUN@3", {"lr": 0.01})`` reads RUN's ``epoch-003.pt`` (``RUN`` alone: its latest
``checkpoint.pt``, which ``nnlab ctl save`` also writes for a paused run, exact to the batch; a
path to a ``.pt`` file works too), and makes a new run directory (``parent`` = RUN's id) whose
``checkpoint.pt`` holds the parent's weights, history and data order at the branch point with the
new config. Training it is then a plain resume of that directory (``nnlab train --headless
--resume BRANCH``), so nothing else needs to know about branches.

What may change: lr, optimizer, batch size, epochs, the schedule and early stopping, seed. The
optimizer's state (momentum buffer, Adam moments and step) is kept when the optimizer is the
same, and starts fresh when it changes (``Branch.optimizer_kept`` says which). The architecture
(hidden widths, activation) cannot change: refused naming the keys, as a resume is. A batch
size cannot change mid-epoch (the batch index would mean other samples): branch from an epoch
end then. run.json gets a ``branch`` object::

    "branch": {"from": PARENT_ID | null, "checkpoint": PATH, "epoch": E, "batch": B,
               "changes": {setting: new value}, "optimizer": "kept" | "fresh"}

``epoch`` is the epochs completed at the branch point and ``batch`` the batches of the next one
already trained (0 at an epoch end): the branch's first event is Started with start_epoch E.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import torch

from nnlab.fs import atomic
from nnlab.i18n import t
from nnlab.run.config import TrainConfig
from nnlab.run.errors import CheckpointError, ConfigError
from nnlab.run.events import finite
from nnlab.run.rundir import RunDir, resolve
from nnlab.run.rundir_common import RunDirError
from nnlab.train import checkpoint as ckpt
from nnlab.train.model import build_model, make_optimizer

ARCHITECTURE = ("hidden", "activation")
REF = re.compile(r"(?P<run>.+?)(?:@(?P<epoch>[0-9]{1,5}))?")


@dataclass(frozen=True)
class Branch:
    rd: RunDir  # the new run
    parent: str | None  # the parent's run id (None: a checkpoint file outside any run)
    epoch: int  # epochs completed at the branch point
    batch: int  # batches of the next epoch trained at the branch point
    config: TrainConfig  # the branch's config
    optimizer_kept: bool


class _Saved:
    """An optimizer as ``checkpoint.save`` sees it: the parent's state dict, unchanged."""

    def __init__(self, state: dict):
        self.state = state

    def state_dict(self) -> dict:
        return self.state


def source(ref: str, root=None) -> tuple[Path, str | None]:
    """(checkpoint file, parent run id) of ``RUN``, ``RUN@EPOCH`` or a checkpoint path."""
    path = Path(os.path.expanduser(ref))
    if path.is_file():
        try:
            return path, RunDir.open(path.parent).id
        except RunDirError:
            return path, None
    match = REF.fullmatch(ref)
    if not match:
        raise ConfigError(t("branch.bad_ref", ref=ref))
    try:
        rd = resolve(match["run"], root)
    except RunDirError as error:
        raise ConfigError(f"--branch {ref}: {error}") from None
    if match["epoch"] is not None:
        file = rd.epoch_checkpoint(int(match["epoch"]))
        if not file.is_file():
            raise ConfigError(t("branch.no_epoch_checkpoint", ref=ref, run=rd.id, epoch=int(match["epoch"]), path=file))
        return file, rd.id
    if not rd.checkpoint_path.is_file():
        raise ConfigError(t("branch.no_checkpoint", ref=ref, run=rd.id, path=rd.checkpoint_path))
    return rd.checkpoint_path, rd.id


def create_branch(ref: str, overrides: dict, root=None, name: str = "") -> Branch:
    """The branch's run directory with its starting checkpoint; ConfigError / CheckpointError (one
    line) before anything is written when the source or the changes are refused."""
    path, parent = source(ref, root)
    data = ckpt.load(path)
    saved: TrainConfig = data["config_obj"]
    changed = sorted(k for k in ARCHITECTURE if k in overrides and overrides[k] != getattr(saved, k))
    if changed:
        arch = f"hidden={'x'.join(map(str, saved.hidden))} {saved.activation}"
        raise CheckpointError(t("branch.architecture", keys=", ".join(changed), saved=arch))
    config = saved.with_(**overrides).validate()
    epoch, extra = int(data["epoch"]), dict(data.get("extra") or {})
    batch = int(extra.get("batch", 0))
    if batch and config.batch_size != saved.batch_size:
        raise ConfigError(t("branch.batch_mid_epoch", batch=batch, epoch=epoch + 1))
    if config.epochs <= epoch:
        raise ConfigError(t("branch.epochs", epochs=config.epochs, epoch=epoch))
    with torch.device("meta"):
        model = build_model(config)
    model.load_state_dict(data["model"], assign=True)
    kept = config.optimizer == saved.optimizer
    optimizer = _Saved(data["optimizer"]) if kept else make_optimizer(config, model.parameters(), torch.device("cpu"))
    changes = {k: _plain(v) for k, v in config.to_dict().items() if v != saved.to_dict().get(k)}
    try:
        rd = RunDir.create(
            root, config, kind="nnlab", name=name or f"branch of {parent or path.name} @{epoch}", parent=parent
        )
    except RunDirError as error:
        raise ConfigError(str(error)) from None
    ckpt.save(
        rd.checkpoint_path, model, optimizer, epoch=epoch, config=config, history=list(data["history"]), extra=extra
    )
    info = {
        **rd.info,
        "branch": {
            "from": parent,
            "checkpoint": str(path),
            "epoch": epoch,
            "batch": batch,
            "changes": changes,
            "optimizer": "kept" if kept else "fresh",
        },
    }
    atomic.write_text(
        rd.run_json, json.dumps(finite(info), ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"
    )
    return Branch(RunDir(rd.path, info), parent, epoch, batch, config, kept)


def _plain(value):
    return list(value) if isinstance(value, tuple) else value
