"""The Tokens column of an ADK database on PostgreSQL opened in place: summed in SQL over the
JSONB `event_data` google-adk writes, the same as the loaded session's stats (stats.py)."""

from __future__ import annotations

from google.genai import types

from pgkit import adk_url, run, text_event

from session_tui.opening import open_any
from session_tui.stats import session_stats, total_tokens


def test_the_list_sums_the_tokens_google_adk_stored(pg_server):
    name = pg_server.create_database("tokens")
    try:
        async def write(service):
            used = await service.create_session(app_name="app", user_id="u", session_id="used")
            await service.create_session(app_name="app", user_id="u", session_id="unused")
            for n, (prompt, output, total) in enumerate([(900, 40, 952), (1200, 7, None)]):
                event = text_event("agent", f"answer {n}", invocation_id=f"inv-{n}")
                event.usage_metadata = types.GenerateContentResponseUsageMetadata(
                    prompt_token_count=prompt, candidates_token_count=output,
                    thoughts_token_count=12, cached_content_token_count=300,
                    total_token_count=total)
                await service.append_event(used, event)
            await service.append_event(used, text_event("user", "thanks", invocation_id="inv-2"))

        run(write, adk_url(pg_server, name))
        store = open_any(pg_server.url(name))
        try:
            rows = {r["id"]: r["total_tokens"] for r in store.list()}
            session = store.get("used")
            # 952 as recorded, then 1200 + 7 + 12 where no total was (the thoughts count too)
            assert total_tokens(session.events) == 952 + 1219
            assert rows == {"used": 952 + 1219, "unused": None}
            assert session_stats(session.events).tokens["cached"] == 600
        finally:
            store.close()
    finally:
        pg_server.drop_database(name)
