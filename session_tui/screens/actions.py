"""Export, shared by the list and the session screen: the dialog asks, a worker writes."""

from __future__ import annotations

import re
from pathlib import Path

from ..text import plural


def default_export_name(app_name: str, session_id: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", f"{app_name}-{session_id[:8]}").strip("_") or "session"
    return f"{stem}.json"


class ExportMixin:
    """A screen that can export: it says which sessions (`export_targets`)."""

    def export_targets(self) -> list[str]:
        raise NotImplementedError

    def action_export(self) -> None:
        from ..dialogs.export import ExportDialog

        ids = self.export_targets()
        if not ids:
            self.notify("No session to export", severity="warning")
            return
        store = self.app.store
        first = next((r for r in store.list() if r["id"] == ids[0]), None)
        name = default_export_name(first["app_name"] if first else "session", ids[0])
        # A bare name means the current folder, which is where the user started the app.
        default = self.app.config.export_dir / name if self.app.config.export_dir else Path(name)
        self.app.push_screen(ExportDialog(str(default), len(ids)),
                             lambda request: self._export(ids, request))

    def _export(self, ids: list[str], request) -> None:
        if request is None:
            return
        from ..formats import exporting

        def job() -> list[Path]:
            sessions = [self.app.store.get(i) for i in ids]
            return exporting.export(sessions, request.path, request.format, request.overwrite)

        def done(paths: list[Path]) -> None:
            self.notify(f"Exported {plural(len(ids), 'session')} to {', '.join(str(p) for p in paths)}",
                        title="Exported", markup=False)

        self.app.run_store(job, done, group="export")
