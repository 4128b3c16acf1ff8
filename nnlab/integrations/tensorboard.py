"""TensorBoard event files as nnlab.track records: ``TensorBoardSource(logdir).read_new()``.

    source = TensorBoardSource(logdir)        # ExtraMissing (one line naming the extra) without tensorboard
    records = source.read_new()               # new records since the last call (follows live writers)
    source.problems                           # one line each: corrupt file, undecodable image
    source.waiting -> str | None              # "no event files yet; waiting" while there are none

Records are those of nnlab.track: ``{"event": "scalars", "step", "t", "values": {tag: value}}``
(consecutive events of one step merged; a subdirectory's tags are prefixed "subdir/"), and
``{"event": "images", "step", "t", "key", "shape": [1, H, W, C], "dtype": "uint8", "data": bytes}``
(pixels in memory instead of a sidecar file; ``nnlab.track.image_bytes`` reads both).

Reading: every ``events.out.tfevents.*`` file under ``logdir`` (recursively), each tailed by
byte offset in TFRecord framing (length, masked CRC, data, masked CRC); the events are parsed
with the tensorboard package's own ``Event`` proto. A record cut short (a writer still writing)
is left for the next call. A length that cannot be, an event that does not parse, or (where
``google_crc32c`` is installed) a CRC mismatch marks the file corrupt from there: reported once,
its events before that point and all other files still read. The tensorboard package's
``EventFileLoader`` does the same framing in pure Python (CRCs in Python: ~2 s per 100,000
scalars here); this reader keeps the package's proto and reads 100,000 scalars in well under 1 s.
"""

from __future__ import annotations

import math
import os
import struct
from pathlib import Path
from typing import Any

from nnlab.i18n import t

EXTRA = "tensorboard"
MAX_RECORD = 64 << 20  # a TFRecord longer than this is not an event: the file is corrupt
_HEAD = struct.Struct("<QI")
_U32 = struct.Struct("<I")


class ExtraMissing(ImportError):
    """An optional package is not installed; the message names the extra to install."""


def _import_proto():
    try:
        from tensorboard.compat.proto import event_pb2
    except ImportError:
        raise ExtraMissing(
            t("track.extra_missing", what="nnlab watch LOGDIR (TensorBoard)", package="tensorboard", extra=EXTRA)
        ) from None
    return event_pb2


def _crc_checker():
    try:
        import google_crc32c  # optional: a C CRC-32C
    except ImportError:
        return None

    def masked(data: bytes) -> int:
        x = google_crc32c.value(data)
        return (((x >> 15) | (x << 17)) + 0xA282EAD8) & 0xFFFFFFFF

    return masked


class _File:
    __slots__ = ("path", "prefix", "offset", "events", "corrupt")

    def __init__(self, path: Path, prefix: str):
        self.path, self.prefix, self.offset, self.events, self.corrupt = path, prefix, 0, 0, False


