"""FashionMNIST: find the files, check them, load them once into uint8 tensors.

Search order (first complete set wins): ``data_dir`` / ``$NNLAB_DATA_DIR``; the cache
``~/.cache/nnlab/FashionMNIST/raw``; Debian's ``/usr/share/datasets/fashion-mnist``;
torchvision's download (only when a network answers within seconds); the real 6,000 + 1,000
image sample shipped in ``nnlab/assets/fashion-mnist-sample`` (package data, so a wheel carries it) (announced as the sample).

Files are read through torchvision's ``FashionMNIST`` class, which wants them uncompressed under
``root/FashionMNIST/raw``; ``.gz`` files are checked and unpacked once into the cache. Every idx
header, size and label is checked here first, so a bad file gives an error naming the file and
the fix instead of a traceback from deep inside torchvision.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import stat
import struct
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import torch

from nnlab.fs import atomic
from nnlab.i18n import t
from nnlab.run.dataset import CLASSES  # noqa: F401 - re-exported: data.CLASSES
from nnlab.run.errors import DataError

# role → file name (uncompressed), as Zalando publishes them and torchvision expects them
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "assets" / "fashion-mnist-sample"  # package data: in the wheel
PROBE_URL = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz"  # torchvision's mirror
)
NETWORK_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class FashionData:
    train_x: torch.Tensor  # uint8 [N, 28, 28]
    train_y: torch.Tensor  # int64 [N], 0..9
    test_x: torch.Tensor  # uint8 [M, 28, 28]
    test_y: torch.Tensor  # int64 [M]
    source: str  # a directory, "sample", or "synthetic"
    is_sample: bool = False
    root: str | None = field(default=None, compare=False)  # torchvision root (FashionMNIST/raw under it)

    @property
    def train_size(self) -> int:
        return int(self.train_y.shape[0])

    @property
    def test_size(self) -> int:
        return int(self.test_y.shape[0])


@dataclass(frozen=True)
class DataLocation:
    kind: str  # "dir" | "cache" | "system" | "download" | "sample"
    path: str  # the directory holding the files (the cache dir for "download")
    files: dict = field(default_factory=dict)  # role → file path (.gz or uncompressed)
    train_size: int = 0  # from the idx headers (0 when not known yet: "download")
    test_size: int = 0

    @property
    def is_sample(self) -> bool:
        return self.kind == "sample"


def cache_dir() -> Path:
    return Path.home() / ".cache" / "nnlab"


# --- idx files --------------------------------------------------------------------------
def _find_files(directory: Path) -> dict[str, Path] | None:
    """role → path for a directory holding all four files (plain or .gz, flat or under FashionMNIST/raw)."""
    found: dict[str, Path] = {}
    for role, name in FILES.items():
        for sub in (directory, directory / "FashionMNIST" / "raw"):
            for candidate in (sub / name, sub / f"{name}.gz"):
                try:
                    is_file = candidate.is_file()
                except OSError:  # unreadable on the way: not there for us (locate names an explicit dir)
                    is_file = False
                if is_file:
                    found[role] = candidate
                    break
            if role in found:
                break
    return found if len(found) == len(FILES) else None


def _missing(directory: Path) -> list[str]:
    found = _find_files(directory) or {}
    partial = {
        role
        for role in FILES
        if any(
            _is_file(sub / n)
            for sub in (directory, directory / "FashionMNIST" / "raw")
            for n in (FILES[role], FILES[role] + ".gz")
        )
    }
    return [FILES[role] + "[.gz]" for role in FILES if role not in found and role not in partial]


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


MAX_ITEMS = 1_000_000  # images per idx file (FashionMNIST has 60,000): more is a corrupt header
MAX_GZ_MEMBER = 1 << 32  # gzip's ISIZE holds the size mod 2**32; beyond it the check below is blind


def _gz_isize(path: Path) -> int:
    """The uncompressed size mod 2**32 that a .gz file's trailer records (read, not inflated)."""
    with open(path, "rb") as handle:
        handle.seek(-4, os.SEEK_END)
        return struct.unpack("<I", handle.read(4))[0]


