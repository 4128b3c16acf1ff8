"""RedrawWhenShown: a widget whose content changes while its page is hidden is redrawn just after
the page appears, not while the page switch waits for it.

A hidden page's widgets still get their data (a chart its points, the confusion matrix each
epoch), and each change calls ``refresh()``, which marks every line of the widget for rendering.
Shown again, the page then waited for all of them: 2-6 ms a widget while training, a third of a
switch to Insight (issue 13 item 16). With this mixin a repaint asked for while the widget is off
screen is only noted: the switch draws the page from the lines the widget last rendered (its
drawing of a moment ago), and the widget repaints on its ``Show``, which Textual sends after
that frame, so the new data follows in the next one (~17 ms later at 60 fps).

Off screen means between a ``Hide`` and the next ``Show``: Textual sends them to every widget that
leaves or joins the screen's layout. A refresh that changes the layout (or recomposes) is never
held back. A widget never shown yet renders normally.
"""

from __future__ import annotations


class RedrawWhenShown:
    """Put before the Widget class: ``class Chart(RedrawWhenShown, Widget)``."""

    _off_screen = False  # between a Hide and the next Show
    _repaint_when_shown = False  # a repaint asked for meanwhile

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        if self._off_screen and repaint and not layout and not recompose:
            self._repaint_when_shown = True
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def on_hide(self) -> None:
        self._off_screen = True

    def on_show(self) -> None:
        self._off_screen = False
        if self._repaint_when_shown:
            self._repaint_when_shown = False
            self.refresh()  # the frame that showed the page is out: this is the next one
