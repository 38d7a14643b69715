"""The README's promises: its Python snippet runs as shown, and CI runs its test command."""

import re
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_agent_snippet_runs_and_rewinds(tmp_path, capsys, monkeypatch):
    snippet = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "snippet.py"
    script.write_text(snippet, encoding="utf-8")
    runpy.run_path(str(script))
    printed = capsys.readouterr().out
    assert "flight_options" in printed and "booking" not in printed

    from session_tui.store import open_store

    store = open_store(tmp_path / "agent-store")
    (summary,) = store.list()
    session = store.get(summary["id"])
    assert [e.invocation_id for e in session.events] == ["inv-1", "inv-1"]
    assert session.extra["initial_state"] == {"user:locale": "en-GB"}
    store.undo(session.id)
    assert store.get(session.id).state["booking"] == {"flight": "NH7", "seat": None}


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert len(commands) == 2, "the quick start is two commands"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].strip().replace(" -q", "") in ci.replace(" -q", "")
