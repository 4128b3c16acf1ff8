"""One key, one place: binding descriptions are catalog keys, translated when a node is built.

A binding declared as ``Binding("n", "next", "key.next")`` shows the translated text of
``key.next`` in the footer, the command palette and the help overlay.
"""

from __future__ import annotations

from dataclasses import replace

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


def translate_bindings(node: DOMNode) -> None:
    """Replace catalog keys in ``node``'s binding descriptions by the current language's text."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [_translated(b) for b in bindings]


def _translated(binding):
    key = TEXTUAL_BUILTINS.get(binding.description, binding.description)
    if not has(key):
        return binding
    tooltip = t(binding.tooltip) if binding.tooltip and has(binding.tooltip) else binding.tooltip
    return replace(binding, description=t(key), tooltip=tooltip)
