"""session_tui.text: agent text made safe for a terminal, and short previews of it."""

from __future__ import annotations

import json
import re
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from budget import examples

from session_tui.text import cell_width, json_preview, one_line, safe, short
from probes import CountingDict

# Everything that must never reach the terminal as is (besides \n and \t in multi-line text).
DANGEROUS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\U000e0000-\U000e007f]"
)


def test_text_module_does_not_import_textual():
    import subprocess

    code = "import sys, session_tui.text; print('textual' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("\x1b]0;pwned\x07", "␛]0;pwned␇"),  # OSC title change: ESC and BEL visible
        ("\x1b[31mred", "␛[31mred"),  # SGR colour
        ("a\x00b", "a␀b"),  # NUL
        ("a\x08b", "a␈b"),  # backspace
        ("a\rb", "a␍b"),  # lone carriage return
        ("a\x0bb\x0cc", "a␋b␌c"),  # VT, FF
        ("a\x7fb", "a␡b"),  # DEL
        ("a\x9bb", "a\\u009bb"),  # C1 CSI
        ("a\x85b", "a\\u0085b"),  # C1 NEL
        ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
        ("x\u2066y\u2069", "x\\u2066y\\u2069"),  # isolates
        ("x\u200ey\u200f\u061c", "x\\u200ey\\u200f\\u061c"),  # marks
        ("a\u2028b", "a\\u2028b"),  # line separator
        ("a\ud800b", "a\\ud800b"),  # lone surrogate (cannot be encoded)
        ("a\U000e0041b", "a\\U000e0041b"),  # invisible tag character
    ],
)
def test_safe_makes_each_dangerous_class_visible(raw, shown):
    assert safe(raw) == shown
    assert not DANGEROUS.search(safe(raw))


# Format characters (Unicode category Cf) that do show a glyph: left as they are.
VISIBLE_FORMAT = {0x600, 0x601, 0x602, 0x603, 0x604, 0x605, 0x6DD, 0x70F, 0x890, 0x891, 0x8E2,
                  0x110BD, 0x110CD}
INVISIBLE_FORMAT = [chr(c) for c in range(0x110000)
                    if unicodedata.category(chr(c)) == "Cf" and c not in VISIBLE_FORMAT]
FILLERS = ["\u115f", "\u1160", "\u3164", "\uffa0", "\u034f", "\u17b4", "\u17b5"]


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",
                                  "\u180e", "\u2061", "\u206a"] + FILLERS)
def test_zero_width_and_invisible_characters_are_made_visible_by_every_helper(char):
    raw = f"a{char}b"
    escaped = f"\\u{ord(char):04x}"
    assert safe(raw) == f"a{escaped}b"
    for shown in (safe(raw, multiline=False), one_line(raw), one_line(raw, 40), short(raw, 40),
                  json_preview({"k": raw}, 60)):
        assert char not in shown and escaped in shown


def test_every_invisible_format_character_is_made_visible():
    text = "".join(INVISIBLE_FORMAT + FILLERS)
    shown = safe(text)
    assert not [c for c in shown if c in text]
    assert shown.count("\\") == len(INVISIBLE_FORMAT) + len(FILLERS)
    assert safe("\u0600\u06dd") == "\u0600\u06dd"  # these show a glyph


def test_safe_keeps_newlines_and_tabs_in_multiline_text():
    assert safe("a\nb\tc") == "a\nb\tc"
    assert safe("a\r\nb") == "a\nb"
    assert safe("a\nb\tc", multiline=False) == "a⏎ b→c"


def test_safe_leaves_ordinary_text_and_markup_alone():
    text = "[bold red]x[/] [link=https://evil.example]click[/link] héllo 日本 🙂"
    assert safe(text) == text


def test_one_line_collapses_and_truncates():
    assert one_line("hello\nworld", None) == "hello⏎ world"
    assert one_line("a\tb", 10) == "a→b"
    cut = one_line("0123456789abcdef", 10)
    assert cut == "012345678…" and cell_width(cut) == 10
    assert one_line(None, 5) == ""
    wide = one_line("日本語のテキスト" * 3, 9)
    assert cell_width(wide) <= 9 and wide.endswith("…")


def test_one_line_of_5mb_is_short():
    text = "\x1b" + "x" * 5_000_000
    line = one_line(text, 40)
    assert cell_width(line) == 40 and line.startswith("␛") and line.endswith("…")


def test_short():
    assert short("abcdefghij", 5) == "abcd…"
    assert short("abcde", 5) == "abcde"
    assert short("a\nb", 5) == "a⏎ b"
    assert short(None, 3) == ""


def test_json_preview_compact_and_safe():
    value = {"a": 1, "b": [True, None, 2.5], "c": "x\u202ey\x1b"}
    preview = json_preview(value, 200)
    assert preview == '{"a": 1, "b": [true, null, 2.5], "c": "x\\u202ey\\u001b"}'
    assert not DANGEROUS.search(preview)
    assert json.loads(preview)["a"] == 1


def test_json_preview_truncates_big_and_deep_values():
    assert json_preview({"s": "x" * 5_000_000}, 20) == '{"s": "xxxxxxxxxxxx…'
    deep: dict = {}
    cur = deep
    for _ in range(5000):  # deeper than the recursion limit: only the preview is walked
        cur["k"] = {}
        cur = cur["k"]
    assert json_preview(deep, 30).endswith("…")
    many = {f"k{i}": i for i in range(50_000)}
    assert len(json_preview(many, 30)) == 30
    assert json_preview("[bold]x[/bold]", 40) == '"[bold]x[/bold]"'


@settings(max_examples=examples(60), deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=60))
def test_properties_nothing_dangerous_gets_through(text, width):
    assert not DANGEROUS.search(safe(text))
    assert not set(safe(text)) & set(INVISIBLE_FORMAT + FILLERS)
    assert not set(one_line(text, width)) & set(INVISIBLE_FORMAT + FILLERS)
    line = one_line(text, width)
    assert "\n" not in line and "\t" not in line and not DANGEROUS.search(line)
    assert cell_width(line) <= width
    assert len(short(text, width)) <= width
    preview = json_preview({"k": text, "l": [text]}, width)
    assert cell_width(preview) <= width and not DANGEROUS.search(preview)


# ------------------------------------------------------------------------------- json_head

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=examples(60), deadline=None)
@given(JSON_VALUES, st.integers(min_value=0, max_value=200), st.sampled_from([2, None]))
def test_json_head_is_the_start_of_json_dumps(value, limit, indent):
    # indent=None: one line, as the timeline's previews show a call's arguments.
    full = json.dumps(value, indent=indent, ensure_ascii=False, default=repr)
    from session_tui.text import json_head

    head, complete = json_head(value, limit, indent)
    assert complete == (len(full) <= limit)
    assert head == full[:limit] if not complete else head == full
    assert json_head(value, len(full), indent) == (full, True)


def test_json_head_of_10mb_and_100k_keys_looks_at_what_it_shows():
    from session_tui.text import json_head

    ten_mb = "z" * 10_000_000
    assert json_head({"big": ten_mb}, 1_000) == json_head({"big": ten_mb[:100_000]}, 1_000)
    CountingDict.read = 0
    head, complete = json_head(CountingDict({f"k{n:06d}": n for n in range(100_000)}), 1_000)
    assert not complete and len(head) == 1_000 and head.startswith('{\n  "k000000": 0,')
    assert CountingDict.read < 100  # not 100,000
