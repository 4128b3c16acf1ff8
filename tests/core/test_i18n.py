"""The message catalog: complete in both languages, consistent fields, language detection."""

from __future__ import annotations

import re
import string

import pytest

from nnlab import i18n
from nnlab.i18n import catalog, detect_lang, set_lang, t

CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_english_and_chinese_with_the_same_fields():
    for key, (en, zh) in catalog().items():
        assert en.strip(), f"{key}: empty English"
        assert zh.strip(), f"{key}: empty Chinese"
        assert _fields(en) == _fields(zh), f"{key}: fields differ between languages"


def test_chinese_messages_are_chinese():
    """A Chinese entry that is just the English copied over is a missing translation."""
    untranslated = [
        key
        for key, (en, zh) in catalog().items()
        if zh == en
        and re.search(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}", "", en))
        and not CJK.search(zh)
        and key
        not in {"app.title", "dash.opt.adam", "foreign.source.track", "foreign.source.tensorboard"}  # proper names
    ]
    assert untranslated == []


def test_language_detection_from_the_environment():
    assert detect_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert detect_lang({"LANG": "en_US.UTF-8"}) == "en"
    assert detect_lang({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}) == "zh"
    assert detect_lang({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}) == "en"
    assert detect_lang({}) == "en"


def test_t_follows_the_current_language_and_formats_fields():
    assert t("mode.neuron") == "Neuron"
    set_lang("zh")
    assert t("mode.neuron") == "神经元"
    assert "3" in t("num.too_long", limit=3)
    with pytest.raises(ValueError):
        set_lang("fr")


def test_unknown_keys_fail_loudly():
    with pytest.raises(KeyError):
        t("no.such.key")


def test_duplicate_keys_are_refused(monkeypatch, tmp_path):
    import sys
    import types

    from nnlab.i18n import messages

    dup = types.ModuleType("nnlab.i18n.messages.zz_dup")
    dup.MESSAGES = {"mode.neuron": ("x", "x")}
    (tmp_path / "zz_dup.py").write_text("MESSAGES = {'mode.neuron': ('x', '是')}\n")
    monkeypatch.setattr(messages, "__path__", list(messages.__path__) + [str(tmp_path)])
    monkeypatch.setattr(i18n, "_catalog", None)
    monkeypatch.delitem(sys.modules, "nnlab.i18n.messages.zz_dup", raising=False)
    with pytest.raises(RuntimeError, match="defined twice"):
        catalog()
    monkeypatch.setattr(i18n, "_catalog", None)


def test_fashion_mnist_class_names_have_chinese_names_and_match_the_dataset():
    """Issue 13.11: the ten classes in Chinese; the English catalog entries are CLASSES themselves."""
    from nnlab.run.dataset import CLASSES, class_names

    assert class_names("en") == CLASSES
    assert class_names("zh") == ("T恤/上衣", "裤子", "套头衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包", "短靴")


def test_a_backprop_pass_and_an_epoch_are_two_words_in_chinese():
    """Issue 13.11: 轮 is an epoch (轮数, 第 N 轮); a backprop pass is 遍 (第 1 遍)."""
    from nnlab.i18n import catalog

    for key, (english, chinese) in catalog().items():
        if key.startswith("bp.") and "pass" in english.lower():  # a backprop pass (one forward + backward)
            assert "轮" not in chinese, key
        if "epoch" in english.lower():
            assert "遍" not in chinese, key
    assert "轮" in t("dash.setup.epochs", lang="zh")