class TensorBoardSource:
    """A TensorBoard logdir followed like a run's event log."""

    def __init__(self, logdir: str | os.PathLike):
        self._pb = _import_proto()
        self.logdir = Path(os.path.expanduser(os.fspath(logdir)))
        self.problems: list[str] = []
        self._files: dict[Path, _File] = {}
        self._crc = _crc_checker()
        self._image_failed = False

    @property
    def waiting(self) -> str | None:
        """A one-line note while the logdir holds no event file (None once it does)."""
        if not self.logdir.is_dir():
            return t("track.tb.not_a_dir", logdir=self.logdir)
        return None if self._files or self._scan() else t("track.tb.waiting", logdir=self.logdir)

    def _scan(self) -> list[Path]:
        found = []
        for folder, _dirs, names in os.walk(self.logdir):
            for name in names:
                if "tfevents" in name and not name.endswith((".tmp", ".lock")):
                    found.append(Path(folder) / name)
        return sorted(found)

    def read_new(self) -> list[dict]:
        """Records from the events written since the last call, file by file (sorted names)."""
        for path in self._scan():
            if path not in self._files:
                rel = path.parent.relative_to(self.logdir).as_posix()
                self._files[path] = _File(path, "" if rel == "." else rel + "/")
        out: list[dict] = []
        for entry in self._files.values():
            if not entry.corrupt:
                self._read_file(entry, out)
        return out

    def _read_file(self, entry: _File, out: list[dict]) -> None:
        try:
            with open(entry.path, "rb") as handle:
                handle.seek(entry.offset)
                data = handle.read()
        except OSError:
            return  # gone or unreadable for now: tried again at the next call
        pos, end = 0, len(data)
        parse = self._pb.Event.FromString
        crc = self._crc
        head, u32 = _HEAD.unpack_from, _U32.unpack_from
        prefix, isfinite, append = entry.prefix, math.isfinite, out.append
        merged: dict | None = None
        step = values = None
        events = entry.events
        while end - pos >= 12:
            length, head_crc = head(data, pos)
            if length > MAX_RECORD:
                entry.events = events
                return self._corrupt(entry, pos, out, merged, "record length")
            stop = pos + 12 + length + 4
            if stop > end:
                break  # written in part: the rest comes later
            body = data[pos + 12 : stop - 4]
            if crc is not None and (crc(data[pos : pos + 8]) != head_crc or crc(body) != u32(data, stop - 4)[0]):
                entry.events = events
                return self._corrupt(entry, pos, out, merged, "crc")
            try:
                event = parse(body)
            except Exception as error:  # noqa: BLE001 - protobuf's DecodeError and kin
                entry.events = events
                return self._corrupt(entry, pos, out, merged, type(error).__name__)
            pos = stop
            events += 1
            if not event.HasField("summary"):
                continue
            # The hot path, written out (100,000 scalars: ~5 µs an event before, ~2 now): each
            # attribute of an upb message builds a Python object, so each is read once.
            event_step = int(event.step)
            for value in event.summary.value:
                kind = value.WhichOneof("value")
                if kind == "simple_value":
                    number = float(value.simple_value)
                elif kind == "tensor" and value.metadata.plugin_data.plugin_name in ("scalars", ""):
                    number = _tensor_scalar(value.tensor)
                    if number is None:
                        continue
                elif kind == "image":
                    image = self._image(
                        entry, prefix + value.tag, event_step, round(float(event.wall_time), 3), value.image
                    )
                    if image is not None:
                        if merged is not None:
                            append(merged)
                            merged = step = None
                        append(image)
                    continue
                else:
                    continue
                if event_step != step or merged is None:  # consecutive events of one step are merged
                    if merged is not None:
                        append(merged)
                    step, values = event_step, {}
                    merged = {"event": "scalars", "step": step, "t": round(float(event.wall_time), 3), "values": values}
                values[prefix + value.tag] = number if isfinite(number) else None
        entry.events = events
        if merged is not None:
            append(merged)
        entry.offset += pos

    def _corrupt(self, entry: _File, pos: int, out: list, merged: dict | None, why: str) -> None:
        if merged is not None:
            out.append(merged)
        entry.offset += pos
        entry.corrupt = True
        self.problems.append(t("track.tb.corrupt", path=entry.path, events=entry.events, why=why))

    def _image(self, entry: _File, tag: str, step: int, when: float, image: Any) -> dict | None:
        try:
            import io

            import numpy as np
            from PIL import Image

            with Image.open(io.BytesIO(image.encoded_image_string)) as picture:
                if picture.mode not in ("L", "RGB", "RGBA"):
                    picture = picture.convert("RGB")
                arr = np.asarray(picture, dtype=np.uint8)
        except Exception as error:  # noqa: BLE001 - no PIL, or a bad PNG: reported once, skipped
            if not self._image_failed:
                self._image_failed = True
                self.problems.append(
                    t(
                        "track.tb.image_failed",
                        path=entry.path,
                        tag=tag,
                        step=step,
                        why=f"{type(error).__name__}: {error}"[:120],
                    )
                )
            return None
        if arr.ndim == 2:
            arr = arr[:, :, None]
        return {
            "event": "images",
            "step": step,
            "t": when,
            "key": tag,
            "shape": [1, *arr.shape],
            "dtype": "uint8",
            "captions": None,
            "data": arr.tobytes(),
        }


def _tensor_scalar(tensor: Any) -> float | None:
    """A one-element float/double TensorProto's value (new-style scalar summaries)."""
    for field in ("float_val", "double_val", "int_val", "int64_val"):
        values = getattr(tensor, field)
        if len(values) == 1:
            return float(values[0])
    content = tensor.tensor_content
    dtype = int(tensor.dtype)
    if len(content) == 4 and dtype == 1:  # DT_FLOAT
        return struct.unpack("<f", content)[0]
    if len(content) == 8 and dtype == 2:  # DT_DOUBLE
        return struct.unpack("<d", content)[0]
    return None


__all__ = ["EXTRA", "ExtraMissing", "TensorBoardSource"]
