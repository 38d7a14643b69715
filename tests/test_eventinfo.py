"""eventinfo: what an event is (edit, error, compaction, tool results), readable."""

from __future__ import annotations

import base64
import json

from session_tui.eventinfo import (
    compaction_of,
    content_blocks,
    error_of,
    function_counts,
    is_edit,
    preview,
    readable_result,
)
from session_tui.model import Event, EventActions


def ev(content=None, extra=None, actions_extra=None, ts=100.0, delta=None):
    actions = EventActions(state_delta=delta or {})
    actions.extra.update(actions_extra or {})
    event = Event("e1", "inv", "agent", content, actions, ts)
    event.extra.update(extra or {})
    return event


def test_error_events_read_as_their_error():
    event = ev(extra={"errorCode": "_ResourceExhaustedError",
                      "errorMessage": "\nOn how to mitigate this issue, see:\nhttps://x\n\n429 RESOURCE_EXHAUSTED. quota"})
    assert error_of(event).code == "_ResourceExhaustedError"
    text, kind = preview(event)
    assert kind == "error" and text == "_ResourceExhaustedError: 429 RESOURCE_EXHAUSTED. quota"
    assert error_of(ev("fine")) is None
    assert preview(ev(extra={"error_code": "TOOL_FAILED"})) == ("TOOL_FAILED", "error")


def test_compaction_reads_as_its_summary_and_span():
    event = ev(actions_extra={"compaction": {"startTimestamp": 10, "endTimestamp": 20,
                                             "compactedContent": {"parts": [{"text": "We booked NH7."}]}}},
               ts=21)
    compaction = compaction_of(event)
    assert compaction.summary == "We booked NH7."
    assert preview(event) == ("compacted: We booked NH7.", "compaction")
    events = [ev("a", ts=9), ev("b", ts=10), ev("c", ts=15), ev("d", ts=20), event]
    assert compaction.span(events, at=21) == (3, 0.0)
    shifted = [ev("b", ts=10 - 3600), ev("c", ts=15 - 3600), event]  # times an hour off
    assert compaction.span(shifted, at=21 - 3600) == (2, -3600.0)


def test_mcp_results_markdown_and_errors():
    text, failed = readable_result({"content": [{"type": "text", "text": '{"login":"ada","n":1}'}],
                                    "isError": False})
    assert json.loads(text) == {"login": "ada", "n": 1} and "\n  " in text and not failed
    text, failed = readable_result({"result": {"content": [{"type": "text", "text": "boom"}], "isError": True}})
    assert text == "boom" and failed
    text, _ = readable_result({"result": "# Title\n\n- one\n- two"})
    assert text == "# Title\n\n- one\n- two"  # real line breaks, not \\n
    text, _ = readable_result({"temp": 18, "unit": "C"})
    assert json.loads(text) == {"temp": 18, "unit": "C"}


def test_content_blocks_of_kept_adk_parts():
    data = base64.b64encode(b"x" * 3000).decode()
    parts = [{"text": "Here you go"},
             {"functionCall": {"name": "lookup", "args": {"id": 7}}},
             {"functionResponse": {"name": "lookup", "response": {"content": [{"type": "text", "text": "ok"}],
                                                                 "isError": True}}},
             {"inlineData": {"displayName": "chart.png", "mimeType": "image/png", "data": data}}]
    event = ev('Here you go\nlookup(id=7)\nlookup -> {"content": ...}', extra={"adk_content": {"parts": parts}})
    blocks = content_blocks(event)
    assert [b.kind for b in blocks] == ["text", "call", "result", "data"]
    assert blocks[2].failed and blocks[2].text == "lookup →\nok"
    assert blocks[3].text == "[chart.png: image/png, 2.9 KB]"
    text, kind = preview(event)
    assert kind == "error" and "lookup → ok" in text
    assert function_counts(event) == (1, 1)
    # A text changed since (it no longer says what the parts say): the text wins.
    assert content_blocks(ev("something else", extra={"adk_content": {"parts": parts}})) is None


def test_edits_and_plain_events():
    assert is_edit(Event("e", "edit-123", "session-tui", None, EventActions(), 1.0))
    assert not is_edit(ev("x"))
    assert preview(ev(delta={"k": 1})) == ("state ← k", "state")
    assert preview(ev()) == ("(no content)", "empty")
