"""Every event field through session-tui's ADK session service, bytes included; the store shows
what the service stored; the `session-tui:` URI through google-adk's own service registry."""

from __future__ import annotations

import asyncio
import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("google.adk")
pytest.importorskip("aiosqlite")

from google.adk.events.event import Event  # noqa: E402
from google.adk.events.event_actions import EventActions, EventCompaction  # noqa: E402
from google.adk.sessions.sqlite_session_service import SqliteSessionService  # noqa: E402
from google.adk.tools.tool_confirmation import ToolConfirmation  # noqa: E402
from google.genai import types  # noqa: E402

from session_tui.adk import SessionTuiSessionService, store_path_of  # noqa: E402
from session_tui.store import open_store  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00"  # not valid UTF-8: kept as bytes


def every_field_event() -> Event:
    """One event with every field google-adk stores set to something other than its default."""
    return Event(
        id="e-all", invocation_id="inv-all", author="agent", branch="root.child",
        timestamp=1_790_000_000.125, model_version="gemini-x", partial=False,
        turn_complete=True, finish_reason=types.FinishReason.STOP, error_code="E1",
        error_message="nothing wrong", interrupted=False, avg_logprobs=-0.25,
        custom_metadata={"trace": {"span": [1, 2.5, "x"]}, "none": None},
        long_running_tool_ids={"call-1"},
        content=types.Content(role="model", parts=[
            types.Part(text="here is a picture"),
            types.Part(inline_data=types.Blob(mime_type="image/png", data=PNG,
                                              display_name="pic.png")),
            types.Part(function_call=types.FunctionCall(id="call-1", name="lookup",
                                                        args={"q": "paris", "n": 2})),
            types.Part(function_response=types.FunctionResponse(
                id="call-0", name="earlier", response={"ok": True})),
            types.Part(thought=True, text="thinking", thought_signature=b"\x00sig\xff"),
        ]),
        grounding_metadata=types.GroundingMetadata(
            web_search_queries=["paris weather"],
            grounding_chunks=[types.GroundingChunk(web=types.GroundingChunkWeb(
                uri="https://example.org/w", title="Weather"))],
            grounding_supports=[types.GroundingSupport(
                segment=types.Segment(start_index=0, end_index=4, text="here"),
                grounding_chunk_indices=[0], confidence_scores=[0.9])]),
        usage_metadata=types.GenerateContentResponseUsageMetadata(
            prompt_token_count=11, candidates_token_count=7, total_token_count=18,
            thoughts_token_count=3, cached_content_token_count=1),
        citation_metadata=types.CitationMetadata(citations=[types.Citation(
            start_index=1, end_index=3, uri="https://example.org/c", license="MIT")]),
        input_transcription=types.Transcription(text="what is the weather", finished=True),
        output_transcription=types.Transcription(text="sunny", finished=False),
        actions=EventActions(
            state_delta={"k": 1, "app:a": [1, 2], "user:u": {"x": None}, "nulled": None},
            artifact_delta={"pic.png": 2}, transfer_to_agent="child", escalate=True,
            skip_summarization=True, end_of_agent=True, agent_state={"step": 3},
            rewind_before_invocation_id="inv-0",
            requested_tool_confirmations={"call-1": ToolConfirmation(
                hint="sure?", confirmed=False, payload={"amount": 5})},
            compaction=EventCompaction(
                start_timestamp=1.5, end_timestamp=2.5,
                compacted_content=types.Content(role="model",
                                                parts=[types.Part(text="summary")]))),
    )


async def appended_and_read_back(service) -> tuple[Event, object]:
    session = await service.create_session(app_name="app", user_id="u", session_id="s")
    await service.append_event(session, every_field_event())
    return await service.get_session(app_name="app", user_id="u", session_id="s")


