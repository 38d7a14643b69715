"""Provides what an event is beyond its fields, for every screen and command that shows one: an
edit, an error, a compaction, function calls and tool results, each as readable text.

ADK's part keys (`functionCall`, `function_response`, `inlineData`, ...) and its event fields
(`errorCode`, `actions.compaction`, `nodeInfo`) are known here once. Textual-free: the widgets
style what these functions return.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable

from .model import Event

EDIT_PREFIX = "edit-"
ADK_CONTENT = "adk_content"  # where formats.adk_json keeps ADK content the text cannot rebuild

_CALL_KEYS = ("functionCall", "function_call")
_RESPONSE_KEYS = ("functionResponse", "function_response")
_INLINE_KEYS = ("inlineData", "inline_data")
_PART_SCAN_LIMIT = 200
_STATUS_LINE = re.compile(r"\b[45]\d\d\b")


def is_edit(event: Event) -> bool:
    """An edit made through session-tui (or ADK's API): its invocation id starts `edit-`."""
    return event.invocation_id.startswith(EDIT_PREFIX)


def _either(obj: dict, keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = obj.get(key)
        if value is not None:
            return value
    return None


def adk_parts(event: Event) -> list[dict] | None:
    """The event's ADK content parts, where the original content was kept; else None."""
    content = event.extra.get(ADK_CONTENT)
    parts = content.get("parts") if isinstance(content, dict) else None
    return [p for p in parts[:_PART_SCAN_LIMIT] if isinstance(p, dict)] if isinstance(parts, list) else None


def function_counts(event: Event) -> tuple[int, int]:
    """How many function calls and responses an event carries: `function_calls` /
    `function_responses` extras (a list counts its items, anything else truthy one), else
    ADK content parts kept as an extra (any extra that is a parts list or has one). The text
    itself is never parsed: a pattern would misfire on prose."""
    extra = event.extra
    if not extra:
        return 0, 0
    calls, responses = _count(extra.get("function_calls")), _count(extra.get("function_responses"))
    if calls or responses:
        return calls, responses
    for value in extra.values():
        parts = value.get("parts") if isinstance(value, dict) else value
        if not isinstance(parts, list):
            continue
        for part in parts[:_PART_SCAN_LIMIT]:
            if isinstance(part, dict):
                if _either(part, _CALL_KEYS) is not None:
                    calls += 1
                elif _either(part, _RESPONSE_KEYS) is not None:
                    responses += 1
    return calls, responses


def _count(value: Any) -> int:
    if isinstance(value, list):
        return len(value)
    return 1 if value else 0


# ------------------------------------------------------------------------------- errors

@dataclass(frozen=True)
class EventError:
    """An ADK error event (`errorCode` / `errorMessage`: a rate limit, a failed tool)."""

    code: str | None
    message: str | None

    @property
    def headline(self) -> str:
        """One line: the code and the line of the message that says most (an HTTP status
        line beats ADK's "On how to mitigate..." preamble)."""
        lines = [ln.strip() for ln in (self.message or "").splitlines() if ln.strip()]
        best = next((ln for ln in lines if _STATUS_LINE.search(ln)), lines[0] if lines else "")
        return ": ".join(p for p in (self.code, best) if p) or "error"


def error_of(event: Event) -> EventError | None:
    code = _either(event.extra, ("errorCode", "error_code"))
    message = _either(event.extra, ("errorMessage", "error_message"))
    if code is None and message is None:
        return None
    return EventError(None if code is None else str(code), None if message is None else str(message))


# --------------------------------------------------------------------------- compaction

@dataclass(frozen=True)
class Compaction:
    """An ADK compaction event: a summary standing for the events between two times."""

    start: float | None
    end: float | None
    summary: str

    def span(self, events: Iterable[Event], at: float | None = None) -> tuple[int, float]:
        """How many of `events` (compactions aside) the compacted time span holds, and the shift
        applied to find them. ADK appends a compaction right after what it compacts; where the
        events' times are off by a time zone (schema-0 databases wrote naive local times) and
        the compaction event's own time `at` is given, the span is moved by the whole quarter
        hours between `at` and its end."""
        if self.start is None or self.end is None:
            return 0, 0.0
        events = [e for e in events if compaction_of(e) is None and isinstance(e.timestamp, (int, float))]
        shifts = [0.0]
        if at is not None and isinstance(at, (int, float)):
            quarter = round((at - self.end) / 900) * 900.0
            if quarter:
                shifts.append(quarter)
        for shift in shifts:
            n = sum(1 for e in events if self.start + shift <= e.timestamp <= self.end + shift)
            if n:
                return n, shift
        return 0, 0.0


def compaction_of(event: Event) -> Compaction | None:
    value = event.actions.extra.get("compaction")
    if not isinstance(value, dict):
        return None
    content = _either(value, ("compactedContent", "compacted_content"))
    parts = content.get("parts") if isinstance(content, dict) else None
    summary = "\n".join(p["text"] for p in parts or [] if isinstance(p, dict) and isinstance(p.get("text"), str))
    start = _either(value, ("startTimestamp", "start_timestamp"))
    end = _either(value, ("endTimestamp", "end_timestamp"))
    number = (int, float)
    return Compaction(start if isinstance(start, number) else None,
                      end if isinstance(end, number) else None, summary)


# ------------------------------------------------------------------------ tool results

def _json_or_text(text: str) -> str:
    """JSON inside a text, indented; other text as it is (markdown keeps its line breaks)."""
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and len(stripped) < 2_000_000:
        try:
            return json.dumps(json.loads(stripped), indent=2, ensure_ascii=False)
        except (ValueError, RecursionError):
            pass
    return text


def readable_result(response: Any) -> tuple[str, bool]:
    """A tool result as a person reads it, and whether it says it failed.

    - MCP (`{"content": [{"type": "text", "text": ...}], "isError": ...}`, also under `result`):
      the texts, JSON inside them indented;
    - one string field (`{"result": "# Title\\n..."}`): that string, its line breaks real;
    - anything else: indented JSON."""
    mcp = response
    if isinstance(response, dict) and isinstance(response.get("result"), dict) and "content" in response["result"]:
        mcp = response["result"]
    if isinstance(mcp, dict) and isinstance(mcp.get("content"), list):
        items = mcp["content"]
        if items and all(isinstance(i, dict) and "type" in i for i in items):
            texts = [_json_or_text(i["text"]) if isinstance(i.get("text"), str)
                     else f"[{i.get('type')}: {_size_note(i)}]" for i in items]
            return "\n".join(texts), mcp.get("isError") is True
    if isinstance(response, dict) and len(response) == 1:
        (value,) = response.values()
        if isinstance(value, str):
            return _json_or_text(value), False
    if isinstance(response, str):
        return _json_or_text(response), False
    return json.dumps(response, indent=2, ensure_ascii=False, default=repr), (
        isinstance(response, dict) and response.get("isError") is True)


def _size_note(item: dict) -> str:
    mime = _either(item, ("mimeType", "mime_type")) or "data"
    data = item.get("data")
    return f"{mime}, {human_size(len(data) * 3 // 4)}" if isinstance(data, str) else str(mime)


def human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


@dataclass(frozen=True)
class Block:
    """One part of an event's content, readable: `kind` is text, call, result or data."""

    kind: str
    text: str
    failed: bool = False
    name: str = ""  # the function's, for calls and results


def _describe_the_text(event: Event, blocks: list[Block]) -> bool:
    """The kept parts are where the event's text came from (not a text changed since): every
    text part and every function name is in it."""
    text = event.content
    if text is None:
        return True
    return all((b.text if b.kind == "text" else b.name) in text for b in blocks if b.kind != "data")


def content_blocks(event: Event) -> list[Block] | None:
    """The event's ADK content part by part, readable; None when there are no parts to read
    (the content text says it all)."""
    parts = adk_parts(event)
    if not parts:
        return None
    blocks: list[Block] = []
    for part in parts:
        if isinstance(part.get("text"), str):
            blocks.append(Block("text", part["text"]))
        elif isinstance(call := _either(part, _CALL_KEYS), dict):
            args = call.get("args")
            shown = json.dumps(args, indent=2, ensure_ascii=False, default=repr) if args else ""
            name = str(call.get("name", "?"))
            blocks.append(Block("call", f"{name}({shown})", name=name))
        elif isinstance(resp := _either(part, _RESPONSE_KEYS), dict):
            text, failed = readable_result(resp.get("response"))
            name = str(resp.get("name", "?"))
            blocks.append(Block("result", f"{name} →\n{text}", failed, name))
        elif isinstance(blob := _either(part, _INLINE_KEYS), dict):
            name = _either(blob, ("displayName", "display_name")) or "inline data"
            mime = _either(blob, ("mimeType", "mime_type")) or "unknown type"
            data = blob.get("data")
            size = f", {human_size(len(data) * 3 // 4)}" if isinstance(data, str) else ""
            blocks.append(Block("data", f"[{name}: {mime}{size}]"))
    return blocks if blocks and _describe_the_text(event, blocks) else None


def preview(event: Event) -> tuple[str, str]:
    """One line for the timeline and its kind: content, error, compaction, state or empty."""
    blocks = content_blocks(event)
    if blocks and any(b.kind != "text" for b in blocks):
        text = " · ".join(b.text.replace(" →\n", " → ", 1) if b.kind == "result" else b.text
                          for b in blocks)
        return text, "error" if any(b.failed for b in blocks) else "content"
    if event.content:
        return event.content, "content"
    error = error_of(event)
    if error is not None:
        return error.headline, "error"
    compaction = compaction_of(event)
    if compaction is not None:
        return f"compacted: {compaction.summary}", "compaction"
    if event.actions.state_delta:
        return "state ← " + ", ".join(map(str, event.actions.state_delta)), "state"
    return "(no content)", "empty"
