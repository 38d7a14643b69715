"""How much randomised work the suite does. The whole suite has 5 minutes on 2 cores, so the
default is small; `SESSION_TUI_DEEP=N` multiplies every count here by N for a long run (hours
of fuzzing or crash trials before a release)."""

from __future__ import annotations

import os

DEEP = max(1, int(os.environ.get("SESSION_TUI_DEEP", "1")))


def examples(n: int) -> int:
    """A hypothesis max_examples (or a count of trials) for the normal run, times DEEP."""
    return n * DEEP
