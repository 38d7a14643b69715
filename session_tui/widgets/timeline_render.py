"""How the timeline draws its lines: an invocation's header (fitted by timeline_header.py) and an
event's line (time, author, preview, badges, its tokens and seconds), in the theme's colours;
annulled events dimmed, never markup."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ..eventinfo import (compaction_of, confirmations_requested, error_of, function_counts,
                         is_edit, preview, rewind_target)
from ..model import Event, from_unix
from ..stats import event_duration, event_tokens, figures_text
from ..text import middle_cut, one_line, plural
from .timeline_header import HeaderParts, fit_header


class TimelineRendering:
    """Mixed into Timeline (a CursorList): `_lines`, `session` and the component styles."""

    def _styles(self, is_cursor: bool) -> tuple[Style, Style | None]:
        cursor = self.get_component_rich_style("timeline--cursor") if is_cursor else None
        base = self.rich_style
        return (base + cursor if cursor is not None else base), cursor

    def _part(self, name: str, base: Style, cursor: Style | None) -> Style:
        style = base + self.get_component_rich_style(name, partial=True)
        return style + cursor if cursor is not None else style

    def _render_header(self, number: int, width: int, is_cursor: bool) -> Strip:
        run = self._lines.run(number)
        stats = self._lines.stats(number)
        line_style, cursor = self._styles(is_cursor)
        base = self.rich_style
        if stats.annulled == run.end - run.start:  # the whole run: dimmed as its events
            base, line_style = self._dimmed(base), self._dimmed(line_style)
        header = self._part("timeline--header-edit" if stats.edit else "timeline--header", base, cursor)
        muted = self._part("timeline--muted", base, cursor)
        count = run.end - run.start
        pieces: list[tuple[str, Style]] = [
            ("↶ " if stats.annulled else "✎ " if stats.edit else "▾ ", header),
            (middle_cut(one_line(run.invocation_id), max(18, width // 2 - 10)), header),  # whole at 96+
        ]
        if run.parts > 1:
            pieces.append((f" (part {run.part}/{run.parts})", muted))
        annulled: list[tuple[str, Style]] = []
        annulled_short: list[tuple[str, Style]] = []
        if stats.annulled_by is not None:
            which = "" if stats.annulled == count else f"{stats.annulled} of {count} "
            rewind_style = self._part("timeline--rewind", base, cursor)
            annulled = [(f"  {which}annulled by {self._rewind_name(stats.annulled_by)}", rewind_style)]
            annulled_short = [(f"  {which}annulled by event {stats.annulled_by + 1}", rewind_style)]
        badges: list[tuple[str, Style]] = []
        if stats.changed_keys:
            badges += [("  ", line_style), (f"Δ{stats.changed_keys}", self._part("timeline--badge-state", base, cursor))]
        if stats.errors:
            badges += [("  ", line_style), (f"✗ {plural(stats.errors, 'error')}",
                                            self._part("timeline--badge-error", base, cursor))]
        parts = HeaderParts(pieces, annulled, annulled_short, ", ".join(stats.authors), self._part("timeline--author", base, cursor),
                            line_style, plural(count, "event"), _span(stats.first, stats.last),
                            self._part("timeline--time", base, cursor), muted, badges)
        seconds = stats.last - stats.first if count > 1 else None
        figures = figures_text(stats.tokens, seconds, width)
        room = width - (cell_len(figures) + 1 if figures else 0)
        return self._with_figures(fit_header(parts, room), figures, width,
                                  line_style, self._part("timeline--figures", base, cursor))

    def _with_figures(self, pieces: list[tuple[str, Style]], figures: str, width: int,
                      fill: Style, style: Style) -> Strip:
        """The line cut to leave room for its tokens and time, right-aligned at its end."""
        if not figures:
            return _strip(pieces, width, fill)
        room = max(0, width - cell_len(figures) - 1)
        return Strip.join([_strip(pieces, room, fill), _strip([(" " + figures, style)], width - room, fill)])

    def _dimmed(self, style: Style) -> Style:
        return style + self.get_component_rich_style("timeline--annulled", partial=True)

    def _rewind_name(self, rewind: int) -> str:
        """`rewind at 10:42:07 (event 17)`: the rewind event as the user finds it (events are
        numbered from 1, as time travel numbers them)."""
        clock = _clock(self._events[rewind].timestamp)
        return f"rewind at {clock.strftime('%H:%M:%S') if clock else '??:??:??'} (event {rewind + 1})"

    def _rewind_text(self, index: int, target: str) -> str:
        """What a rewind event did: which invocation it went back before, and how many events
        (of how many invocations) it annulled."""
        target = one_line(target)
        if index in self._annulled:  # ADK skips a rewind inside an annulled range
            return f"rewind: no effect, itself annulled later (was to go back before {target})"
        count = self._rewound.get(index, 0)
        if not count:
            return f"rewind: annulled nothing (no earlier event of {target})"
        invocations = {self._events[i].invocation_id for i, r in self._annulled.items() if r == index}
        across = f" ({len(invocations)} invocations)" if len(invocations) > 1 else ""
        return f"rewind: annulled {count} event{'s' if count != 1 else ''} from {target} on{across}"

    def _render_event(self, index: int, width: int, is_cursor: bool) -> Strip:
        event = self._events[index]
        line_style, cursor = self._styles(is_cursor)
        base = self.rich_style
        annulled = index in self._annulled
        if annulled:
            base, line_style = self._dimmed(base), self._dimmed(line_style)
        muted = self._part("timeline--muted", base, cursor)
        clock = _clock(event.timestamp)
        # A narrow pane (80 columns: ~46 cells) gives the text room before the author's name.
        author = self._lines.author_width if width >= 64 else min(self._lines.author_width, max(8, width // 4))
        new = event.id in self._new
        time_style = self._part("timeline--new" if new else "timeline--time", base, cursor)
        left: list[tuple[str, Style]] = [
            ("● " if new else "↶ " if annulled else "» " if index in self._matched else "  ",
             self._part("timeline--match", base, cursor) if index in self._matched else time_style),
            (clock.strftime("%H:%M:%S") if clock else "??:??:??", time_style),
            ("  ", line_style),
            (_pad(one_line(event.author, author), author), self._part("timeline--author", base, cursor)),
            ("  ", line_style),
        ]
        badges = self._badges(event, base, cursor)
        left_width = sum(cell_len(text) for text, _ in left)
        badge_width = sum(cell_len(text) for text, _ in badges) + (1 if badges else 0)
        tokens = event_tokens(event) if event.extra else None
        figures = figures_text(tokens["total"] if tokens else None, event_duration(self._events, index), width)
        room = max(0, width - left_width - badge_width - (cell_len(figures) + 1 if figures else 0))
        text, kind = preview(event)
        target = rewind_target(event)
        if target is not None:
            text, kind = self._rewind_text(index, target), "rewind"
        elif kind == "compaction":
            count, _ = compaction_of(event).span(self._events, at=event.timestamp)
            text = f"compacted {plural(count, 'event')}: {text.removeprefix('compacted: ')}"
        style = {"content": line_style, "error": self._part("timeline--error", base, cursor),
                 "compaction": self._part("timeline--compaction", base, cursor),
                 "rewind": self._part("timeline--rewind", base, cursor)}.get(kind, muted)
        if index in self._matched:
            style = self._part("timeline--match", base, cursor)
        pieces = left + [(_pad(one_line(text, room), room), style)]
        if badges:
            pieces.append((" ", line_style))
            pieces.extend(badges)
        return self._with_figures(pieces, figures, width, line_style,
                                  self._part("timeline--figures", base, cursor))

    def _badges(self, event: Event, base: Style, cursor: Style | None) -> list[tuple[str, Style]]:
        out: list[tuple[str, Style]] = []
        actions = event.actions
        if is_edit(event):
            out.append(("✎", self._part("timeline--badge-edit", base, cursor)))
        if actions.state_delta:
            out.append((f"Δ{len(actions.state_delta)}", self._part("timeline--badge-state", base, cursor)))
        calls, responses = function_counts(event)
        if calls:
            out.append((f"ƒ{calls if calls > 1 else ''}", self._part("timeline--badge-function", base, cursor)))
        if responses:
            out.append((f"↩{responses if responses > 1 else ''}",
                        self._part("timeline--badge-function", base, cursor)))
        if actions.transfer_to_agent:
            out.append((f"→{one_line(actions.transfer_to_agent, 16)}",
                        self._part("timeline--badge-transfer", base, cursor)))
        if actions.escalate:
            out.append(("⚠", self._part("timeline--badge-escalate", base, cursor)))
        if error_of(event) is not None:
            out.append(("✗", self._part("timeline--badge-error", base, cursor)))
        if compaction_of(event) is not None:
            out.append(("⋯", self._part("timeline--badge-compaction", base, cursor)))
        if rewind_target(event) is not None:
            out.append(("↶", self._part("timeline--rewind", base, cursor)))
        asked = confirmations_requested(event)
        if asked:  # a tool waits for a person to confirm it
            out.append((f"?{asked if asked > 1 else ''}", self._part("timeline--badge-escalate", base, cursor)))
        if not out:
            return out
        spaced: list[tuple[str, Style]] = []
        space_style = base + cursor if cursor is not None else base
        for i, badge in enumerate(out):
            if i:
                spaced.append((" ", space_style))
            spaced.append(badge)
        return spaced


def _clock(timestamp: float) -> datetime | None:
    try:
        return from_unix(timestamp)
    except (OverflowError, ValueError, TypeError):
        return None

def _span(first: float, last: float) -> str:
    a, b = _clock(first), _clock(last)
    if a is None or b is None:
        return "?"
    start = a.strftime("%Y-%m-%d %H:%M:%S")
    if b == a:
        return start
    if b.date() == a.date():
        return f"{start}–{b.strftime('%H:%M:%S')}"
    return f"{start}–{b.strftime('%Y-%m-%d %H:%M:%S')}"


def _pad(text: str, width: int) -> str:
    length = cell_len(text)
    if length >= width:
        return set_cell_size(text, width)
    return text + " " * (width - length)


def _strip(pieces: Iterable[tuple[str, Style]], width: int, fill: Style) -> Strip:
    segments = [Segment(text, style) for text, style in pieces if text]
    return Strip(segments).adjust_cell_length(width, fill)
