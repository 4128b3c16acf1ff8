"""Message catalog modules; each defines MESSAGES = {key: (en, zh)}."""
