"""One message catalog for every user-facing string, in English and Chinese.

Each module in ``nnlab.i18n.messages`` defines ``MESSAGES = {key: (english, chinese)}``;
they are merged into one catalog (a key defined twice is an error). ``t(key, **fields)``
formats the string of the current language. Numbers and formulas are passed in as fields,
so they are the same in both languages.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Mapping

LANGS = ("en", "zh")
_lang = "en"
_catalog: dict[str, tuple[str, str]] | None = None


def detect_lang(env: Mapping[str, str] | None = None) -> str:
    """Language from LC_ALL, then LC_MESSAGES, then LANG: ``zh*`` → Chinese, else English."""
    env = os.environ if env is None else env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_lang(lang: str) -> None:
    global _lang
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    _lang = lang


def get_lang() -> str:
    return _lang


def catalog() -> dict[str, tuple[str, str]]:
    """The merged catalog, loaded once."""
    global _catalog
    if _catalog is None:
        from nnlab.i18n import messages as package

        merged: dict[str, tuple[str, str]] = {}
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for key, pair in module.MESSAGES.items():
                if key in merged:
                    raise RuntimeError(f"message key {key!r} defined twice (in {info.name})")
                merged[key] = pair
        _catalog = merged
    return _catalog


def t(key: str, lang: str | None = None, **fields: object) -> str:
    """The message ``key`` in the current (or given) language, formatted with ``fields``."""
    pair = catalog().get(key)
    if pair is None:
        raise KeyError(f"no message {key!r} in the catalog")
    text = pair[LANGS.index(lang or _lang)]
    return text.format(**fields) if fields else text


def has(key: str) -> bool:
    return key in catalog()
