"""One key, one place: binding descriptions are catalog keys, translated when a node is built.

A binding declared as ``Binding("n", "next", "key.next")`` shows the translated text of
``key.next`` in the footer, the command palette and the help overlay. Where the catalog also
holds ``key.next.footer``, the footer shows that shorter label (every footer fits 80 columns in
both languages) and the help overlay and palette keep the full text. A ``Binding.Group`` whose
description is a catalog key (``PAGE_GROUP``) is translated too: the footer then shows its keys
once, under the group's short label (``[] Page``), while the help overlay keeps each key's own line.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding
from textual.dom import DOMNode

from nnlab.i18n import has, t

# Textual's own bindings, in its English, mapped to catalog keys so they are translated too.
TEXTUAL_BUILTINS = {
    "Focus Next": "key.focus_next",
    "Focus Previous": "key.focus_previous",
    "Copy selected text": "key.copy",
    "Quit": "key.quit",
    "Command palette": "key.palette",
    "Show keys": "key.help",
    "palette": "key.palette",
}


FOOTER = ".footer"  # "<key>.footer" in the catalog: the footer's shorter label for the key "<key>"

# `[` and `]` (previous / next page or panel) take one footer entry between them.
PAGE_GROUP = Binding.Group("key.page_group", compact=True)
PANEL_GROUP = Binding.Group("key.panel_group", compact=True)


def translate_bindings(node: DOMNode) -> None:
    """Replace catalog keys in ``node``'s binding descriptions by the current language's text."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [_translated(b) for b in bindings]


def _translated(binding):
    group = binding.group
    if group is not None and has(group.description):
        binding = replace(binding, group=replace(group, description=t(group.description)))
    key = TEXTUAL_BUILTINS.get(binding.description, binding.description)
    if not has(key):
        return binding
    if binding.tooltip and has(binding.tooltip):
        tooltip = t(binding.tooltip)
    elif key != binding.description:
        tooltip = ""  # Textual's own English tooltip ("Quit the app and ...") would stay untranslated
    else:
        tooltip = binding.tooltip
    if has(key + FOOTER):  # a short footer label; the full text becomes the tooltip, read by help and palette
        return replace(binding, description=t(key + FOOTER), tooltip=tooltip or t(key))
    return replace(binding, description=t(key), tooltip=tooltip)


def full_label(binding: Binding) -> str:
    """What a key does, in full: the help overlay and the palette show this, the footer its label."""
    return binding.tooltip or binding.description
