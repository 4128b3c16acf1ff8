"""FashionMNIST facts every layer shares: class names, image size, split sizes, preview count."""

from __future__ import annotations

CLASSES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
NUM_CLASSES = len(CLASSES)
IMAGE_SIDE = 28  # pixels; an image is IMAGE_SIDE x IMAGE_SIDE, uint8
INPUT_FEATURES = IMAGE_SIDE**2  # 784: the model's input width
TRAIN_SIZE = 60_000  # the full training split
TEST_SIZE = 10_000  # the full test split
PREVIEW_COUNT = 16
ANATOMY_MAX_IMAGES = 8  # test images the Anatomy view walks through at most                # test images 0..15: the Insight grid and their predictions


def class_name(index: int, lang: str | None = None) -> str:
    """Class ``index``'s name in the interface language (``CLASSES`` holds the English ones)."""
    from nnlab.i18n import t  # here: the data layer stays importable without the catalogs loaded

    return t(f"class.{index}", lang=lang)


def class_names(lang: str | None = None) -> tuple[str, ...]:
    """All ten names in the interface language, in label order (what the UI should show)."""
    return tuple(class_name(i, lang) for i in range(NUM_CLASSES))
