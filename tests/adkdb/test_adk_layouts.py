"""The layouts' time shortcuts give exactly what the model's own functions give."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given, settings, strategies as st
from budget import examples

from session_tui.adkdb.db import naive_utc_text, unix_of_naive_utc
from session_tui.adkdb.layouts import DatabaseV1Layout, iso_of_unix
from session_tui.model import format_time, from_unix


def _or_error(fn, value):
    try:
        return fn(value)
    except (ValueError, OverflowError):
        return "refused"


@settings(max_examples=examples(60), deadline=None)
@given(st.one_of(st.floats(min_value=-7e10, max_value=2.6e11, allow_nan=False),
                 st.integers(min_value=-10**12, max_value=10**12)))
def test_iso_of_unix_is_format_time_of_from_unix(unix):
    assert _or_error(iso_of_unix, unix) == _or_error(lambda u: format_time(from_unix(u)), unix)


class _Sqlite:
    def unix_of(self, value):
        return unix_of_naive_utc(value)


@settings(max_examples=examples(60), deadline=None)
@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 30)))
def test_a_naive_utc_text_shows_as_its_instant(moment):
    layout = DatabaseV1Layout(_Sqlite())
    text = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    expected = format_time(moment.replace(tzinfo=timezone.utc))
    assert layout.iso(text) == expected
    assert layout.iso(text[:19]) == format_time(moment.replace(microsecond=0, tzinfo=timezone.utc))
    unix = moment.replace(tzinfo=timezone.utc).timestamp()
    if datetime.fromtimestamp(unix, timezone.utc).replace(tzinfo=None) == moment:
        # (far from 1970 a float cannot hold every microsecond: 4148-01-01 00:00:00.999993
        # is a float that rounds to the next second; only instants a float holds are compared)
        assert naive_utc_text(unix)[:19] == text[:19]


def test_session_tui_open_store_opens_anything(tmp_path):
    import session_tui

    from session_tui.store import DirectoryStore

    DirectoryStore(tmp_path / "store", create=True)
    assert isinstance(session_tui.open_store(tmp_path / "store"), DirectoryStore)
