"""The fork confirm dialog: what the fork will hold for each choice (up to / before, ↑ ↓), the
new id editable, an empty id refused in place, the store's refusal shown with what was typed;
and its snapshot."""

from __future__ import annotations

from dialog_harness import Host, answer, keys, run, screen_text
from session_tui.dialogs import ForkChoice, ForkDialog
from session_tui.model import Event, Session
from session_tui.store.forking import plan_fork


def session() -> Session:
    s = Session.new("travel", "ada", "trip")
    s.extra["initial_state"] = {"seat": "1A"}
    s.state = {"seat": "1A"}
    for n, (inv, delta) in enumerate([("inv-1", {"city": "Paris"}),
                                      ("inv-2", {"city": "Rome", "hotel": "[b]H[/b]"}),
                                      ("inv-2", {"app:theme": "dark"}),
                                      ("inv-3", {"city": "Oslo", "seat": "9C", "note": "x"})]):
        s.events.append(Event.new(inv, "planner", f"turn {n}", state_delta=delta,
                                  timestamp=1790000000 + n))
        s.apply_delta(delta)
    return s


def dialog(**kw) -> ForkDialog:
    s = session()
    return ForkDialog(plan_fork(s, "inv-2"), plan_fork(s, "inv-2", before=True), "inv-2", **kw)


def test_shows_what_each_choice_holds_switches_with_the_arrows_and_comes_back_refused():
    async def script(pilot, app):
        text = screen_text(app)
        assert "Fork at inv-2" in text and "A new session from trip" in text
        assert "● up to and including inv-2: 3 events" in text and "○ before inv-2: 1 event" in text
        assert "It holds 3 events; 3 state keys restored:" in text
        assert '"Oslo"' in text and '"Rome"' in text and "(removed)" in text  # city, note
        assert '"[b]H[/b]"' not in text  # (restored only by "before": not on this choice)
        assert "trip-fork" in text and app.screen.focused.id == "fork-input"
        await pilot.press("down")
        text = screen_text(app)
        assert "○ up to and including inv-2" in text and "● before inv-2: 1 event" in text
        assert "It holds 1 event; 4 state keys restored; 1 shared key" in text
        assert '"[b]H[/b]"' in text and "as now: shared key" in text
        # The store refused an earlier try: back with what was typed, and why.
        app.open(dialog(choice=ForkChoice(True, "taken"),
                        error="a session with id 'taken' already exists"))
        await pilot.pause()
        text = screen_text(app)
        assert "● before inv-2" in text and "taken" in text and "already exists" in text

    run(dialog, script, size=(100, 34))


def test_enter_forks_with_the_choice_and_the_id_typed_an_empty_id_is_refused():
    async def script(pilot, app):
        assert await answer(pilot, app, dialog(), "enter") == ForkChoice(False, "trip-fork")
        got = await answer(pilot, app, dialog(), "up", "ctrl+u", *"mine", "enter")
        assert got == ForkChoice(True, "mine")
        assert await answer(pilot, app, dialog(), "escape") is None
        results = len(app.results)
        app.open(dialog())
        await pilot.pause()
        await pilot.press("ctrl+u", "enter")
        assert len(app.results) == results and "the new id is empty" in screen_text(app)
        await pilot.press("x")
        assert "the new id is empty" not in screen_text(app)

    run(None, script)


def test_snapshot_fork(snap_compare):
    assert snap_compare(Host(dialog), terminal_size=(100, 34))
