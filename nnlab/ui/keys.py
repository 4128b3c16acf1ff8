"""One key, one place: binding descriptions are catalog keys, translated when a node is built.

A binding declared as ``Binding("n", "next", "key.next")`` shows the translated text of
``key.next`` in the footer, the command palette and the help overlay.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from nnlab.i18n import has, t


def translate_bindings(node: DOMNode) -> None:
    """Replace catalog keys in ``node``'s binding descriptions by the current language's text."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [
            replace(b, description=t(b.description), tooltip=t(b.tooltip) if has(b.tooltip) else b.tooltip)
            if has(b.description)
            else b
            for b in bindings
        ]
