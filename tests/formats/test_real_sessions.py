"""Real ADK files that other people committed to public repositories (../shared/real-sessions,
listed with their sources in SOURCES.md; never copied into this repository): each reads, shows
what a person needs (errors, compactions, MCP results) and goes back out."""

from __future__ import annotations

import json
import time
from pathlib import Path

import orjson
import pytest

from session_tui.eventinfo import compaction_of, content_blocks, error_of, preview
from session_tui.formats import adk_json, reading
from session_tui.formats.session_json import dumps_session
from session_tui.model import SessionFormatError

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-sessions"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is not here (it is beside the "
                                                         "repository on the team's machines and CI)")

EVAL_FILES = {"kaggle5_home_automation.evalset.json": "eval set",
              "kaggle5_home_automation.evalset_result.json": "eval result"}


def real(name: str) -> Path:
    return REAL / name


def session_files() -> list[str]:
    if not REAL.is_dir():
        return []
    return sorted(p.name for p in REAL.iterdir()
                  if p.suffix in (".db", ".json") and p.name not in EVAL_FILES)


@pytest.mark.parametrize("name", session_files())
def test_every_real_session_file_reads_and_exports(name):
    sessions = reading.read_path(real(name))
    assert sessions
    for session in sessions:
        assert orjson.loads(dumps_session(session))["id"] == session.id
        out = adk_json.to_adk_json(session)
        assert out["id"] == session.id and len(out["events"]) == len(session.events)
        for event in session.events:
            text, kind = preview(event)
            assert isinstance(text, str) and kind in ("content", "error", "compaction", "state", "empty")


@pytest.mark.parametrize("name", sorted(EVAL_FILES))
def test_eval_files_read_as_a_session_per_eval_case(name):
    from session_tui.formats.adk_eval import eval_of

    sessions = reading.read_path(real(name))
    assert [s.id for s in sessions] == ["basic_device_control"]
    info = eval_of(sessions[0])
    assert info["source"] == {"eval set": "set", "eval result": "result"}[EVAL_FILES[name]]
    assert info["invocations"][0]["expected"]["response"] == "The desk lamp in the office is now on."


def test_error_events_show_their_error():
    sessions = reading.read_path(real("ambient-expense.session.db"))
    errors = [e for s in sessions for e in s.events if error_of(e) is not None]
    assert errors, "the file holds 429 error events"
    for event in errors:
        text, kind = preview(event)
        assert kind == "error" and text != "(no content)"
        assert "429" in text and error_of(event).code in text


@pytest.mark.parametrize("name", ["ottawa-health_my_agent_data.migrated-v1.db", "ottawa-health_my_agent_data.db"])
def test_compaction_events_show_the_summary_and_the_span(name, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")  # schema 0's naive local times: read as on the machine that migrated
    time.tzset()
    try:
        _compaction_spans(reading.read_path(real(name)))
    finally:
        monkeypatch.undo()
        time.tzset()


def _compaction_spans(sessions):
    found = 0
    for session in sessions:
        for event in session.events:
            compaction = compaction_of(event)
            if compaction is None:
                continue
            found += 1
            text, kind = preview(event)
            assert kind == "compaction" and text.startswith("compacted: ")
            assert compaction.summary and compaction.summary[:40] in text
            count, shift = compaction.span(session.events, at=event.timestamp)
            assert count >= 1
            assert shift == -5 * 3600  # Ottawa: the schema-0 file wrote naive local times (UTC-5)
    assert found


def test_mcp_results_are_readable():
    (session,) = reading.read_path(real("kaggle5_github_mcp_agent.json"))
    results = [b for e in session.events for b in (content_blocks(e) or []) if b.kind == "result"]
    assert len(results) >= 10  # 14 MCP call/response pairs
    get_me = next(b for b in results if b.name == "get_me")
    assert '"login": "EmaSuriano"' in get_me.text  # the JSON inside the text, indented
    assert '\\"login\\"' not in get_me.text
    assert not get_me.failed
    # Any JSON shown is the same data as the escaped text held.
    raw = next(e for e in session.events if (content_blocks(e) or [None])[0] is not None
               and content_blocks(e)[0].name == "get_me" and content_blocks(e)[0].kind == "result")
    body = content_blocks(raw)[0].text.split("\n", 1)[1]
    assert json.loads(body)["login"] == "EmaSuriano"


def test_adk_web_display_names_are_found():
    from session_tui.eventinfo import display_name

    sessions = reading.read_path(real("agriculture-cameroun_agent.session.db"))
    names = [display_name(s.state) for s in sessions]
    assert any(n and n.startswith("Quelles cultures") for n in names)
