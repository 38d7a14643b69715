"""The Textual app: one factory (`build_app`) used by the CLI, `serve` and the tests.

The app owns the store; its screens talk to it in thread workers (screens/workers.py), so no
screen freezes; a one-second stat check notices changes made by other processes.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from .screens.workers import ReportsWorkerErrors
from .store import CorruptFile, NotAStore, ReadOnlyStore, Store, open_store
from .undo_log import UndoLog


class Notice(NamedTuple):
    """A notification as the app showed it."""

    title: str
    message: str
    severity: str


@dataclass
class AppConfig:
    """What tests and screenshots pin down: no cursor blink, no background polling."""

    watch: bool = True  # poll the store for changes made by other processes
    poll_interval: float = 1.0
    cursor_blink: bool = True
    export_dir: Path | None = None  # where the export dialog proposes files (default: cwd)
    # A file to import, offered on start (`session-tui FILE` with a file that is not a store).
    pending_import: Path | None = None
    # Where the theme is remembered (None: not at all, as in tests and screenshots).
    settings: Path | None = None
    # Now, as a Unix time: whether a session changed seconds ago (an agent may be running).
    clock: Callable[[], float] = time.time


def store_title(path: Path) -> str:
    """The store's name in the title: its file or folder name; an agent's `.adk/session.db` (every
    agent's is called so) with the agent folder's name."""
    if path.name == "session.db" and path.parent.name == ".adk" and path.parent.parent.name:
        return f"{path.parent.parent.name}/.adk/session.db"
    return path.name


class SessionTuiApp(ReportsWorkerErrors, App[int]):
    TITLE = "session-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("q", "quit", "Quit", show=False),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(self, store: Store, config: AppConfig | None = None):
        super().__init__()
        self.store = store
        self.config = config or AppConfig()
        self.cursor_blink = self.config.cursor_blink
        # Every notification as shown, newest last (the latest 200): Textual forgets a toast
        # once its timeout passes, and tests (and a future log view) need what was said.
        self.notices: list[Notice] = []
        self.undo_log = UndoLog()  # this run's changes, newest last: what `u` on the list undoes
        self.sub_title = store_title(store.path)  # the name: screenshots do not depend on where

    def on_mount(self) -> None:
        from .screens.sessions import SessionsScreen

        self._restore_theme()

        sessions = SessionsScreen()
        self.push_screen(sessions)
        if self.config.pending_import is not None:
            self.call_later(sessions.open_import, str(self.config.pending_import), True)
        if self.config.watch:
            self.set_interval(self.config.poll_interval, self.check_for_changes)

    def _restore_theme(self) -> None:
        if self.config.settings is None:
            return
        from .settings import load_settings

        theme = load_settings(self.config.settings).get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme) -> None:
        from .settings import save_setting

        save_setting(self.config.settings, "theme", theme.name)

    # -- background work ---------------------------------------------------------------------
    def switch_store(self, store: Store) -> None:
        """Work on another store from now on (an import into a new store beside its file)."""
        if store is self.store:
            return
        old, self.store = self.store, store
        self.sub_title = store_title(store.path)
        self.undo_log.clear()  # changes of the other store: `u` must not undo them here
        old.close()
        self.show_read_only()

    # -- a read-only store -------------------------------------------------------------------
    def show_read_only(self) -> None:
        """Every screen's banner follows the store (a TinyDB file may turn out read-only only
        when its first change cannot take the lock)."""
        from .widgets.read_only_banner import ReadOnlyBanner

        for screen in self.screen_stack:
            for banner in screen.query(ReadOnlyBanner):
                banner.show_store(self.store)

    def refuse_if_read_only(self) -> bool:
        """Say why a change cannot be made, instead of trying it: True when refused."""
        if not self.store.read_only:
            return False
        self.notify(f"{self.store.read_only_reason}: nothing can be changed", title="Read-only",
                    severity="warning", timeout=6)
        return True

    def notify(self, message: str, *, title: str = "", severity="information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification (screens and widgets send theirs here): messages quote agent text
        (session ids, keys, file names), which must reach the terminal neither as control
        characters nor as markup. Markup is always off: Widget.notify passes markup=True by
        default, and no message here is meant as markup."""
        from .text import safe

        shown, heading = safe(message), safe(title, multiline=False)
        self.notices = [*self.notices[-199:], Notice(heading, shown, severity)]
        super().notify(shown, title=heading, severity=severity, timeout=timeout, markup=False)

    def report_error(self, exc: Exception) -> None:
        if isinstance(exc, ReadOnlyStore):
            self.show_read_only()
        self.notify(" ".join(str(exc).split()) or type(exc).__name__, title="Not done",
                    severity="error", markup=False, timeout=8)

    @work(thread=True, group="poll", exclusive=True, exit_on_error=False)
    def check_for_changes(self) -> None:
        """A stat or two, off the UI thread: when something changed, the store re-reads its
        index (under the lock another writer may hold), and the screens get the summaries with
        the change notice (StoreChanged)."""
        if self.store.poll():
            self.call_from_thread(self._store_changed, self.store.list())

    def _store_changed(self, rows: list[dict[str, Any]]) -> None:
        from .messages import StoreChanged

        for screen in self.screen_stack:
            screen.post_message(StoreChanged(rows))

    # -- everything the palette and the help screen list -------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from .screens.keys import FOOTER_FIRST  # the app's own keys, listed once

        yield from super().get_system_commands(screen)
        for node in (screen, self):
            for binding in getattr(node, "BINDINGS", []):
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                if binding.action in ("quit", "command_palette") or binding in FOOTER_FIRST:
                    continue
                if not node.check_action(binding.action, ()):
                    continue  # not live here (e.g. rewind while the tree has the focus)
                action = binding.action
                yield SystemCommand(
                    f"{binding.description}",
                    f"key: {self.keys_of(binding)}",
                    lambda node=node, action=action: self.call_later(node.run_action, action),
                )

    def keys_of(self, binding: Binding) -> str:
        """`u / ^z` for a binding of several keys (`u,ctrl+z`), as the footer shows each."""
        return " / ".join(self.get_key_display(Binding(key.strip(), binding.action))
                          for key in binding.key.split(","))

    def action_help(self) -> None:
        from .dialogs.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        from .screens.keys import FOOTER_FIRST  # the app's own keys, listed once

        sections = []
        screen = self.screen
        for title, node in ((getattr(screen, "HELP_TITLE", "This screen"), screen), ("Everywhere", self)):
            rows = [(self.keys_of(b), b.description) for b in getattr(node, "BINDINGS", [])
                    if isinstance(b, Binding) and b.description and b not in FOOTER_FIRST]
            if rows:
                sections.append((title, rows))
        for title, rows in getattr(screen, "HELP_EXTRA", []):
            sections.append((title, rows))
        sections.append(("Palette and themes", [("ctrl+p", "command palette: every action, "
                                                  "themes (\"Theme\", remembered), screenshots")]))
        return sections


