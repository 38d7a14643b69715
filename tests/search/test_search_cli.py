"""`session-tui search TEXT [--session ID]`: the JSON shape, the text form, no match, and the
index kept between runs seeing another process's change (session_tui/cli/search.py)."""

from __future__ import annotations

import orjson

from session_tui.cli import main
from session_tui.model import Event
from session_tui.store import DirectoryStore


def run(capfd, *args):
    code = main(list(map(str, args)))
    out, err = capfd.readouterr()
    return code, out, err


def test_search_cli(tmp_path, capfd):
    path = tmp_path / "store"
    store = DirectoryStore(path, create=True)
    store.create("travel", "ada", session_id="trip")
    store.append_event("trip", Event.new("i1", "planner", 'book_hotel(city="Paris")',
                                         state_delta={"city": "Paris"}, timestamp=1.0))
    store.create("support", "bob", session_id="chat")
    store.append_event("chat", Event.new("c1", "helpdesk", "Bonjour, PARIS office here",
                                         timestamp=2.0))
    code, out, err = run(capfd, "--store", path, "search", "paris", "--json")
    assert code == 0, err
    found = orjson.loads(out)
    trip = store.get("trip").events[0].id
    chat = store.get("chat").events[0].id
    assert sorted(found, key=lambda m: (m["session_id"], m["field"])) == [
        {"session_id": "chat", "event_id": chat, "field": "content",
         "snippet": "Bonjour, PARIS office here"},
        {"session_id": "trip", "event_id": trip, "field": "content",
         "snippet": 'book_hotel(city="Paris")'},
        {"session_id": "trip", "event_id": trip, "field": "state", "snippet": "city: Paris"},
    ]
    code, out, err = run(capfd, "--store", path, "search", "Paris", "--session", "tr")  # a prefix
    assert code == 0 and out.splitlines() == [f'trip {trip} content: book_hotel(city="Paris")',
                                             f"trip {trip} state: city: Paris"]
    code, out, err = run(capfd, "--store", path, "search", "nowhere to be found")
    assert (code, out, err) == (0, "", "no matches\n")
    code, out, _ = run(capfd, "--store", path, "search", "nowhere", "--json")
    assert (code, orjson.loads(out)) == (0, [])
    code, _, err = run(capfd, "--store", path, "search", " ")
    assert code == 2 and "TEXT is empty" in err
    code, _, err = run(capfd, "--store", path, "search", "x", "--session", "nope")
    assert code == 1
    # Changed since the last search kept its index (as another writer would): seen.
    DirectoryStore(path).append_event("chat", Event.new("c2", "helpdesk", "Lyon too",
                                                        timestamp=3.0))
    code, out, _ = run(capfd, "--store", path, "search", "lyon", "--json")
    assert [m["session_id"] for m in orjson.loads(out)] == ["chat"]
