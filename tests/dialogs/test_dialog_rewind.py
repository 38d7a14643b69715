from __future__ import annotations

from dialog_harness import Host, answer, keys, run, screen_text
from session_tui.dialogs import RewindDialog
from session_tui.store.base import RewindPlan


def plan(n=4, before=False, removed=7):
    """n changed keys cycling through every kind of change."""
    changes = {}
    unrecorded = []
    for i in range(n):
        key = f"key_{i:02d}"
        kind = i % 5
        if kind == 0:  # removed, its earlier value not recorded
            changes[key] = {"old": {"items": list(range(i)), "note": "x" * 50}}
            unrecorded.append(key)
        elif kind == 1:  # comes back
            changes[key] = {"new": f"value {i}"}
        elif kind == 2:
            changes[key] = {"old": i, "new": i * 2}
        elif kind == 3:
            changes[key] = {"old": "[bold]markup[/bold] \x1b]0;pwned\x07", "new": None}
        else:  # removed (its earlier state had no such key)
            changes[key] = {"old": [1, 2, 3]}
    return RewindPlan("s1", "inv-42", before, 3, removed, changes, unrecorded)


def test_confirm_and_cancel():
    async def script(pilot, app):
        for key, expected in [("y", True), ("enter", True), ("n", False), ("escape", False)]:
            assert await answer(pilot, app, RewindDialog(plan(), "inv-42"), key) is expected

    run(None, script)


def test_preview_shows_every_change():
    app = run(lambda: RewindDialog(plan(5), "inv-42"), keys(), size=(120, 36))
    text = app.text
    assert "Rewind to inv-42" in text
    assert "7 events will be removed; 5 state keys change:" in text
    assert "(absent)" in text and '"value 1"' in text
    assert "2" in text and "4" in text
    assert "[bold]markup[/bold] \\u001b]0;pwned" in text  # literal, escaped
    assert "\x1b" not in text
    assert "(removed)" in text
    assert "earlier value not recorded: removed" in text


def test_before_and_singular():
    app = run(lambda: RewindDialog(plan(1, before=True, removed=1), "inv-42 (agent)"), keys())
    assert "Rewind before inv-42 (agent)" in app.text
    assert "1 event will be removed; 1 state key changes:" in app.text


def test_shared_keys_are_listed_as_staying_with_the_reason():
    staying = RewindPlan("s1", "inv-1", False, 5, 2, {"seat": {"old": "1A"}}, [],
                         {"user:language": "de"}, ["temp:ms", "user:language"])
    app = run(lambda: RewindDialog(staying, "inv-1"), keys(), size=(120, 36))
    assert "2 events will be removed; 1 state key changes; 2 shared keys (app:, user:, temp:) " \
           "stay as they are:" in app.text
    assert app.text.count("stays: shared key, not rolled back") == 2
    assert '"de"' in app.text and "(absent)" in app.text


def test_the_plan_of_an_adk_rewind_says_annulled():
    """The plan of an ADK store's rewind says so itself (data down: no flag needed)."""
    adk = RewindPlan("s1", "inv-1", False, 5, 2, {"seat": {"old": "1A"}}, [], annuls=True)
    app = run(lambda: RewindDialog(adk, "inv-1"), keys(), size=(120, 36))
    assert "2 events will be annulled (kept in the database, hidden from the agent)" \
           in app.text.replace("\n", " ")
    assert "removed;" not in app.text


def test_nothing_changes_in_state():
    empty = RewindPlan("s1", "inv-1", False, 5, 2, {}, [])
    app = run(lambda: RewindDialog(empty, "inv-1"), keys())
    assert "2 events will be removed." in app.text
    assert "Nothing in the state changes." in app.text


def test_thirty_keys_fit_80x24_and_scroll():
    async def script(pilot, app):
        text = screen_text(app)
        assert "y/enter rewind" in text  # the keys stay on screen
        assert "key_00" in text and "key_29" not in text
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "key_29" in text and "y/enter rewind" in text
        await pilot.press("y")

    app = run(lambda: RewindDialog(plan(30), "inv-42"), script)
    assert app.results == [True]


def test_snapshot_rewind_80x24(snap_compare):
    app = Host(lambda: RewindDialog(plan(30), "inv-42 · booking-agent · 3 events"))
    assert snap_compare(app, terminal_size=(80, 24))


def test_snapshot_rewind_120x36(snap_compare):
    app = Host(lambda: RewindDialog(plan(12), "inv-42 · booking-agent · 3 events"))
    assert snap_compare(app, terminal_size=(120, 36))


def test_in_an_adk_database_the_events_are_annulled_not_removed():
    # An ADK database keeps the events a rewind goes back over (google-adk's own rewind does):
    # the preview must not say they go.
    app = run(lambda: RewindDialog(plan(1, removed=3), "inv-42", annuls=True), keys(),
              size=(120, 36))
    assert ("3 events will be annulled (kept in the database, hidden from the agent); "
            "1 state key changes:") in app.text
    assert "will be removed" not in app.text
    empty = RewindPlan("s1", "inv-1", False, 5, 0, {}, [])
    assert "No events will be annulled." in run(
        lambda: RewindDialog(empty, "inv-1", annuls=True), keys()).text