def build_app(path: str | os.PathLike | None = None, *, store: Store | None = None,
              config: AppConfig | None = None,
              default_store: Store | str | os.PathLike | None = None,
              read_only: bool = False) -> SessionTuiApp:
    """The one way to make the app. Raises StoreError (one line) when PATH cannot be used.

    PATH is anything `opening.open_any` opens: a store folder, a TinyDB file, an ADK session
    database (a SQLite file of either layout, an agent folder holding `.adk/session.db`, a
    `sqlite:///` or `postgresql://` URL), opened in place. A PATH that is a file of sessions to
    import rather than a store (ADK JSON, session JSON or JSON Lines: by content) opens the default store (`default_store`, else
    $SESSION_TUI_STORE or the per-user folder) and offers to import the file on start.
    `read_only`: open the store read-only (a store that cannot be written opens so anyway)."""
    from .formats import reading
    from .opening import open_any

    if store is None:
        # Opening is checked here (one line on stderr if PATH is unusable); bringing a big
        # store's index up to date happens in a worker, with progress (SessionsScreen).
        try:
            store = open_any(path, create=False, load=False, read_only=read_only)
        except (NotAStore, CorruptFile):
            if path is None:
                raise
            if reading.importable_kind(Path(path)) is None:
                reading.refuse_eval_file(Path(path))  # say what it is, not "a broken store"
                raise
            if isinstance(default_store, Store):
                store = default_store
            else:
                store = open_store(default_store, create=not read_only, load=False,
                                   read_only=read_only)
            config = replace(config or AppConfig(), pending_import=Path(path))
    return SessionTuiApp(store, config)
