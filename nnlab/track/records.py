"""The record kinds nnlab.track writes (and the TensorBoard source yields): checks and conversions.

Torch-free and numpy-free at import: tensors and numpy values are handled duck-typed
(``.item()``, ``.detach()``, ``.tolist()``, ``.tobytes()``). See ``nnlab.track`` for the format.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from nnlab.i18n import t

SCALARS, EPOCH, CONFUSION, IMAGES = "scalars", "epoch_metrics", "confusion", "images"
RECORD_KINDS = (SCALARS, EPOCH, CONFUSION, IMAGES)
MAX_NAME = 200  # characters in a metric name; longer is refused (TrackError), never cut
MAX_CLASSES = 1000  # rows of a confusion matrix
MAX_IMAGES = 64  # images in one images() call
MAX_IMAGE_BYTES = 4 << 20  # bytes of pixels in one images() call
MEDIA_DIR = "media"  # sidecar files, relative to the run directory


class TrackError(ValueError):
    """Bad input to the tracker (a bad name or value, a finished run); one clear line."""


def check_name(name: Any) -> str:
    """A metric name as written: a non-empty str of at most MAX_NAME characters without control
    characters. '/' groups: "train/loss" is charted in group "train"."""
    if not isinstance(name, str):
        raise TrackError(t("track.name.type", type=type(name).__name__))
    if not name or not name.strip():
        raise TrackError(t("track.name.empty"))
    if len(name) > MAX_NAME:
        raise TrackError(t("track.name.long", start=name[:40], length=len(name), limit=MAX_NAME))
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise TrackError(t("track.name.control", name=name.encode("unicode_escape").decode()[:60]))
    return name


def group_of(name: str) -> str:
    """The chart group of a metric: the part before the first '/', else the name itself."""
    return name.split("/", 1)[0] if "/" in name else name


def prepare(name: str, value: Any) -> Any:
    """A logged value made safe to keep until the next flush, without a device sync:
    int/float/None as they are, a CPU tensor or numpy scalar read now (no sync), an accelerator
    tensor detached and cloned (an async copy: an in-place update later cannot change it)."""
    if value is None or type(value) is float or type(value) is int:
        return value
    if isinstance(value, bool):
        return int(value)
    detach = getattr(value, "detach", None)
    if detach is not None:  # a torch tensor
        if value.numel() != 1:
            raise TrackError(t("track.value.shape", name=name, shape=tuple(value.shape)))
        if getattr(value, "is_cpu", True):
            return value.item()
        return detach().clone()
    item = getattr(value, "item", None)
    if item is not None:  # numpy scalar or array
        if getattr(value, "size", 1) != 1:
            raise TrackError(t("track.value.shape", name=name, shape=tuple(getattr(value, "shape", ()))))
        value = item()
        if isinstance(value, (int, float)):
            return int(value) if isinstance(value, bool) else value
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TrackError(t("track.value.type", name=name, type=type(value).__name__)) from None


def number(value: Any) -> float | int | None:
    """A prepared value as strict JSON has it: non-finite → None (a gap in the chart)."""
    if type(value) is float:
        return value if math.isfinite(value) else None
    if value is None or type(value) is int:
        return value
    try:
        value = value.item() if hasattr(value, "item") else float(value)
    except Exception:  # noqa: BLE001 - a device error at flush time: a gap, never a crash
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def clean_values(values: dict) -> dict:
    return {k: number(v) for k, v in values.items()}


def plain(value: Any, depth: int = 0) -> Any:
    """A config value as JSON can hold it: containers recursed, tensors/numpy read, others str()."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth > 20:
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v, depth + 1) for v in value]
    if hasattr(value, "__dict__") and type(value).__name__ == "Namespace":  # argparse
        return plain(vars(value), depth + 1)
    if hasattr(value, "to_dict"):
        try:
            return plain(value.to_dict(), depth + 1)
        except Exception:  # noqa: BLE001
            return str(value)
    if hasattr(value, "item") and getattr(value, "size", getattr(value, "numel", lambda: 1)) in (1, None):
        try:
            return plain(value.item(), depth + 1)
        except Exception:  # noqa: BLE001
            return str(value)
    return str(value)


