"""StateTree: a state dict as a lazily expanded tree."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from session_tui.widgets import StateTree

STATE = {
    "destination": "Lisbon",
    "[bold red]x[/]": "[link=https://evil.example]click[/link]",
    "esc": "\x1b]0;pwned\x07 tail\u202e",
    "booking": {"seat": "12A", "passengers": [{"name": "Ana"}, {"name": "Rui"}], "paid": False},
    "count": 3,
    "ratio": 0.5,
    "nothing": None,
    "empty": {},
}


class Harness(App):
    def __init__(self, widget: StateTree) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


def run(test, state, size=(100, 30)):
    async def main():
        widget = StateTree()
        app = Harness(widget)
        async with app.run_test(size=size) as pilot:
            widget.set_state(state)
            widget.focus()
            await pilot.pause()
            await test(app, widget, pilot)

    asyncio.run(main())


def lines(widget: StateTree) -> list[str]:
    return ["".join(s.text for s in widget.render_line(y)).rstrip() for y in range(widget.size.height)]


def top(widget: StateTree, key: str):
    return next(n for n in widget.root.children if n.data[0] == (key,))


def test_labels_show_types_and_literal_text():
    async def check(app, widget, pilot):
        shown = "\n".join(lines(widget))
        assert 'destination: "Lisbon"  string' in shown
        assert '[bold red]x[/]: "[link=https://evil.example]click[/link]"  string' in shown
        assert "\\u001b]0;pwned\\u0007 tail\\u202e" in shown and "\x1b" not in shown
        assert "\u202e" not in shown
        assert "booking: " in shown and "object (3 keys)" in shown
        assert "count: 3  number" in shown and "ratio: 0.5  number" in shown
        assert "nothing: null  null" in shown and "empty: {}  object (0 keys)" in shown

    run(check, STATE)


def test_children_are_added_only_on_expand():
    async def check(app, widget, pilot):
        booking = top(widget, "booking")
        assert booking.allow_expand and not booking.children
        assert not top(widget, "empty").allow_expand  # nothing to expand
        widget.move_cursor(booking)
        await pilot.press("space")
        await pilot.pause()
        assert [c.data[0] for c in booking.children] == [
            ("booking", "seat"), ("booking", "passengers"), ("booking", "paid")]
        passengers = booking.children[1]
        assert passengers.data == (("booking", "passengers"), STATE["booking"]["passengers"])
        assert not passengers.children
        shown = "\n".join(lines(widget))
        assert "passengers: " in shown and "array (2 items)" in shown and "paid: false  bool" in shown
        widget.move_cursor(passengers)
        await pilot.press("right")
        await pilot.pause()
        assert [c.data[0] for c in passengers.children] == [
            ("booking", "passengers", 0), ("booking", "passengers", 1)]
        await pilot.press("right")  # expanded: right goes to the first child
        assert widget.cursor_path == ("booking", "passengers", 0)
        await pilot.press("left")  # a collapsed child: left goes to the parent
        assert widget.cursor_path == ("booking", "passengers")

    run(check, STATE)


def test_set_state_keeps_expanded_paths_cursor_and_marks_changed_keys():
    async def check(app, widget, pilot):
        node = widget.expand_path(("booking", "passengers", 1))
        await pilot.pause()
        widget.move_cursor(node)
        assert widget.cursor_path == ("booking", "passengers", 1)
        new_state = dict(STATE, count=4, booking={**STATE["booking"], "seat": "14C"})
        widget.set_state(new_state, highlight_keys={"count", "booking"})
        await pilot.pause()
        assert widget.cursor_path == ("booking", "passengers", 1)
        booking = top(widget, "booking")
        assert booking.is_expanded and booking.children[1].is_expanded
        shown = "\n".join(lines(widget))
        assert "● count: 4  number" in shown and "● booking: " in shown
        assert "● destination" not in shown
        assert 'seat: "14C"' in shown
        # a path that went away: the cursor goes to the nearest ancestor still there
        widget.set_state({"booking": {"seat": "1A"}})
        await pilot.pause()
        assert widget.cursor_path == ("booking",)

    run(check, STATE)


def test_50k_top_level_keys_are_paged():
    state = {f"key{i:05d}": {"v": i} for i in range(50_000)}

    async def check(app, widget, pilot):
        children = widget.root.children
        assert len(children) == StateTree.PAGE + 1
        more = children[-1]
        assert isinstance(more.data[1], StateTree.More)
        assert "49,000 more" in str(more.label)
        widget.move_cursor(more)
        assert widget.cursor_path is None
        await pilot.press("enter")
        await pilot.pause()
        assert len(widget.root.children) == 2 * StateTree.PAGE + 1
        assert widget.cursor_path == (f"key{StateTree.PAGE:05d}",)
        node = widget.expand_path(("key45000", "v"))
        assert node is not None and node.data == (("key45000", "v"), 45000)

    run(check, state)


def test_500_deep_state_and_5mb_string():
    deep: dict = {}
    cur = deep
    for _ in range(500):
        cur["k"] = {}
        cur = cur["k"]
    cur["leaf"] = "bottom"
    state = {"deep": deep, "big": "x" * 5_000_000}

    async def check(app, widget, pilot):
        assert len(widget.root.children) == 2
        big_line = next(text for text in lines(widget) if text.startswith("  big"))
        assert "string (5,000,000 chars)" in big_line and len(big_line) < 200
        node = widget.expand_path(("deep",) + ("k",) * 500 + ("leaf",))
        await pilot.pause()
        assert node is not None and node.data[1] == "bottom"
        widget.move_cursor(node)
        await pilot.pause()
        assert widget.cursor_path == ("deep",) + ("k",) * 500 + ("leaf",)

    run(check, state)


def test_string_labels_are_never_markup():
    async def check(app, widget, pilot):
        node = widget.root.add("[bold]not markup[/bold]", ((), None))
        assert str(node.label) == "[bold]not markup[/bold]"

    run(check, {})


def test_a_state_with_the_same_keys_rebuilds_only_the_values_that_changed():
    """Time travel steps through states that share most values: the 1,000s of nodes loaded
    under an unchanged key stay as they are; a changed key is rebuilt with its nodes expanded
    as they were, and the marks follow `highlight_keys`."""
    many = {f"k{n:06d}": n for n in range(3_000)}
    deep = {"level": {"level": {"level": "a"}}}

    async def check(app, widget, pilot):
        widget.expand_path(("deep", "level", "level", "level"))
        kept = widget.expand_path(("many", "k001500"))  # two pages loaded
        await pilot.pause()
        widget.move_cursor(kept)
        await pilot.pause()
        assert widget.cursor_path == ("many", "k001500")
        widget.set_state({"deep": {"level": {"level": {"level": "b"}}}, "many": dict(many), "x": 2},
                         highlight_keys={"x"})
        await pilot.pause()
        assert widget.find_node(("many", "k001500")) is kept and widget.cursor_path == ("many", "k001500")
        leaf = widget.find_node(("deep", "level", "level", "level"))
        assert leaf is not None and leaf.data[1] == "b"
        assert widget.find_node(("x",)).data[1] == 2
        assert str(widget.find_node(("x",)).label).startswith("● x: 2")
        widget.scroll_home(animate=False)
        await pilot.pause()
        assert '▼ deep: {"level": {"level": {"level": "b"}}}' in "\n".join(lines(widget))
        widget.set_state({"deep": deep, "many": many, "x": 2})
        await pilot.pause()
        assert str(widget.find_node(("x",)).label).startswith("x: 2")
        assert widget.find_node(("many", "k001500")) is kept

    run(check, {"deep": deep, "many": many, "x": 1})
