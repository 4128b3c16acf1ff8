"""PageBar + PageSwitcher: the dashboard's pages without ``TabbedContent`` (issue 13 item 16).

``TabbedContent`` costs a page switch a chain of watchers and messages (Tabs, ContentTab,
TabActivated, a 0.3 s underline animation redrawn every frame while training runs) and seven
widgets and one more full-screen container to lay out and draw; measured at 80x24 that was
about a fifth of a switch. Here the bar is one widget of two lines drawn as Textual's tabs are
(the labels, then the underline bar under the current one) and the pages sit in a plain
``ContentSwitcher``; ``PageSwitcher.active`` reads and sets the current page as
``TabbedContent.active`` did.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.renderables.bar import Bar
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import ContentSwitcher


class PageBar(Widget):
    """`` Setup  Live  Insight  Runs `` over an underline bar marking the current page. A click on a
    label shows its page."""

    DEFAULT_CSS = """
    PageBar { height: 2; width: 1fr; }
    PageBar > .page-bar--tab { color: $foreground 50%; }
    PageBar > .page-bar--active { color: $foreground; }
    PageBar > .page-bar--bar { color: $block-cursor-background; background: $foreground 10%; }
    PageBar:ansi > .page-bar--tab { text-style: dim; }
    PageBar:ansi > .page-bar--active { text-style: not dim bold; }
    PageBar:ansi > .page-bar--bar { color: $block-cursor-background; background: $border-blurred; }
    """

    COMPONENT_CLASSES = {"page-bar--tab", "page-bar--active", "page-bar--bar"}

    def __init__(self, pages: list[tuple[str, str]], switcher: PageSwitcher, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pages = pages  # (id, title)
        self.switcher = switcher
        switcher.bar = self
        self._kept = None

    def spans(self) -> list[tuple[str, int, int]]:
        """(page id, first cell, end cell) of each label, as Tabs lays them out (padding 0 1)."""
        out, x = [], 0
        for page, title in self.pages:
            width = cell_len(title)
            out.append((page, x + 1, x + 1 + width))
            x += width + 2
        return out

    def render_line(self, y: int) -> Strip:
        """Line 0: the labels; line 1: the underline bar, as Tab and Underline draw them (padding
        cells background only). Kept until the page, the width or the theme changes."""
        key = (self.switcher.current, self.size.width, self.app.current_theme.name, self.app.ansi_color)
        if self._kept is None or self._kept[0] != key:
            self._kept = (key, self._lines(key[0], self.size.width))
        lines = self._kept[1]
        return lines[y] if 0 <= y < len(lines) else Strip.blank(self.size.width)

    def _lines(self, active: str | None, width: int) -> list[Strip]:
        tab = self.get_component_rich_style("page-bar--tab")
        current = self.get_component_rich_style("page-bar--active")
        bar = self.get_component_rich_style("page-bar--bar")
        pad = Style(bgcolor=tab.bgcolor)
        segments, highlight = [], (0, 0)
        for (page, title), (_, start, end) in zip(self.pages, self.spans()):
            segments += [Segment(" ", pad), Segment(title, current if page == active else tab), Segment(" ", pad)]
            if page == active:
                highlight = (start, end)
        used = sum(segment.cell_length for segment in segments)
        if used < width:
            segments.append(Segment(" " * (width - used), pad))
        console = self.app.console
        underline = Bar(
            highlight_range=highlight,
            highlight_style=Style.from_color(bar.color),
            background_style=Style.from_color(bar.bgcolor),
        )
        rendered = console.render_lines(underline, console.options.update_width(width), new_lines=False)
        return [Strip(segments).crop(0, width), Strip(rendered[0]).apply_style(pad)]

    def on_click(self, event: events.Click) -> None:
        for page, start, end in self.spans():
            if start - 1 <= event.x < end + 1:
                self.switcher.active = page
                return


class PageSwitcher(ContentSwitcher):
    """A ContentSwitcher whose ``active`` (the current page's id) also moves its PageBar."""

    bar: PageBar | None = None

    @property
    def active(self) -> str:
        return self.current or ""

    @active.setter
    def active(self, page: str) -> None:
        self.current = page

    def watch_current(self, old: str | None, new: str | None) -> None:
        """Hide the old page and show the new one, moving the focus in the same pass: left to
        itself, Textual blurs a hidden page's focused widget after the layout and the page's own
        ``on_show`` focuses after the next, each a further full refresh (two of the three or four
        a switch to Setup or Runs cost, issue 13 item 16)."""
        screen = self.screen
        focused = screen.focused
        leaving = self._page(old)
        if focused is not None and leaving is not None and leaving in focused.ancestors:
            screen.set_focus(None, scroll_visible=False)
        super().watch_current(old, new)
        page = self._page(new)
        first = getattr(page, "focus_on_show", None)
        target = first() if callable(first) else None
        if target is not None and screen.focused is None:
            screen.set_focus(target, scroll_visible=False)
        if self.bar is not None:
            self.bar.refresh()

    def _page(self, page_id: str | None):
        if not page_id:
            return None
        try:
            return self.get_child_by_id(page_id)
        except Exception:  # noqa: BLE001 - NoMatches: no such page
            return None