def confusion_record(matrix: Any, labels: Any, step: int | None, epoch: int | None) -> dict:
    rows = matrix.tolist() if hasattr(matrix, "tolist") else [list(r) for r in matrix]
    n = len(rows)
    if n == 0 or n > MAX_CLASSES or any(len(r) != n for r in rows):
        raise TrackError(t("track.confusion.shape", rows=n, limit=MAX_CLASSES))
    try:
        ints = [[int(v) for v in r] for r in rows]
    except (TypeError, ValueError):
        raise TrackError(t("track.confusion.type")) from None
    names = [str(i) for i in range(n)] if labels is None else [str(x) for x in labels]
    if len(names) != n:
        raise TrackError(t("track.confusion.labels", labels=len(names), rows=n))
    return {"event": CONFUSION, "step": step, "epoch": epoch, "labels": names, "matrix": ints}


def image_array(images: Any) -> tuple[bytes, list[int]]:
    """uint8 pixels as raw NHWC bytes and the shape [N, H, W, C] (C 1, 3 or 4).

    Accepts (H, W); (H, W, C) when the last axis is 1, 3 or 4, else (N, H, W); (N, H, W, C), or
    (N, C, H, W) (torch's layout) when axis 1 is 1, 3 or 4 and the last is not; uint8, bool, ints
    in 0..255, or floats in [0, 1] (scaled to 0..255)."""
    import numpy as np  # a dependency of nnlab; imported only when images are logged

    if hasattr(images, "detach"):
        images = images.detach().cpu().numpy()
    elif isinstance(images, (list, tuple)) and images and hasattr(images[0], "detach"):
        images = [i.detach().cpu().numpy() for i in images]
    arr = np.asarray(images)
    if arr.ndim == 2:
        arr = arr[None, :, :, None]
    elif arr.ndim == 3:  # (H, W, C) when the last axis is 1, 3 or 4; else (N, H, W)
        arr = arr[None] if arr.shape[-1] in (1, 3, 4) else arr[..., None]
    elif arr.ndim == 4:
        if arr.shape[1] in (1, 3, 4) and arr.shape[-1] not in (1, 3, 4):  # NCHW
            arr = arr.transpose(0, 2, 3, 1)
    else:
        raise TrackError(t("track.images.shape", shape=tuple(arr.shape)))
    if arr.shape[-1] not in (1, 3, 4) or arr.shape[0] == 0:
        raise TrackError(t("track.images.shape", shape=tuple(arr.shape)))
    if arr.shape[0] > MAX_IMAGES or arr.size > MAX_IMAGE_BYTES:
        raise TrackError(
            t("track.images.big", count=arr.shape[0], size=arr.size, limit=MAX_IMAGES, bytes=MAX_IMAGE_BYTES)
        )
    if arr.dtype == np.bool_:
        arr = arr.astype(np.uint8) * 255
    elif arr.dtype.kind == "f":
        arr = (np.nan_to_num(arr, nan=0.0).clip(0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    elif arr.dtype != np.uint8:
        if arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() > 255:
            raise TrackError(t("track.images.dtype", dtype=str(arr.dtype)))
        arr = arr.astype(np.uint8)
    arr = np.ascontiguousarray(arr)
    return arr.tobytes(), [int(x) for x in arr.shape]


def image_bytes(record: dict, run_path: str | os.PathLike | None = None) -> tuple[bytes, list[int]]:
    """(raw NHWC uint8 pixels, [N, H, W, C]) of an images record: its sidecar file under
    ``run_path`` (nnlab.track) or its in-memory ``data`` (TensorBoardSource). OSError/ValueError
    when the file is gone or does not match the shape."""
    shape = [int(x) for x in record["shape"]]
    data = record.get("data")
    if data is None:
        rel = Path(str(record["file"]))
        if rel.is_absolute() or ".." in rel.parts:
            raise ValueError(f"images file outside the run: {rel}")
        data = (Path(run_path or ".") / rel).read_bytes()
    if len(data) != math.prod(shape):
        raise ValueError(f"images file holds {len(data)} bytes, shape {shape} needs {math.prod(shape)}")
    return data, shape


def image_arrays(record: dict, run_path: str | os.PathLike | None = None):
    """The images of a record as a numpy array [N, H, W, C] uint8 (numpy imported here)."""
    import numpy as np

    data, shape = image_bytes(record, run_path)
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)
