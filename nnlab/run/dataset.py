"""FashionMNIST facts every layer shares: class names, image size, split sizes, preview count."""

from __future__ import annotations

CLASSES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
NUM_CLASSES = len(CLASSES)
IMAGE_SIDE = 28                   # pixels; an image is IMAGE_SIDE x IMAGE_SIDE, uint8
INPUT_FEATURES = IMAGE_SIDE ** 2  # 784: the model's input width
TRAIN_SIZE = 60_000               # the full training split
TEST_SIZE = 10_000                # the full test split
PREVIEW_COUNT = 16                # test images 0..15: the Insight grid and their predictions
