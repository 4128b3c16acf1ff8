"""Cut the shipped Fashion-MNIST sample from the real files: the first 600 training and the first
100 test images of each class (original order kept), written in the original idx .gz format.

    .venv/bin/python tools/make_fashion_sample.py [/usr/share/datasets/fashion-mnist]
"""

from __future__ import annotations

import gzip
import struct
import sys
from pathlib import Path

SOURCE = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist")
TARGET = Path(__file__).resolve().parents[1] / "nnlab" / "assets" / "fashion-mnist-sample"
PER_CLASS = {"train": 600, "t10k": 100}


def read(name: str) -> bytes:
    return gzip.decompress((SOURCE / f"{name}.gz").read_bytes())


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for split, per_class in PER_CLASS.items():
        images, labels = read(f"{split}-images-idx3-ubyte"), read(f"{split}-labels-idx1-ubyte")
        label_bytes = labels[8:]
        taken, picked = [0] * 10, []
        for i, label in enumerate(label_bytes):
            if taken[label] < per_class:
                taken[label] += 1
                picked.append(i)
        n = len(picked)
        out_images = struct.pack(">HBBIII", 0, 8, 3, n, 28, 28) + b"".join(
            images[16 + i * 784 : 16 + (i + 1) * 784] for i in picked
        )
        out_labels = struct.pack(">HBBI", 0, 8, 1, n) + bytes(label_bytes[i] for i in picked)
        for name, blob in (
            (f"{split}-images-idx3-ubyte.gz", out_images),
            (f"{split}-labels-idx1-ubyte.gz", out_labels),
        ):
            # mtime=0: the same bytes on every run, so the files only change when the cut does
            (TARGET / name).write_bytes(gzip.compress(blob, compresslevel=9, mtime=0))
        print(f"{split}: {n} images ({per_class} per class)")


if __name__ == "__main__":
    main()
