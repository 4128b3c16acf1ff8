"""Before the app replaces a file this session did not write (an export, a run's --save file), it asks."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from nnlab.i18n import t


def may_write(app, paths: Iterable, written: set[str], proceed: Callable[[], None], force: bool = False) -> bool:
    """True when ``paths`` may be written now: none exists, this session wrote them, or --force.
    Otherwise shows ConfirmOverwrite and returns False; a yes records the paths in ``written``
    and calls ``proceed()``, a no leaves every file as it is and says so."""
    from nnlab.fs.paths import existing

    paths = [p for p in paths if p]
    clash = [p for p in existing(paths) if str(p) not in written]
    if not clash or force:
        written.update(str(p) for p in paths)
        return True
    from nnlab.ui.shared.confirm_overwrite import ConfirmOverwrite

    def answered(yes: bool | None) -> None:
        if yes:
            written.update(str(p) for p in paths)
            proceed()
        else:
            app.notify(t("safe.overwrite.kept"), timeout=4)

    app.push_screen(ConfirmOverwrite(clash), answered)
    return False
