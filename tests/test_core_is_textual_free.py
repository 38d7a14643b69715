"""The core (model, store, formats) never imports Textual: it is a library agents write into."""

import subprocess
import sys

CORE = [
    "session_tui.model", "session_tui.pointer", "session_tui.text", "session_tui.store",
    "session_tui.formats.reading", "session_tui.formats.exporting",
    "session_tui.formats.session_json", "session_tui.formats.adk_json",
    "session_tui.formats.adk_sqlite", "session_tui.jsonio", "session_tui.eventinfo",
    "session_tui.prefixes", "session_tui.demo",
]


def test_core_imports_no_textual():
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'rich')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
