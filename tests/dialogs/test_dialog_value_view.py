from __future__ import annotations

from dialog_harness import Host, answer, keys, run, screen_text
from session_tui.dialogs import ValueDialog
from session_tui.dialogs.value_view import MAX_CHARS, full_text
from probes import CountingDict


def test_closes():
    async def script(pilot, app):
        for key in ("escape", "q"):
            assert await answer(pilot, app, ValueDialog("/notes", "text"), key) is None

    run(None, script)


def test_long_string_in_full_and_wrapped():
    text = " ".join(f"word{i}" for i in range(400))

    async def script(pilot, app):
        area = app.screen.query_one("#value-text")
        assert area.text == text
        shown = screen_text(app)
        assert "word0 word1" in shown and f"string ({len(text):,} characters)" in shown
        assert "word399" not in shown
        for _ in range(4):
            await pilot.press("pagedown")
        await pilot.pause()
        assert "word399" in screen_text(app)

    run(lambda: ValueDialog("/notes", text), script)


def test_object_as_pretty_json():
    async def script(pilot, app):
        assert app.screen.query_one("#value-text").text == '{\n  "seat": "12A",\n  "n": [\n    1\n  ]\n}'
        assert "object (2 keys)" in screen_text(app)

    run(lambda: ValueDialog("/booking", {"seat": "12A", "n": [1]}), script)


def test_safe_text_and_no_markup():
    app = run(lambda: ValueDialog("/x", "[bold]hi[/bold] \x1b]0;pwned\x07 \u202eevil"), keys())
    assert "[bold]hi[/bold] ␛]0;pwned␇ \\u202eevil" in app.text
    assert "\x1b" not in app.text and "\u202e" not in app.text


def test_capped_with_a_note():
    text, more = full_text("x" * (MAX_CHARS + 1234))
    assert len(text) == MAX_CHARS and more == 1234

    async def script(pilot, app):
        assert app.screen.query_one("#value-text").text.endswith("… 1,234 more characters")
        assert "1,234 more characters not shown" in screen_text(app)

    run(lambda: ValueDialog("/big", "x" * (MAX_CHARS + 1234)), script)


def test_snapshot_value(snap_compare):
    value = {"itinerary": [{"flight": "LH 400", "from": "FRA", "to": "JFK",
                            "note": "window seat, [b]not markup[/b]"},
                           {"flight": "LH 401", "from": "JFK", "to": "FRA"}],
             "total": 1234.5, "paid": False, "coupon": None}
    assert snap_compare(Host(lambda: ValueDialog("/booking", value)), terminal_size=(80, 24))


def test_100k_keys_are_laid_out_only_as_far_as_they_are_shown():
    CountingDict.read = 0
    text, more = full_text(CountingDict({f"k{n:06d}": n for n in range(100_000)}))
    assert text.startswith('{\n  "k000000": 0,') and len(text) == MAX_CHARS and more is None
    assert CountingDict.read < MAX_CHARS // 10  # not all 100,000
    ten_mb = "\x1b" + "z" * 10_000_000
    assert full_text(ten_mb) == full_text(ten_mb[:MAX_CHARS]) [:1] + (10_000_001 - MAX_CHARS,)


def test_a_json_value_cut_says_there_is_more():
    async def script(pilot, app):
        assert "… more not shown" in screen_text(app)
        assert app.screen.query_one("#value-text").text.endswith("… more")

    run(lambda: ValueDialog("/many", {f"k{n:06d}": n for n in range(100_000)}), script)
