"""`session-tui stats ID`: tokens and time per invocation, as JSON and as a table."""

from __future__ import annotations

from session_tui import cli as session_cli
from session_tui.model import Event
from session_tui.store import DirectoryStore

T0 = 1_790_000_000.0


def usage(prompt: int, output: int, thoughts: int = 0, cached: int = 0) -> dict:
    return {"promptTokenCount": prompt, "candidatesTokenCount": output,
            "thoughtsTokenCount": thoughts, "cachedContentTokenCount": cached,
            "totalTokenCount": prompt + output + thoughts}


def test_stats_json_shape_and_table(cli, tmp_path, capsys):
    store = DirectoryStore(tmp_path / "store", create=True)
    store.create("app", "u", session_id="run")
    steps = [("i-1", "user", 0.0, None), ("i-1", "agent", 2.5, usage(100, 20, 5, 60)),
             ("i-1", "agent", 4.0, usage(150, 30)), ("i-2", "user", 60.0, None),
             ("i-2", "agent", 61.5, usage(300, 7))]
    for n, (inv, author, at, used) in enumerate(steps):
        store.append_event("run", Event(f"e{n}", inv, author, "x", timestamp=T0 + at,
                                        extra={"usageMetadata": used} if used else {}))
    out = cli.json("--store", store.path, "stats", "run", "--json")
    tokens_1 = {"prompt": 250, "candidates": 50, "thoughts": 5, "cached": 60, "total": 305}
    tokens_2 = {"prompt": 300, "candidates": 7, "thoughts": 0, "cached": 0, "total": 307}
    assert out == {
        "invocations": [{"id": "i-1", "events": 3, "tokens": tokens_1, "duration_s": 4.0},
                        {"id": "i-2", "events": 2, "tokens": tokens_2, "duration_s": 1.5}],
        "totals": {"events": 5, "invocations": 2, "duration_s": 5.5,
                   "tokens": {k: tokens_1[k] + tokens_2[k] for k in tokens_1}}}
    # The table and a missing session in-process (one subprocess is enough for the wiring).
    assert session_cli.main(["--store", str(store.path), "stats", "run"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0].split() == ["INVOCATION", "EVENTS", "PROMPT", "CANDIDATES", "THOUGHTS",
                               "CACHED", "TOTAL", "SECONDS"]
    assert text[1].split() == ["i-1", "3", "250", "50", "5", "60", "305", "4.000"]
    assert text[-1].split() == ["total", "5", "550", "57", "5", "60", "612", "5.500"]
    assert session_cli.main(["--store", str(store.path), "stats", "nope"]) == 1
    assert capsys.readouterr().err.strip() == "session-tui: no session 'nope'"
