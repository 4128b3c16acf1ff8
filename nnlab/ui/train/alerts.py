"""Terminal alerts: the bell plus a desktop notification through the terminal (OSC 9 and OSC 777).

Many terminals turn ``ESC ] 9 ; text BEL`` (iTerm2, Windows Terminal, ConEmu, kitty) or
``ESC ] 777 ; notify ; title ; body BEL`` (urxvt, foot, VTE terminals such as GNOME Terminal,
WezTerm) into a desktop notification, and both travel over SSH as plain output. A terminal that
knows neither ignores them. The text is the run's own (a path can hold anything): control
characters are dropped, and ``;`` in OSC 777's title would split its fields, so it is replaced.
"""

from __future__ import annotations

BEL = "\a"


def _clean(text: str, limit: int = 200) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text)[:limit]


def alert_sequence(title: str, body: str) -> str:
    """The bell, then OSC 9 (title: body) and OSC 777 (notify; title; body)."""
    title, body = _clean(title, 80), _clean(body)
    return BEL + f"\x1b]9;{title}: {body}{BEL}" + f"\x1b]777;notify;{title.replace(';', ',')};{body}{BEL}"
