"""Checkpoints: saved atomically, loaded only with ``torch.load(weights_only=True)``.

A checkpoint is a dict of tensors and plain values: model and optimizer ``state_dict``, the
number of completed epochs (and batches into the next one, for a stop mid-epoch), the config,
the metrics history and the shuffling generator's state (a uint8 tensor). Nothing in it needs
code to load. A file that carries code (a pickle naming a callable) is refused and never
retried unsafely; the refusal names what it tried to import.
"""

from __future__ import annotations

import errno
import io
import math
import pickle
import pickletools
import stat
import warnings
import zipfile
from pathlib import Path

import torch

from nnlab.fs import atomic
from nnlab.i18n import t
from nnlab.run.config import MAX_BATCH, MAX_EPOCHS, ConfigError, TrainConfig
from nnlab.run.errors import CheckpointError

FORMAT = "nnlab-checkpoint"
VERSION = 1
MAX_BYTES = 4 << 30  # refuse to read anything bigger (checked before reading)
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
        recording = _Recording(handle)
        try:
            torch.save(payload, recording)
        except RuntimeError as error:  # torch's zip writer turns a failed write into RuntimeError
            if recording.error is not None:  # case 6: the real cause (ENOSPC, EIO), as OSError
                raise recording.error from None
            raise OSError(errno.EIO, (str(error).splitlines() or ["write failed"])[0][:120], str(path)) from None


class _Recording:
    """A file wrapper keeping the OSError of the write that failed: on a full disk torch.save
    raises ``RuntimeError: [enforce fail at inline_container.cc] unexpected pos``, and the
    ``--on-save-error`` policy and the message need the OSError (ENOSPC) underneath."""

    def __init__(self, handle):
        self.handle, self.error = handle, None

    def write(self, data) -> int:
        try:
            return self.handle.write(data)
        except OSError as error:
            self.error = error
            raise

    def flush(self) -> None:
        try:
            self.handle.flush()
        except OSError as error:
            self.error = error
            raise


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


def _stat(path: Path):
    try:
        return path.stat()
    except FileNotFoundError:
        raise CheckpointError(t("train.ckpt.missing", path=path)) from None
    except OSError as error:  # no permission on the way, a name too long, a loop of links
        raise CheckpointError(t("err.os", path=path, why=error.strerror or error)) from None


def _check_zip(path: Path, size: int, max_bytes: int) -> None:
    """Bounded decompression (case 9): the members' uncompressed sizes, read from the central
    directory before anything is inflated, must fit the limit and what the file's size allows
    (torch stores its members uncompressed: a legitimate file is never much bigger unpacked)."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise CheckpointError(t("train.ckpt.truncated", path=path, why=_first_line(error))) from None
    if total > max_bytes or total > 2 * size + (1 << 20):
        raise CheckpointError(t("err.ckpt.bomb", path=path, size=total, have=size))


def _first_line(error: BaseException) -> str:
    """The error's first line, or its class name when it has no text (a bare EOFError: case 5)."""
    lines = str(error).splitlines()
    return (lines[0] if lines and lines[0].strip() else type(error).__name__)[:120]


def load(path, map_location="cpu", max_bytes: int = MAX_BYTES) -> dict:
    """The checkpoint's dict, or CheckpointError saying exactly what is wrong with the file:
    readable, bounded, a zip of tensors without code, and every field as the schema wants."""
    path = Path(path)
    st = _stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise CheckpointError(t("train.ckpt.not_file", path=path))
    size = st.st_size
    if size == 0:
        raise CheckpointError(t("train.ckpt.empty", path=path))
    if size > max_bytes:
        raise CheckpointError(t("train.ckpt.too_large", path=path, size=size, limit=max_bytes))
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as error:
        raise CheckpointError(t("err.os", path=path, why=error.strerror or error)) from None
    if head.startswith(_ZIP_MAGIC):
        _check_zip(path, size, max_bytes)
    try:
        with warnings.catch_warnings():  # torch warns about pickle protocols before refusing: we explain instead
            warnings.simplefilter("ignore")
            payload = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        code = _code_in(path, head)
        if code:
            raise CheckpointError(t("train.ckpt.code", path=path, names=", ".join(sorted(set(code))))) from None
        if head.startswith(_ZIP_MAGIC):
            raise CheckpointError(t("train.ckpt.truncated", path=path, why=_first_line(error))) from None
        raise CheckpointError(t("train.ckpt.garbage", path=path)) from None
    except MemoryError:
        raise CheckpointError(t("train.ckpt.too_large", path=path, size=size, limit=max_bytes)) from None
    except Exception as error:  # noqa: BLE001 - any way a damaged file fails to unpickle is "damaged"
        if head.startswith(_ZIP_MAGIC):
            raise CheckpointError(t("train.ckpt.truncated", path=path, why=_first_line(error))) from None
        raise CheckpointError(t("train.ckpt.garbage", path=path)) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(t("train.ckpt.not_nnlab", path=path))
    if payload.get("version") != VERSION:
        raise CheckpointError(t("train.ckpt.version", path=path, version=payload.get("version"), want=VERSION))
    payload["config_obj"] = validate_payload(payload, path)
    return payload


