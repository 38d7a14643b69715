"""Times as the ADK family writes them, read liberally and written exactly (canonical ISO 8601
UTC): ISO 8601 with or without fraction or offset, rs-adk's "<unix seconds>Z", Unix numbers."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone

from .wording import JSON, describe, type_name

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$",
    re.ASCII,
)
_UNIX_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*Z?\s*$", re.ASCII)


def parse_time(value: JSON) -> datetime:
    """Read a time the way the ADK family writes it: ISO 8601 (with or without fraction or
    offset; no offset means UTC), rs-adk's "<unix seconds>Z", or a Unix number.
    Raises ValueError (also for instants outside the years 1-9999)."""
    try:
        return _parse_time(value)
    except OverflowError:
        raise ValueError(f"time out of range, got {describe(value)}") from None


def _parse_time(value: JSON) -> datetime:
    if isinstance(value, bool):
        raise ValueError(f"expected a time, got {describe(value)}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"expected a time, got {value}")
        return from_unix(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a time string, got {type_name(value)} {describe(value)}")
    m = _UNIX_RE.match(value)
    if m:
        return from_unix(float(m.group(1)) if "." in m.group(1) else int(m.group(1)))
    m = _ISO_RE.match(value.strip())
    if not m:
        raise ValueError(f"expected an ISO 8601 time, got {describe(value)}")
    year, month, day, hour, minute, second, frac, tz = m.groups()
    micro, carry = 0, False
    if frac:
        # Round to the microsecond (half to even, as round() does floats), on every digit given.
        micro, rest = int(frac[:6].ljust(6, "0")), frac[6:]
        if rest and (rest[0] > "5" or (rest[0] == "5" and (rest[1:].strip("0") or micro % 2))):
            micro += 1
        carry, micro = micro >= 1_000_000, micro % 1_000_000
    try:
        dt = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro,
                      tzinfo=timezone.utc)
    except ValueError as exc:
        raise ValueError(f"expected an ISO 8601 time, got {describe(value)} ({exc})") from None
    if tz and tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        offset_min = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
        dt -= sign * timedelta(minutes=offset_min)
    if carry:
        dt += timedelta(seconds=1)
    return dt


def from_unix(seconds: float) -> datetime:
    """A Unix time as an aware UTC datetime, rounded to the microsecond."""
    whole = math.floor(seconds)
    micro = round((seconds - whole) * 1_000_000)
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=whole, microseconds=micro)


def format_time(dt: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ`, or with six fraction digits when the fraction is not zero."""
    dt = dt.astimezone(timezone.utc)
    # Not strftime: its %Y does not zero-pad years before 1000 on glibc ("5-01-01T...").
    base = (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}"
            f"T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}")
    return f"{base}.{dt.microsecond:06d}Z" if dt.microsecond else f"{base}Z"


def normalize_time(value: JSON) -> str:
    return format_time(parse_time(value))


def to_unix(iso: str) -> float:
    return parse_time(iso).timestamp()


def now_iso() -> str:
    return format_time(datetime.now(timezone.utc))
