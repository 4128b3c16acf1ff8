"""Checkpoints: saved atomically, loaded only with ``torch.load(weights_only=True)``.

A checkpoint is a dict of tensors and plain values: model and optimizer ``state_dict``, the
number of completed epochs (and batches into the next one, for a stop mid-epoch), the config,
the metrics history and the shuffling generator's state (a uint8 tensor). Nothing in it needs
code to load. A file that carries code (a pickle naming a callable) is refused and never
retried unsafely; the refusal names what it tried to import.
"""

from __future__ import annotations

import io
import pickle
import pickletools
import warnings
import zipfile
from pathlib import Path

import torch

from nnlab.i18n import t
from nnlab.fs import atomic
from nnlab.run.config import TrainConfig
from nnlab.run.errors import CheckpointError

FORMAT = "nnlab-checkpoint"
VERSION = 1
MAX_BYTES = 4 << 30          # refuse to read anything bigger (checked before reading)
_ZIP_MAGIC = b"PK\x03\x04"


def save(path, model, optimizer, *, epoch: int, config: TrainConfig, history: list, extra: dict | None = None) -> None:
    """Write atomically (temp file + fsync + os.replace): a crash leaves the old file intact."""
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "epoch": int(epoch),
        "config": config.to_dict(),
        "model": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "optimizer": _to_cpu(optimizer.state_dict()),
        "history": list(history),
        "extra": dict(extra or {}),
    }
    path = Path(path)
    with atomic.atomic_open(path, "wb") as handle:
        torch.save(payload, handle)


def _to_cpu(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {k: _to_cpu(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_cpu(v) for v in value]
    return value


def _pickle_imports(data: bytes) -> list[str]:
    """The globals a pickle would import, found by reading its opcodes (nothing is executed)."""
    names: list[str] = []
    strings: list[str] = []
    try:
        for op, arg, _ in pickletools.genops(io.BytesIO(data)):
            if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "BINUNICODE8"):
                strings.append(arg)
            elif op.name in ("GLOBAL", "INST"):
                names.append(str(arg).replace(" ", "."))
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                names.append(f"{strings[-2]}.{strings[-1]}")
    except Exception:  # noqa: BLE001 - a damaged pickle: report what was found so far
        pass
    return names


_SAFE_PREFIXES = ("torch.", "collections.OrderedDict", "_codecs.encode", "builtins.set")


def _code_in(path: Path, head: bytes) -> list[str]:
    """Globals outside torch's own tensor machinery that the file's pickle would import."""
    try:
        if head.startswith(_ZIP_MAGIC):
            with zipfile.ZipFile(path) as archive:
                pickles = [n for n in archive.namelist() if n.endswith(".pkl")]
                data = b"".join(archive.read(n) for n in pickles)
        else:
            data = path.read_bytes()
    except (OSError, zipfile.BadZipFile, RuntimeError):
        return []
    return [n for n in _pickle_imports(data) if not n.startswith(_SAFE_PREFIXES)]


def load(path, map_location="cpu", max_bytes: int = MAX_BYTES) -> dict:
    """The checkpoint's dict, or CheckpointError saying exactly what is wrong with the file."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(t("train.ckpt.missing", path=path))
    if not path.is_file():
        raise CheckpointError(t("train.ckpt.not_file", path=path))
    size = path.stat().st_size
    if size == 0:
        raise CheckpointError(t("train.ckpt.empty", path=path))
    if size > max_bytes:
        raise CheckpointError(t("train.ckpt.too_large", path=path, size=size, limit=max_bytes))
    with open(path, "rb") as handle:
        head = handle.read(4)
    try:
        with warnings.catch_warnings():  # torch warns about pickle protocols before refusing: we explain instead
            warnings.simplefilter("ignore")
            payload = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        code = _code_in(path, head)
        if code:
            raise CheckpointError(t("train.ckpt.code", path=path, names=", ".join(sorted(set(code))))) from None
        raise CheckpointError(t("train.ckpt.garbage", path=path)) from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as error:
        if head.startswith(_ZIP_MAGIC):
            raise CheckpointError(t("train.ckpt.truncated", path=path, why=str(error).splitlines()[0][:120])) from None
        raise CheckpointError(t("train.ckpt.garbage", path=path)) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(t("train.ckpt.not_nnlab", path=path))
    if payload.get("version") != VERSION:
        raise CheckpointError(t("train.ckpt.version", path=path, version=payload.get("version"), want=VERSION))
    for key, kind in (("epoch", int), ("config", dict), ("model", dict), ("optimizer", dict), ("history", list)):
        if not isinstance(payload.get(key), kind):
            raise CheckpointError(t("train.ckpt.field", path=path, field=key))
    try:
        payload["config_obj"] = TrainConfig.from_dict(payload["config"])
    except (TypeError, ValueError) as error:
        raise CheckpointError(t("train.ckpt.field", path=path, field=f"config ({error})")) from None
    return payload


def apply(checkpoint: dict, model, optimizer=None) -> None:
    """Load the checkpoint's weights (and optimizer state) into ``model``; CheckpointError names
    every mismatched key when the architecture differs."""
    state = checkpoint["model"]
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = [f"{k} {tuple(state[k].shape)}≠{tuple(own[k].shape)}" for k in own
              if k in state and tuple(state[k].shape) != tuple(own[k].shape)]
    if missing or unexpected or shapes:
        parts = []
        if missing:
            parts.append(t("train.ckpt.keys_missing", keys=", ".join(missing)))
        if unexpected:
            parts.append(t("train.ckpt.keys_unexpected", keys=", ".join(unexpected)))
        if shapes:
            parts.append(t("train.ckpt.keys_shape", keys=", ".join(shapes)))
        raise CheckpointError(t("train.ckpt.mismatch", details="; ".join(parts)))
    model.load_state_dict(state)
    if optimizer is not None:
        try:
            optimizer.load_state_dict(checkpoint["optimizer"])
        except (ValueError, KeyError, RuntimeError) as error:
            raise CheckpointError(t("train.ckpt.optimizer", why=error)) from None