def _open_idx(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def read_header(path: Path, labels: bool) -> tuple[int, ...]:
    """The dimensions in an idx header, checked: magic, element type, rank, 28×28 images."""
    try:
        with _open_idx(path) as handle:
            head = handle.read(4 + 4 * (1 if labels else 3))
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(t("train.data.corrupt", path=path, why=error)) from error
    rank = 1 if labels else 3
    if len(head) < 4 + 4 * rank:
        raise DataError(t("train.data.truncated", path=path, have=len(head), need=4 + 4 * rank))
    zero, dtype, got_rank = struct.unpack(">HBB", head[:4])
    if zero != 0 or dtype != 0x08 or got_rank != rank:
        raise DataError(t("train.data.bad_magic", path=path, magic=head[:4].hex(), want=f"000008{rank:02x}"))
    dims = struct.unpack(f">{rank}I", head[4:])
    if not labels and dims[1:] != (28, 28):
        raise DataError(t("train.data.bad_shape", path=path, shape="×".join(map(str, dims[1:]))))
    return dims


def _read_checked(path: Path, labels: bool) -> bytes:
    """The whole (decompressed) file, with its length and label values checked."""
    dims = read_header(path, labels)
    need = 4 + 4 * len(dims) + math.prod(dims)
    if dims[0] > MAX_ITEMS:
        raise DataError(t("err.data.header_lies", path=path, count=dims[0], need=need, have=0))
    try:
        with _open_idx(path) as handle:  # bounded (case 9): never more than the header's size + 1
            blob = handle.read(need + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(t("train.data.corrupt", path=path, why=error)) from error
    if len(blob) < need:
        raise DataError(t("train.data.truncated", path=path, have=len(blob), need=need))
    if len(blob) > need:
        raise DataError(t("train.data.trailing", path=path, have=len(blob), need=need))
    if labels and dims[0] and max(blob[8:]) > 9:
        raise DataError(t("train.data.bad_label", path=path, value=max(blob[8:])))
    return blob


def _check_sizes(files: dict[str, Path]) -> tuple[int, int]:
    """Header-only check (fast): counts agree between images and labels; file lengths match."""
    sizes = {}
    for role, path in files.items():
        labels = role.endswith("labels")
        dims = read_header(path, labels)
        need = 4 + 4 * len(dims) + dims[0] * (1 if labels else 28 * 28)
        if path.suffix != ".gz":
            have = path.stat().st_size
            if have < need:
                raise DataError(t("train.data.truncated", path=path, have=have, need=need))
            if have > need:
                raise DataError(t("train.data.trailing", path=path, have=have, need=need))
        else:  # case 20: a header's count checked against the size the gzip trailer records
            try:
                isize = _gz_isize(path)
            except (OSError, struct.error) as error:
                raise DataError(t("train.data.corrupt", path=path, why=error)) from error
            if dims[0] > MAX_ITEMS or need >= MAX_GZ_MEMBER:
                raise DataError(t("err.data.header_lies", path=path, count=dims[0], need=need, have=isize))
            if isize < need:
                raise DataError(t("train.data.truncated", path=path, have=isize, need=need))
            if isize > need:
                raise DataError(t("train.data.trailing", path=path, have=isize, need=need))
        sizes[role] = dims[0]
    for split in ("train", "test"):
        if sizes[f"{split}_images"] != sizes[f"{split}_labels"]:
            raise DataError(
                t(
                    "train.data.count_mismatch",
                    images=files[f"{split}_images"],
                    labels=files[f"{split}_labels"],
                    n_images=sizes[f"{split}_images"],
                    n_labels=sizes[f"{split}_labels"],
                )
            )
        if sizes[f"{split}_images"] == 0:
            raise DataError(t("train.data.empty", path=files[f"{split}_images"]))
    return sizes["train_images"], sizes["test_images"]


def _location(kind: str, directory: Path, files: dict[str, Path]) -> DataLocation:
    n_train, n_test = _check_sizes(files)
    return DataLocation(kind, str(directory), {r: str(p) for r, p in files.items()}, n_train, n_test)


# --- search order ---------------------------------------------------------------------
def network_available(timeout: float = NETWORK_TIMEOUT_S) -> bool:
    """True when the download mirror answers an HTTP HEAD for a real file within ``timeout``
    seconds, DNS included (the probe runs in a thread we stop waiting for): never hangs offline."""
    import urllib.request

    result: list[bool] = []

    def probe() -> None:
        try:
            request = urllib.request.Request(PROBE_URL, method="HEAD")
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - fixed https/http URL
                result.append(response.status == 200)
        except Exception:  # noqa: BLE001 - any failure means: no usable network
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def locate(data_dir: str | None = None, allow_sample: bool = True, allow_download: bool = True) -> DataLocation:
    """Where the data will come from; raises DataError when nothing usable is found.

    An explicit ``data_dir`` (or ``$NNLAB_DATA_DIR``) must hold the files: it is an error, not a
    fall-through, when it does not."""
    explicit = data_dir or os.environ.get("NNLAB_DATA_DIR") or None
    if explicit:
        directory = Path(explicit).expanduser()
        try:
            if not directory.is_dir():
                raise DataError(t("train.data.no_dir", path=directory))
            os.listdir(directory)  # case 17: unreadable or unenterable is one line, not a traceback
            if not os.access(directory, os.R_OK | os.X_OK):
                raise PermissionError(13, os.strerror(13))
        except OSError as error:  # and case 16: a name too long
            raise DataError(t("err.data.unreadable", path=directory, why=error.strerror or error)) from None
        files = _find_files(directory)
        if files is None:
            raise DataError(t("train.data.incomplete", path=directory, missing=", ".join(_missing(directory))))
        kind = "sample" if directory.resolve() == SAMPLE_DIR else "dir"
        return _location(kind, directory, files)
    cache = cache_dir() / "FashionMNIST" / "raw"
    if (files := _find_files(cache)) is not None:
        return _location("cache", cache, files)
    if (files := _find_files(SYSTEM_DIR)) is not None:
        return _location("system", SYSTEM_DIR, files)
    if allow_download and network_available():
        return DataLocation("download", str(cache_dir()))
    if allow_sample and (files := _find_files(SAMPLE_DIR)) is not None:
        return _location("sample", SAMPLE_DIR, files)
    raise DataError(t("train.data.not_found", cache=cache, system=SYSTEM_DIR))


# --- loading --------------------------------------------------------------------------
_memo: dict[tuple, FashionData] = {}
_memo_lock = threading.Lock()


def _fingerprint(files: dict[str, str]) -> str:
    digest = hashlib.sha1()
    for role in sorted(files):
        stat = os.stat(files[role])
        digest.update(f"{role}:{os.path.realpath(files[role])}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def _unpack(location: DataLocation) -> Path:
    """A torchvision root holding the files uncompressed under FashionMNIST/raw (unpacked once)."""
    files = {role: Path(p) for role, p in location.files.items()}
    direct = [p.parent for p in files.values()]
    if all(p.suffix != ".gz" for p in files.values()) and all(
        d.name == "raw" and d.parent.name == "FashionMNIST" and d == direct[0] for d in direct
    ):
        return direct[0].parent.parent  # already the layout torchvision wants
    if location.kind == "system":
        root = cache_dir()  # becomes the "cache" location next time
    elif location.kind == "sample":
        root = cache_dir() / "sample"
    else:
        root = cache_dir() / "unpacked" / _fingerprint(location.files)
    raw = root / "FashionMNIST" / "raw"
    try:
        raw.mkdir(parents=True, exist_ok=True)
    except OSError:  # HOME read-only (case 21): one private directory per user, reused by every run
        root = _temp_root(_fingerprint(location.files))
        raw = root / "FashionMNIST" / "raw"
        raw.mkdir(parents=True, exist_ok=True)
    for role, path in files.items():
        target = raw / FILES[role]
        if target.is_file() and target.stat().st_size > 0:  # unpacked (and checked) before
            continue
        atomic.write_bytes(target, _read_checked(path, role.endswith("labels")))
    return root


def _temp_root(fingerprint: str) -> Path:
    """``$TMPDIR/nnlab-<uid>/unpacked/<fingerprint>``: 0700 and ours, or a fresh temp directory
    removed at exit when that name is someone else's."""
    import tempfile

    base = Path(tempfile.gettempdir()) / f"nnlab-{os.getuid()}"
    try:
        base.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(base)
        if st.st_uid == os.getuid() and stat.S_ISDIR(st.st_mode) and not st.st_mode & 0o077:
            return base / "unpacked" / fingerprint
    except OSError:
        pass
    import atexit
    import shutil

    root = Path(tempfile.mkdtemp(prefix="nnlab-data-"))
    atexit.register(shutil.rmtree, root, True)
    return root


def _download() -> DataLocation:
    import socket

    from torchvision.datasets import FashionMNIST

    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(30)
    try:
        for train in (True, False):
            FashionMNIST(str(cache_dir()), train=train, download=True)
    except Exception as error:  # noqa: BLE001 - any network/HTTP failure becomes one clear message
        raise DataError(t("train.data.download_failed", why=error, system=SYSTEM_DIR)) from error
    finally:
        socket.setdefaulttimeout(old)
    cache = cache_dir() / "FashionMNIST" / "raw"
    files = _find_files(cache)
    if files is None:
        raise DataError(t("train.data.download_failed", why="files missing after download", system=SYSTEM_DIR))
    return _location("cache", cache, files)


def load(data_dir: str | None = None, allow_sample: bool = True, allow_download: bool = True) -> FashionData:
    """FashionMNIST as uint8 tensors, through torchvision's dataset class; memoised per process."""
    location = locate(data_dir, allow_sample=allow_sample, allow_download=allow_download)
    if location.kind == "download":
        location = _download()
    key = (location.kind, _fingerprint(location.files))
    with _memo_lock:
        if key in _memo:
            return _memo[key]
    root = _unpack(location)
    from torchvision.datasets import FashionMNIST

    try:
        train = FashionMNIST(str(root), train=True, download=False)
        test = FashionMNIST(str(root), train=False, download=False)
    except (RuntimeError, ValueError, OSError) as error:
        raise DataError(t("train.data.corrupt", path=root / "FashionMNIST" / "raw", why=error)) from error
    data = FashionData(
        train_x=train.data.contiguous(),
        train_y=train.targets.to(torch.int64).contiguous(),
        test_x=test.data.contiguous(),
        test_y=test.targets.to(torch.int64).contiguous(),
        source="sample" if location.is_sample else location.path,
        is_sample=location.is_sample,
        root=str(root),
    )
    with _memo_lock:
        _memo[key] = data
    return data


def synthetic(n_train: int = 512, n_test: int = 128, seed: int = 0) -> FashionData:
    """Tiny deterministic data a model can learn: one random 28×28 pattern per class plus noise."""
    gen = torch.Generator().manual_seed(seed)
    prototypes = torch.rand(10, 28, 28, generator=gen) * 200

    def make(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        labels = torch.arange(n) % 10
        labels = labels[torch.randperm(n, generator=gen)]
        noise = torch.randn(n, 28, 28, generator=gen) * 30
        images = (prototypes[labels] + noise).clamp(0, 255).round().to(torch.uint8)
        return images, labels.to(torch.int64)

    train_x, train_y = make(n_train)
    test_x, test_y = make(n_test)
    return FashionData(train_x, train_y, test_x, test_y, source="synthetic", is_sample=False)