def test_every_event_field_comes_back_as_sqlite_session_service_gives_it(tmp_path):
    theirs = asyncio.run(appended_and_read_back(SqliteSessionService(str(tmp_path / "a.db"))))
    ours = asyncio.run(appended_and_read_back(SessionTuiSessionService(tmp_path / "store")))
    assert ours.events[0].model_dump() == theirs.events[0].model_dump()
    # ... and that is the event as it was made: nothing lost (bytes included).
    made = every_field_event()
    assert ours.events[0].model_dump() == made.model_dump()
    assert ours.events[0].content.parts[1].inline_data.data == PNG
    assert ours.state == theirs.state
    # The store shows it: readable content, ADK's fields under their own names.
    stored = open_store(tmp_path / "store").get("s")
    event = stored.events[0]
    assert event.content.startswith("here is a picture\n[inline data: image/png]\nlookup(")
    assert event.extra["usageMetadata"]["totalTokenCount"] == 18
    assert event.extra["groundingMetadata"]["webSearchQueries"] == ["paris weather"]
    assert event.extra["inputTranscription"]["text"] == "what is the weather"
    assert event.actions.extra["requestedToolConfirmations"]["call-1"]["payload"] == {"amount": 5}
    assert event.actions.extra["rewindBeforeInvocationId"] == "inv-0"
    assert stored.state == {"k": 1, "app:a": [1, 2], "user:u": {"x": None}, "nulled": None}


def test_a_store_uri_names_a_store(tmp_path):
    assert store_path_of("session-tui:///srv/store") == Path("/srv/store")
    assert store_path_of("session-tui://localhost/srv/my%20store") == Path("/srv/my store")
    assert store_path_of("session-tui:relative/store") == Path("relative/store")
    assert store_path_of("session-tui:///~/store") == Path.home() / "store"
    for bad in ("session-tui://host/x", "session-tui://", "sqlite:///x.db"):
        with pytest.raises(ValueError):
            store_path_of(bad)


def readme_snippets() -> list[tuple[str, str]]:
    """(language, text) of each code block in the README's "From ADK" section."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## From ADK", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.S)


def readme_snippet(route: str) -> str:
    """The README's services.py (the short Python block) or services.yaml."""
    if route == "services.yaml":
        (text,) = [t for lang, t in readme_snippets() if lang == "yaml"]
    else:
        (text,) = [t for lang, t in readme_snippets() if lang == "python" and "register()" in t]
    return text


def test_the_readme_runner_snippet_runs(tmp_path, monkeypatch, capsys):
    (runner,) = [t for lang, t in readme_snippets() if lang == "python" and "Runner(" in t]
    script = tmp_path / "snippet.py"
    script.write_text(runner, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip() == "visit 1"
    (summary,) = open_store(tmp_path / "adk-store").list()
    session = open_store(tmp_path / "adk-store").get(summary["id"])
    assert session.state == {"user:visits": 1}
    assert [e.author for e in session.events] == ["user", "greeter"]


REGISTRY = r"""
import asyncio, json, sys
from google.adk.cli.service_registry import load_services_module
from google.adk.cli.utils.service_factory import create_session_service_from_options
agents_dir, uri = sys.argv[1], sys.argv[2]
load_services_module(agents_dir)  # what `adk web AGENTS_DIR` does first
service = create_session_service_from_options(base_dir=agents_dir, session_service_uri=uri)
async def main():
    session = await service.create_session(app_name="app", user_id="u", session_id="via-uri")
    return type(service).__module__ + "." + type(service).__name__, session.id
# And an agent process that uses the service loads none of the app.
app = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "textual_serve")
             or m.startswith("session_tui.") and m.split(".")[1] in ("app", "screens", "widgets",
                                                                    "dialogs"))
print(json.dumps([*asyncio.run(main()), app]))
"""


@pytest.mark.parametrize("route", ["services.py", "services.yaml"])
def test_google_adks_registry_resolves_the_uri_to_the_service(tmp_path, route):
    """`adk web --session_service_uri=session-tui:///...` resolves through google-adk's own
    registry (in a fresh process: the registry is a process-wide singleton)."""
    agents = tmp_path / "agents"
    agents.mkdir()
    (agents / route).write_text(readme_snippet(route))  # as the README shows it
    store = tmp_path / "store"
    proc = subprocess.run(
        [sys.executable, "-c", REGISTRY, str(agents), f"session-tui://{store}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    kind, session_id, app_modules = json.loads(proc.stdout.strip().splitlines()[-1])
    assert kind == "session_tui.adk.SessionTuiSessionService"
    assert app_modules == []
    assert open_store(store).get(session_id).app_name == "app"

