"""Textual's Footer, recomposed once for a burst of binding changes.

Showing a screen publishes several changes of its bindings in a row (the old screen suspended,
the new one's focus set twice, its resume, its descendants focused, ...), and Textual's Footer
recomposes for each: every key mounted and styled again, eight times, a quarter of what the UI
thread does while a big session opens. This one skips a change while its recompose for an
earlier one is still to come: that recompose reads the screen's bindings as they are then.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class CalmFooter(Footer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._due = False  # a recompose is asked for and has not begun

    def bindings_changed(self, screen: Screen) -> None:
        if self._due and screen is self.screen:
            return
        super().bindings_changed(screen)
        # (as Textual's Footer decides whether to recompose)
        self._due = bool(screen.app.app_focus and self.is_attached and screen is self.screen)

    async def recompose(self) -> None:
        self._due = False
        await super().recompose()