def apply(checkpoint: dict, model, optimizer=None) -> None:
    """Load the checkpoint's weights (and optimizer state) into ``model``; CheckpointError names
    every mismatched key when the architecture differs."""
    state = checkpoint["model"]
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = [
        f"{k} {tuple(state[k].shape)}≠{tuple(own[k].shape)}"
        for k in own
        if k in state and tuple(state[k].shape) != tuple(own[k].shape)
    ]
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


# --- the schema (issue 19 cases 10, 18, 19) -------------------------------------------------
INPUTS, OUTPUTS = 784, 10
MAX_HISTORY = MAX_EPOCHS + 1


def _bad(path, field: str, value, want: str) -> CheckpointError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return CheckpointError(t("err.ckpt.schema", path=path, field=field, value=shown, want=want))


def _int(path, field: str, value, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _bad(path, field, value, f"an integer {lo}..{hi}")
    return value


def _number(path, field: str, value, allow_none: bool = False, allow_nan: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(path, field, value, "a number")
    if not allow_nan and not math.isfinite(value):
        raise _bad(path, field, value, "a finite number")


def expected_shapes(config: TrainConfig) -> dict[str, tuple[int, ...]]:
    """The model's state_dict shapes for ``config`` (nnlab.train.model: Linear layers at the even
    indices of ``linear_relu_stack``), computed without allocating anything."""
    widths = [INPUTS, *config.hidden, OUTPUTS]
    shapes = {}
    for i, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
        shapes[f"linear_relu_stack.{2 * i}.weight"] = (fan_out, fan_in)
        shapes[f"linear_relu_stack.{2 * i}.bias"] = (fan_out,)
    return shapes


def _tensor(path, field: str, value, shape: tuple[int, ...] | None = None) -> torch.Tensor:
    if not isinstance(value, torch.Tensor) or not value.is_floating_point():
        raise _bad(
            path,
            field,
            value if not isinstance(value, torch.Tensor) else f"a {value.dtype} tensor",
            "a floating-point tensor",
        )
    if shape is not None and tuple(value.shape) != shape:
        raise _bad(path, field, f"shape {tuple(value.shape)}", f"shape {shape}")
    if not bool(torch.isfinite(value).all()):
        raise CheckpointError(t("err.ckpt.nonfinite", path=path, field=field))
    return value


def config_of(payload: dict, path) -> TrainConfig:
    raw = payload.get("config")
    if not isinstance(raw, dict):
        raise _bad(path, "config", raw, "a dict")
    hidden = raw.get("hidden")
    if not isinstance(hidden, (list, tuple)) or not all(isinstance(h, int) and not isinstance(h, bool) for h in hidden):
        raise _bad(path, "config.hidden", hidden, "a list of integer widths")
    try:
        config = TrainConfig.from_dict(raw)
        return config.validate()
    except ConfigError as error:
        raise CheckpointError(t("train.ckpt.field", path=path, field=f"config ({error})")) from None
    except (TypeError, ValueError) as error:
        raise CheckpointError(t("train.ckpt.field", path=path, field=f"config ({error})")) from None


def validate_payload(payload: dict, path) -> TrainConfig:
    """The checkpoint's TrainConfig once every field has been checked; CheckpointError otherwise."""
    config = config_of(payload, path)
    _int(path, "epoch", payload.get("epoch"), 0, MAX_EPOCHS)

    model = payload.get("model")
    if not isinstance(model, dict):
        raise _bad(path, "model", type(model).__name__, "a dict of tensors")
    shapes = expected_shapes(config)
    missing = [k for k in shapes if k not in model]
    unexpected = [k for k in model if k not in shapes]
    if missing or unexpected:
        first = missing[0] if missing else unexpected[0]
        raise _bad(
            path,
            f"model[{first!r}]",
            "missing" if missing else "present",
            f"the layers of hidden={list(config.hidden)}",
        )
    for key, shape in shapes.items():
        _tensor(path, f"model[{key!r}]", model[key], shape)

    _optimizer(payload.get("optimizer"), path, config, [shapes[k] for k in shapes])

    history = payload.get("history")
    if not isinstance(history, list) or len(history) > MAX_HISTORY:
        raise _bad(path, "history", type(history).__name__, f"a list of at most {MAX_HISTORY} epoch records")
    for i, entry in enumerate(history):
        if not isinstance(entry, dict):
            raise _bad(path, f"history[{i}]", entry, "a dict of numbers")
        for key, value in entry.items():
            _number(path, f"history[{i}].{key}", value, allow_none=True, allow_nan=True)

    extra = payload.get("extra", {})
    if not isinstance(extra, dict):
        raise _bad(path, "extra", type(extra).__name__, "a dict")
    if "batch" in extra:
        _int(path, "extra.batch", extra["batch"], 0, MAX_BATCH)
    if "epoch_loss_sum" in extra:
        _number(path, "extra.epoch_loss_sum", extra["epoch_loss_sum"])
    state = extra.get("shuffle_state")
    if state is not None and not (isinstance(state, torch.Tensor) and state.dtype == torch.uint8 and state.dim() == 1):
        raise _bad(
            path,
            "extra.shuffle_state",
            state if not isinstance(state, torch.Tensor) else state.dtype,
            "a 1-d uint8 tensor",
        )
    if "device" in extra and not isinstance(extra["device"], str):
        raise _bad(path, "extra.device", extra["device"], "a string")
    return config


_STATE_TENSORS = {"exp_avg", "exp_avg_sq", "momentum_buffer", "max_exp_avg_sq"}


def _optimizer(optimizer, path, config: TrainConfig, param_shapes: list[tuple[int, ...]]) -> None:
    if not isinstance(optimizer, dict):
        raise _bad(path, "optimizer", type(optimizer).__name__, "a dict")
    groups, state = optimizer.get("param_groups"), optimizer.get("state")
    if not isinstance(groups, list) or not groups:
        raise _bad(path, "optimizer.param_groups", groups, "a list of parameter groups")
    if not isinstance(state, dict):
        raise _bad(path, "optimizer.state", type(state).__name__, "a dict")
    ids: list[int] = []
    for g, group in enumerate(groups):
        if not isinstance(group, dict):
            raise _bad(path, f"optimizer.param_groups[{g}]", group, "a dict")
        params = group.get("params")
        if not isinstance(params, list) or not all(isinstance(p, int) and not isinstance(p, bool) for p in params):
            raise _bad(path, f"optimizer.param_groups[{g}].params", params, "a list of parameter ids")
        ids += params
        for key, value in group.items():
            if key in ("lr", "momentum", "weight_decay", "eps", "dampening"):
                _number(path, f"optimizer.param_groups[{g}].{key}", value)
    if len(ids) != len(param_shapes) or len(set(ids)) != len(ids):
        raise _bad(path, "optimizer.param_groups", f"{len(ids)} parameters", f"{len(param_shapes)} (one per tensor)")
    shape_of = dict(zip(ids, param_shapes))
    for pid, entry in state.items():
        if pid not in shape_of:
            raise _bad(path, "optimizer.state", f"parameter id {pid!r}", f"one of {sorted(shape_of)}")
        if not isinstance(entry, dict):
            raise _bad(path, f"optimizer.state[{pid}]", type(entry).__name__, "a dict")
        for key, value in entry.items():
            field = f"optimizer.state[{pid}].{key}"
            if key in _STATE_TENSORS:
                tensor = _tensor(path, field, value, shape_of[pid])
                if key in ("exp_avg_sq", "max_exp_avg_sq") and bool((tensor < 0).any()):
                    raise _bad(path, field, "negative values", "values >= 0 (a second moment)")
            elif key == "step":
                step = value.item() if isinstance(value, torch.Tensor) and value.numel() == 1 else value
                _number(path, field, step)
                if step < 0:
                    raise _bad(path, field, step, "a step count >= 0")
