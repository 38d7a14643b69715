"""Textual's Footer, drawn once for any number of binding changes in a row.

Textual's Footer rebuilds all its keys (a widget each, styled one by one) every time the
screen says its bindings changed, and a screen says so several times as it starts (pushed,
focus given, the stack updated): five rebuilds of the session list's dozen keys before its
first rows were drawn, a tenth of a second. A rebuild reads the screen's bindings when it runs,
so one queued rebuild shows every change made before it: while one is queued, further
changes need none of their own. And a change that leaves the keys shown as they were (the
focus moving into the filter: the keys of an input are not shown) needs no rebuild at all.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter

__all__ = ["Footer"]


class Footer(TextualFooter):
    """The footer (same look, same CSS type `Footer`): one rebuild queued at a time."""

    _rebuild_queued = False
    _built_for: tuple | None = None  # what the keys were last built from (`_shown()`)

    def bindings_changed(self, screen: Screen) -> None:
        if self._rebuild_queued and screen is self.screen:
            return  # the rebuild on its way reads the bindings as they are then
        super().bindings_changed(screen)
        # (Textual queues a rebuild only for its own screen, attached, with the app focused.)
        self._rebuild_queued = (screen.app.app_focus and self.is_attached
                                and screen is self.screen)

    async def recompose(self) -> None:
        self._rebuild_queued = False
        shown = self._shown()
        if shown == self._built_for:
            return
        self._built_for = shown
        await super().recompose()

    def _shown(self) -> tuple:
        """Everything Footer.compose draws its keys from (Binding is a frozen dataclass)."""
        if not self.is_attached:
            return ()
        active = self.screen.active_bindings
        return (self.compact, self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE,
                tuple((binding, enabled, tooltip)
                      for (_node, binding, enabled, tooltip) in active.values() if binding.show),
                active.get(self.app.COMMAND_PALETTE_BINDING, (None,))[1:])
