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


class Needles(str):
    """A text that records what is searched for in it."""

    searched: list[int] = []

    def __contains__(self, needle):
        Needles.searched.append(len(needle))
        return super().__contains__(needle)


TEN_MB = ("z" * 99 + "\n") * 100_000


def test_previews_of_10mb_texts_and_100k_keys_are_bounded():
    from session_tui.eventinfo import PREVIEW_CHARS

    text, kind = preview(ev(TEN_MB))
    assert kind == "content" and text == TEN_MB[: PREVIEW_CHARS + 1]
    text, kind = preview(ev(delta={f"k{n:06d}": n for n in range(100_000)}))
    assert kind == "state" and text.startswith("state ← k000000, k000001") and len(text) <= PREVIEW_CHARS + 1
    huge_call = {"functionCall": {"name": "lookup", "args": {"blob": TEN_MB}}}
    text, _ = preview(ev("lookup", extra={"adk_content": {"parts": [huge_call]}}))
    assert text.startswith('lookup({"blob": "zzz') and len(text) <= PREVIEW_CHARS + 1
    error = ev(extra={"errorCode": "E", "errorMessage": "429 too many\n" + TEN_MB})
    assert preview(error) == ("E: 429 too many", "error")


def test_content_blocks_with_a_limit_lay_out_only_the_start_of_a_10mb_tool_result():
    result = {"functionResponse": {"name": "fetch", "response": {"result": TEN_MB}}}
    event = ev("fetch", extra={"adk_content": {"parts": [result]}})
    (block,) = content_blocks(event, 5_000)
    assert block.text == "fetch →\n" + TEN_MB[:5_000] and not block.complete
    (whole,) = content_blocks(event)
    assert whole.complete and whole.text == "fetch →\n" + TEN_MB
    as_json = {"functionResponse": {"name": "q", "response": {"result": json.dumps({"rows": list(range(100_000))})}}}
    (block,) = content_blocks(ev("q", extra={"adk_content": {"parts": [as_json]}}), 1_000)
    assert block.text.startswith('q →\n{\n  "rows": [\n    0,\n    1,') and len(block.text) <= 1_004


def test_a_10mb_text_part_is_matched_by_its_ends_not_searched_for_whole():
    Needles.searched = []
    part = TEN_MB[:-1] + "!"
    event = ev(Needles("intro " + part), extra={"adk_content": {"parts": [{"text": part}]}})
    (block,) = content_blocks(event)
    assert block.text == part
    assert Needles.searched and max(Needles.searched) <= 1_000
    changed = ev(Needles("intro " + TEN_MB), extra={"adk_content": {"parts": [{"text": part}]}})
    assert content_blocks(changed) is None  # its end is not in the text: the text wins


def test_confirmation_requests_and_display_names():
    from session_tui.eventinfo import confirmations_requested, display_name

    asking = ev(actions_extra={"requestedToolConfirmations": {"call-1": {"hint": "ok?"}, "call-2": {}}})
    assert confirmations_requested(asking) == 2 and confirmations_requested(ev("x")) == 0
    assert display_name({"__session_metadata__": {"displayName": "Quelles cultures…"}}) == "Quelles cultures…"
    assert display_name({"__session_metadata__": "odd"}) is None and display_name({}) is None


def test_a_preview_shows_a_calls_json_on_one_line():
    # The timeline's line of a call read `get_weather({⏎   "city": "전주"⏎ })`: indented JSON
    # with its line breaks made visible. On one line, it reads as the call it is.
    args = {"city": "전주", "days": [1, 2], "opts": {}}
    response = {"temp": 8.1, "sky": {"clear": True}}
    parts = [{"functionCall": {"name": "get_weather", "args": args}},
             {"functionResponse": {"name": "get_weather", "response": response}}]
    event = ev('get_weather(city=전주)\nget_weather -> {"temp": 8.1}',
               extra={"adk_content": {"parts": parts}})
    text, kind = preview(event)
    one_line = json.dumps(args, ensure_ascii=False)
    assert text == (f"get_weather({one_line}) · get_weather → "
                    f"{json.dumps(response, ensure_ascii=False)}"), text
    assert "\n" not in text and kind == "content"
    # The event view still shows the JSON indented.
    assert content_blocks(event)[0].text == f"get_weather({json.dumps(args, indent=2, ensure_ascii=False)})"
