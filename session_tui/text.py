"""Making agent text safe for a terminal, and short previews of it.

Text that comes from agents is data: it must never reach the terminal as control sequences
(`ESC ] 0 ; title BEL` retitles the window, C1 `CSI` moves the cursor, bidi overrides reorder
what the user reads). Every helper here returns text in which those characters are replaced by
visible stand-ins:

- ESC (U+001B) becomes `␛`; the other C0 controls become their Unicode control pictures
  (U+2400 + code: NUL `␀`, BEL `␇`, BS `␈`, CR `␍`, ...). `\\n` and `\\t` are kept by `safe()`
  (multi-line text) and made visible by the one-line helpers (`⏎ ` and `→`).
- DEL (U+007F) becomes `␡`.
- C1 controls (U+0080-U+009F), bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E,
  U+2066-U+2069), line/paragraph separators (U+2028, U+2029), lone surrogates (U+D800-U+DFFF,
  which a terminal cannot encode) and Unicode tag characters (U+E0000-U+E007F, invisible text
  used to smuggle instructions past readers) become a Python-style escape: `\\u009b`,
  `\\u202e`, `\\U000e0041`.
- Invisible format and filler characters, which take no cell (or look like a space) and so hide
  text or shift the layout, are escaped the same way: zero-width space, joiners and
  non-joiner (U+200B-U+200D), word joiner and invisible operators (U+2060-U+2064), deprecated
  format characters (U+206A-U+206F), the byte order mark / zero-width no-break space (U+FEFF),
  soft hyphen (U+00AD), combining grapheme joiner (U+034F), Mongolian vowel separator
  (U+180E), Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), Khmer inherent vowels (U+17B4,
  U+17B5), interlinear annotation marks (U+FFF9-U+FFFB), Egyptian hieroglyph format controls
  (U+13430-U+1343F), shorthand format controls (U+1BCA0-U+1BCA3) and musical format
  characters (U+1D173-U+1D17A). (Format characters that show a glyph, such as the Arabic number
  signs U+0600-U+0605, are left alone.)
  An emoji sequence joined by U+200D then shows its parts and the joiner.

No markup is involved anywhere: callers put the result into `rich.text.Text(...)` or
`textual.content.Content(...)` objects, never into a markup string. This module imports neither
Textual nor Rich.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from .json_pieces import Full, JsonPieces

__all__ = ["safe", "one_line", "short", "json_preview", "json_head", "cell_width",
           "truncate_cells", "middle_cut", "plural"]

ELLIPSIS = "…"
NEWLINE_MARK = "⏎ "
TAB_MARK = "→"


# Invisible format and filler characters (see the module docstring).
INVISIBLE = (0x00AD, 0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B, 0x200C, 0x200D,
             *range(0x2060, 0x2065), *range(0x206A, 0x2070), 0x3164, 0xFEFF, 0xFFA0,
             *range(0xFFF9, 0xFFFC), *range(0x13430, 0x13440), *range(0x1BCA0, 0x1BCA4),
             *range(0x1D173, 0x1D17B))


def _escape(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        table[code] = chr(0x2400 + code)
    table[0x1B] = "␛"
    table[0x7F] = "␡"
    for code in range(0x80, 0xA0):
        table[code] = _escape(code)
    for code in (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F),
                 *range(0x2066, 0x206A), *INVISIBLE):
        table[code] = _escape(code)
    return table


# Replacement for every dangerous code point that `_DANGER` matches (surrogates and tag
# characters are escaped by code, not listed).
_TABLE: dict[int, str] = _build_table()

# Everything that must not reach a terminal as is (\n and \t included: the callers decide).
_DANGER = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\U000e0000-\U000e007f"
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200d\u2060-\u2064\u206a-\u206f"
    "\u3164\ufeff\uffa0\ufff9-\ufffb\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a]"
)
_CRLF = re.compile("\r\n")


def _replace_multiline(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\n" or char == "\t":
        return char
    code = ord(char)
    return _TABLE.get(code) or _escape(code)


def _replace_one_line(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\n":
        return NEWLINE_MARK
    if char == "\t":
        return TAB_MARK
    code = ord(char)
    return _TABLE.get(code) or _escape(code)


def safe(text: str, *, multiline: bool = True) -> str:
    """`text` with every control, bidi and otherwise dangerous character made visible.

    With `multiline` (the default), `\\n` and `\\t` are kept (and `\\r\\n` becomes `\\n`);
    without it they become `⏎ ` and `→` so the result is one line. Never raises on odd input:
    a non-string is converted with `str()` first.
    """
    if not isinstance(text, str):
        text = str(text)
    if not _DANGER.search(text):
        return text
    if multiline:
        if "\r\n" in text:
            text = _CRLF.sub("\n", text)
        return _DANGER.sub(_replace_multiline, text)
    if "\r\n" in text:
        text = _CRLF.sub("\n", text)
    return _DANGER.sub(_replace_one_line, text)


def cell_width(text: str) -> int:
    """Terminal cells `text` takes (wide East Asian characters: 2, combining marks: 0).

    An approximation of what Rich measures, good enough to size previews; widgets crop again
    with Rich's own measure.
    """
    if text.isascii():
        return len(text)
    total = 0
    for char in text:
        total += _char_width(char)
    return total


def _char_width(char: str) -> int:
    if char.isascii():
        return 1
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\u2060\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def truncate_cells(text: str, width: int, ellipsis: str = ELLIPSIS) -> str:
    """`text` cut to at most `width` cells, ending with `ellipsis` when something was cut."""
    if width <= 0:
        return ""
    if text.isascii():
        return text if len(text) <= width else text[: max(0, width - len(ellipsis))] + ellipsis
    if cell_width(text) <= width:
        return text
    budget = width - cell_width(ellipsis)
    out: list[str] = []
    used = 0
    for char in text:
        w = _char_width(char)
        if used + w > budget:
            break
        out.append(char)
        used += w
    return "".join(out) + ellipsis


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 event`, `3 events`, `0 events` (with thousands separators)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def middle_cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, cut in the middle (`aa5d0b4b…a0365db`) so that both
    ends stay readable: ids differ at their ends (`…~2`, a counter, a date)."""
    if cell_width(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    tail_cells = (width - 1) // 2
    head = truncate_cells(text, width - 1 - tail_cells, ellipsis="")
    tail: list[str] = []
    used = 0
    for char in reversed(text):
        w = _char_width(char)
        if used + w > tail_cells:
            break
        tail.append(char)
        used += w
    return head + ELLIPSIS + "".join(reversed(tail))


def _cut(text: str, width: int) -> str:
    """`text`, known to be the start of something longer, in `width` cells ending with `…`."""
    if cell_width(text) < width:
        return text + ELLIPSIS
    return truncate_cells(text + ELLIPSIS, width)


def one_line(text: str | None, width: int | None = None) -> str:
    """A safe one-line rendering of `text`: newlines shown as `⏎ `, tabs as `→`, cut to `width`
    terminal cells with `…` (no limit when `width` is None).

    Only the start of a long text is looked at, so a 5 MB content costs no more than a short one.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if width is not None:
        # Each visible cell needs at least one character, and each escape is at most ten
        # characters for one: the slice keeps enough to fill `width` cells, and a sign (one
        # more character) that there was more.
        head = text[: width * 2 + 2]
        line = safe(head, multiline=False)
        if len(head) < len(text):
            return _cut(line, width)
        return truncate_cells(line, width)
    return safe(text, multiline=False)


def short(text: str | None, n: int) -> str:
    """A safe one-line `text` of at most `n` characters, ending with `…` when it was cut."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if n <= 0:
        return ""
    line = safe(text[: n + 1], multiline=False)
    if len(line) <= n and len(text) <= n:
        return line
    return line[: n - 1] + ELLIPSIS


# ------------------------------------------------------------------------------- JSON


def pretty_json(value: Any) -> str:
    """Indented JSON, unicode kept; a value JSON cannot hold shown by its repr (not yet made
    safe: pass it through `safe`). The one pretty printer of the app and the CLI."""
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


def json_preview(value: Any, n: int = 80) -> str:
    """Compact one-line JSON of `value` (`{"a": 1, "b": [1, 2]}`), safe, at most `n` cells,
    ending with `…` when cut.

    Only as much of `value` is serialised as the preview shows, so a 5 MB string or a state
    with 50,000 keys costs no more than a small one; nesting deeper than the preview is wide
    costs nothing either.
    """
    if n <= 0:
        return ""
    pieces = JsonPieces(n, exact=False)
    try:
        pieces.write(value)
        cut = False
    except (Full, RecursionError):  # pathological nesting: what we have is the preview
        cut = True
    text = safe(pieces.text(), multiline=False)
    return _cut(text, n) if cut else truncate_cells(text, n)


def json_head(value: Any, limit: int, indent: int | None = 2) -> tuple[str, bool]:
    """The first `limit` characters of `value` as indented JSON (what `json.dumps(value,
    indent=indent, ensure_ascii=False, default=repr)` writes; unicode kept, not yet made safe),
    and whether that is all of it. `indent=None`: on one line (`{"a": 1, "b": [2]}`).

    Only as much of `value` is looked at as the head holds: a 10 MB string or 100,000 keys cost
    no more than a screenful (`json.dumps` would lay out all of it, to show a page)."""
    pieces = JsonPieces(limit, indent)
    try:
        pieces.write(value)
    except (Full, RecursionError):  # pathological nesting: what we have is the head
        return pieces.text()[: max(limit, 0)], False
    return pieces.text(), True
