"""Importing from the session list: the dialog, then every file read and the sessions written in
one store call (all or nothing) in a worker, progress on the status line, and one notification
that accounts for every session given."""

from __future__ import annotations

from pathlib import Path

from textual import work

from ..text import one_line, plural
from ..undo_log import ImportChange
from .workers import one_line_error


class ImportsSessions:
    """Mixed into SessionsScreen: needs `_importing`, `reload` and `_update_status` from it."""

    def action_import(self) -> None:
        self.open_import()

    def open_import(self, default_path: str = "", target_choices: bool = False) -> None:
        """The import dialog; `target_choices`: also offer a new store beside the file."""
        from ..dialogs.import_dialog import ImportDialog

        if self._importing:
            self.notify("An import is running: wait for it to finish", severity="warning")
            return
        # (A file given on start may still go into a new store beside it: the dialog offers it.)
        if not target_choices and self.app.refuse_if_read_only():
            return
        if not target_choices and not self.app.store.can_import:
            self.notify("Not imported: an ADK database keeps the sessions ADK writes; import "
                        "into a session-tui store instead (session-tui import FILE --store STORE)",
                        severity="warning", markup=False)
            return
        label = f"the store {shown_path(self.app.store.path)}"
        self.app.push_screen(ImportDialog(default_path, target_choices=target_choices,
                                          store_label=label), self._import)

    def _import(self, request) -> None:
        """Read every file first (nothing is imported if one is bad), then import them all in
        one store call (all or nothing), in a worker; progress on the status line."""
        if request is None:
            return
        self._importing = True
        self.show_status(f"Import: reading {plural(len(request.paths), 'file')}…")
        self._run_import(request)

    @work(thread=True, group="import", exit_on_error=False)
    def _run_import(self, request) -> None:
        try:
            store, sessions, report = self._read_and_import(request)
        except Exception as exc:  # noqa: BLE001 - every failure: "Nothing imported"
            self.app.call_from_thread(self._import_failed, one_line_error(exc))
            return
        self.app.call_from_thread(self._imported, request, store, sessions, report)

    def _read_and_import(self, request):
        """(In the worker.) The sessions of every file, then the store they go into and what
        the import did there."""
        from ..formats import reading
        from ..store import open_store

        sessions = []
        for k, path in enumerate(request.paths, 1):
            self._say(f"Import: reading {path.name} (file {k} of {len(request.paths)})…")
            sessions.extend(reading.read_path(path))
        store = self.app.store
        if request.target == "beside":
            store = open_store(request.beside_path, create=True)
        self._say(f"Import: writing {plural(len(sessions), 'session')} into {store.path.name}…")
        return store, sessions, store.import_sessions(sessions, request.on_conflict)

    def _say(self, text: str) -> None:
        self.app.call_from_thread(self.show_status, text)

    def _imported(self, request, store, sessions, report) -> None:
        self._importing = False
        self.app.switch_store(store)
        if report.new_ids or report.replaced:
            self.app.undo_log.record(ImportChange(report, store.path.name))  # `u`: the whole import
        text, severity = import_summary(report, len(sessions), request.on_conflict)
        self.notify(text, title=f"Imported into {store.path.name}", severity=severity,
                    markup=False, timeout=10)
        self.reload(select=first_imported(sessions, report))

    def _import_failed(self, exc: Exception) -> None:
        self._importing = False
        self._update_status()
        self.notify(" ".join(str(exc).split()) or type(exc).__name__,
                    title="Nothing imported", severity="error", markup=False, timeout=10)


# -- import reports ----------------------------------------------------------------------------
def shown_path(path: Path, width: int = 50) -> str:
    """The path with the home folder as `~`, a long one cut at its start (`…/store`)."""
    try:
        text = "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        text = str(path)
    text = one_line(text)
    return text if len(text) <= width else "…" + text[-(width - 1):]


def _ids(ids: list[str], limit: int = 5) -> str:
    shown = ", ".join(one_line(i, 40) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def import_summary(report, total: int, on_conflict: str = "skip") -> tuple[str, str]:
    """What an import did, in one notification: (text, severity). Every session given is
    accounted for: new, replaced, kept both (renamed), skipped or met twice."""
    if not total:
        return "Nothing to import: no sessions in the file(s)", "warning"
    new = len(report.new_ids)
    parts = [f"Imported {plural(new, 'new session')}" + (" (u undoes the import)" if new or report.replaced else "")]
    if report.replaced:
        parts.append(f"replaced {len(report.replaced)}: {_ids(report.replaced)}")
    if report.renamed:
        pairs = [f"{one_line(a, 40)} (as {one_line(b, 44)})" for a, b in report.renamed]
        parts.append("kept both for " + ", ".join(pairs[:5])
                     + (f" and {len(pairs) - 5} more" if len(pairs) > 5 else ""))
    if report.skipped:
        parts.append(f"skipped {len(report.skipped)} already in the store: {_ids(report.skipped)}"
                     " (import again with replace or keep both to bring them in)")
    if report.duplicates:
        kept = {"skip": "the first was kept", "replace": "the later one was kept",
                "keep-both": "both were kept"}[on_conflict]
        parts.append(f"{plural(len(report.duplicates), 'session')} came twice in the file(s) "
                     f"({_ids(report.duplicates)}): {kept}")
    written = new or report.replaced
    return "; ".join(parts), "information" if written else "warning"


def first_imported(sessions, report) -> str | None:
    """The id under which the first session written by the import is in the store now."""
    written = set(report.added) | set(report.replaced)
    renamed: dict[str, str] = {}
    for old, new in report.renamed:
        renamed.setdefault(old, new)
    for session in sessions:
        if session.id in written:
            return session.id
        if session.id in renamed:
            return renamed[session.id]
    return None
