"""Export, shared by the list and the session screen: the dialog asks, a worker writes."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

from textual import work

from ..text import plural


def default_export_name(app_name: str, session_id: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", f"{app_name}-{session_id[:8]}").strip("_") or "session"
    return f"{stem}.json"


class ExportMixin:
    """A screen that can export: it says which sessions (`export_targets`) and the app name of
    the first (`export_app_name`: the file is named after it), from what it shows."""

    def export_targets(self) -> list[str]:
        raise NotImplementedError

    def export_app_name(self) -> str | None:
        raise NotImplementedError

    def action_export(self) -> None:
        from ..dialogs.export import ExportDialog

        ids = self.export_targets()
        if not ids:
            self.notify("No session to export", severity="warning")
            return
        app_name = self.export_app_name()
        name = default_export_name(app_name if app_name is not None else "session", ids[0])
        # A bare name means the current folder, which is where the user started the app.
        default = self.app.config.export_dir / name if self.app.config.export_dir else Path(name)
        self.app.push_screen(ExportDialog(str(default), len(ids)), partial(self._export_answered, ids))

    def _export_answered(self, ids: list[str], request) -> None:
        if request is not None:
            self._export(ids, request)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, ids: list[str], request) -> None:
        from ..formats import exporting

        sessions = [self.app.store.get(i) for i in ids]
        paths = exporting.export(sessions, request.path, request.format, request.overwrite)
        self.app.call_from_thread(self._exported, ids, paths)

    def _exported(self, ids: list[str], paths: list[Path]) -> None:
        self.notify(f"Exported {plural(len(ids), 'session')} to {', '.join(str(p) for p in paths)}",
                    title="Exported", markup=False)
