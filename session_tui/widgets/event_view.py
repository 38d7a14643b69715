"""One event, whole: header (id, invocation, author, time), content, actions, extra fields.

All of it is safe text in `Content` objects (never markup). A huge content or extra field is
cut at `EventView.LIMIT` characters (before anything else is done with it) with a note saying
how much more there is, so a 10 MB message shows at once.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ..eventinfo import compaction_of, content_blocks, error_of, is_edit
from ..model import Event, format_time, from_unix
from ..text import json_head, json_preview, one_line, pretty_json, safe
from ..tcss import load_css

__all__ = ["EventView", "pretty_json"]

_LABEL = "$foreground-muted"
_MUTED = "italic $foreground-muted"
_FIELD_WIDTH = 1_000  # cells of a one-line field (id, author, ...) shown at most


def _capped(text: str, limit: int) -> Content:
    """Safe `text`, cut at `limit` characters with a note on what was left out (cut first, so
    only what is shown is made safe)."""
    if len(text) <= limit:
        return Content(safe(text))
    return Content.assemble(
        safe(text[:limit]),
        (f"\n… {len(text) - limit:,} more characters not shown", _MUTED),
    )


def _capped_json(value: Any, limit: int) -> Content:
    """`value` as safe indented JSON, cut at `limit` characters with a note: only the part
    shown is laid out (100,000 keys cost what one screenful does), so how much more there is
    stays unmeasured."""
    text, complete = json_head(value, limit)
    if complete:
        return Content(safe(text))
    return Content.assemble(safe(text), (f"\n… more not shown (the first {limit:,} characters)", _MUTED))


def _capped_head(text: str, complete: bool, limit: int) -> Content:
    """`_capped`, for a text that may itself be only the start of what there is."""
    if complete:
        return _capped(text, limit)
    return Content.assemble(safe(text[:limit]), ("\n… more not shown", _MUTED))


def _time(timestamp: Any) -> str:
    try:
        return format_time(from_unix(timestamp))
    except (OverflowError, ValueError, TypeError):
        return "(not a valid time)"


class EventView(VerticalScroll):
    """A scrollable view of one event. Data down: `show_event(event, index, total)`."""

    DEFAULT_CSS = load_css(__file__)

    LIMIT = 10_000
    """Characters of content (and of each JSON section) shown at most: a few screens. Textual
    wraps a section's whole text at each layout (~15 times as the view opens), so what is
    held costs at every step: 50,000 took ~0.35 s to open."""

    def __init__(
        self,
        event: Event | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._event: Event | None = None
        self._header = Static(classes="event-view--header", markup=False)
        self._content_title = Static(Content("Content"), classes="event-view--title")
        self._content = Static(classes="event-view--content", markup=False)
        self._actions_title = Static(Content("Actions"), classes="event-view--title")
        self._actions = Static(classes="event-view--actions", markup=False)
        self._extra_title = Static(Content("Extra fields"), classes="event-view--title")
        self._extra = Static(classes="event-view--extra", markup=False)
        self.show_event(event)

    def compose(self) -> ComposeResult:
        yield self._header
        yield self._content_title
        yield self._content
        yield self._actions_title
        yield self._actions
        yield self._extra_title
        yield self._extra

    @property
    def event(self) -> Event | None:
        return self._event

    def show_event(self, event: Event | None, index: int | None = None, total: int | None = None) -> None:
        """Show `event` (None: a placeholder). `index` / `total` (optional) say which event of
        the session it is, shown as `Event 3 of 40` (1-based)."""
        self._event = event
        body = (self._content_title, self._content, self._actions_title, self._actions)
        if event is None:
            self._header.update(Content.assemble(("No event selected", _MUTED)))
            for widget in (*body, self._extra_title, self._extra):
                widget.display = False
            return
        for widget in body:
            widget.display = True
        self._header.update(self._render_header(event, index, total))
        self._content.update(self._event_content(event))
        self._actions.update(self._render_actions(event))
        has_extra = bool(event.extra)
        self._extra_title.display = self._extra.display = has_extra
        if has_extra:
            self._extra.update(_capped_json(event.extra, self.LIMIT))
        if self.is_mounted:
            self.scroll_home(animate=False)

    # ------------------------------------------------------------------------ rendering

    def _render_header(self, event: Event, index: int | None, total: int | None) -> Content:
        parts: list[Any] = []
        if index is not None:
            title = f"Event {index + 1:,}" + (f" of {total:,}" if total is not None else "")
            parts += [(title, "bold $accent"), "\n"]
        edit = is_edit(event)
        rows: list[tuple[str, Any]] = [
            ("id", one_line(event.id, _FIELD_WIDTH)),
            ("invocation", Content.assemble(one_line(event.invocation_id, _FIELD_WIDTH),
                                            ("  ✎ edit", "$warning") if edit else "")),
            ("author", (one_line(event.author, _FIELD_WIDTH), "bold $secondary")),
            ("time", Content.assemble(_time(event.timestamp), (f"  ({event.timestamp!r})", _LABEL))),
        ]
        node = event.extra.get("nodeInfo", event.extra.get("node_info"))
        if isinstance(node, dict) and node.get("path"):
            path = node["path"]
            rows.append(("node", one_line(path, _FIELD_WIDTH) if isinstance(path, str)
                         else json_preview(path, _FIELD_WIDTH)))
        for i, (label, value) in enumerate(rows):
            parts.append((f"{label:<11}", _LABEL))
            parts.append(value)
            if i < len(rows) - 1:
                parts.append("\n")
        return Content.assemble(*parts)

    def _event_content(self, event: Event) -> Content:
        """The text, or ADK's parts one by one (tool results readable), an error event's
        error, a compaction's summary and span."""
        parts: list[Any] = []
        error = error_of(event)
        if error is not None:
            parts += [("✗ error", "bold $text-error"), (f"  {error.code or ''}\n", "$text-error"),
                      _capped((error.message or "").strip(), self.LIMIT), "\n"]
        compaction = compaction_of(event)
        if compaction is not None:
            span = f"{_time(compaction.start)} – {_time(compaction.end)}"
            parts += [("⋯ compaction", "bold $text-secondary"), (f"  of the events {span}\n", _LABEL),
                      _capped(compaction.summary, self.LIMIT), "\n"]
        blocks = content_blocks(event, self.LIMIT)
        if blocks:
            for block in blocks:
                if block.kind == "result":
                    name, _, body = block.text.partition("\n")
                    parts += [(f"↩ {name}", "bold $primary"),
                              ("  ✗ isError" if block.failed else "", "bold $text-error"), "\n",
                              _capped_head(body, block.complete, self.LIMIT), "\n"]
                elif block.kind == "call":
                    parts += [("ƒ ", "bold $primary"),
                              _capped_head(block.text, block.complete, self.LIMIT), "\n"]
                elif block.kind == "data":
                    parts += [(block.text, _LABEL), "\n"]
                else:
                    parts += [_capped(block.text, self.LIMIT), "\n"]
        elif event.content:
            parts.append(_capped(event.content, self.LIMIT))
        elif not parts:
            parts.append(("(empty)" if event.content == "" else "(no content)", _MUTED))
        return Content.assemble(*parts).rstrip() if parts else Content("")

    def _render_actions(self, event: Event) -> Content:
        actions = event.actions
        parts: list[Any] = [("state_delta        ", _LABEL)]
        if actions.state_delta:
            parts.append("\n")
            parts.append(_capped_json(actions.state_delta, self.LIMIT))
        else:
            parts.append(("none", _MUTED))
        parts.append(("\ntransfer_to_agent  ", _LABEL))
        if actions.transfer_to_agent:
            parts.append((one_line(actions.transfer_to_agent, _FIELD_WIDTH), "bold $accent"))
        else:
            parts.append(("none", _MUTED))
        parts.append(("\nescalate           ", _LABEL))
        parts.append(("true", "bold $error") if actions.escalate else ("false", _MUTED))
        parts.append(("\nskip_summarization ", _LABEL))
        parts.append(("true", "bold $warning") if actions.skip_summarization else ("false", _MUTED))
        if actions.extra:
            parts.append(("\nother action fields", _LABEL))
            parts.append("\n")
            parts.append(_capped_json(actions.extra, self.LIMIT))
        return Content.assemble(*parts)
