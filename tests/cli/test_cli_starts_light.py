"""Commands that do not draw do not import Textual (nor rich): `session-tui list` starts in a
fraction of the app's time (issue 12). The import itself is checked too: a module of the CLI
package that imported a screen at its top would load Textual for every command."""

import subprocess
import sys

DRAWING = "sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))"


def test_list_loads_neither_textual_nor_rich(store):
    code = ("import sys\n"
            "import session_tui.cli as cli\n"
            f"imported = {DRAWING}\n"
            f"code = cli.main(['--store', {str(store.path)!r}, 'list', '--json'])\n"
            f"print('after import:', imported, 'after list:', {DRAWING}, code, file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "trip" in out.stdout  # the command ran and listed
    assert out.stderr.strip().splitlines()[-1] == "after import: [] after list: [] 0"
