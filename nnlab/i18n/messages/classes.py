"""FashionMNIST's ten class names (the English ones are nnlab.run.dataset.CLASSES)."""

MESSAGES = {
    "class.0": ("T-shirt/top", "T恤/上衣"),
    "class.1": ("Trouser", "裤子"),
    "class.2": ("Pullover", "套头衫"),
    "class.3": ("Dress", "连衣裙"),
    "class.4": ("Coat", "外套"),
    "class.5": ("Sandal", "凉鞋"),
    "class.6": ("Shirt", "衬衫"),
    "class.7": ("Sneaker", "运动鞋"),
    "class.8": ("Bag", "包"),
    "class.9": ("Ankle boot", "短靴"),
}
