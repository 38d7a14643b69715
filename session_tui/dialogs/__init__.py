"""The modal dialogs of session-tui, one per module, each with its `.tcss` beside it (read into
the class's DEFAULT_CSS at import). They return what the user chose through `dismiss`; none of
them touches a store.

| dialog | returns |
|---|---|
| `ConfirmDialog(title, message, confirm_label="Yes", danger=False)` | bool |
| `EditValueDialog(path_label, current, is_new_key=False, existing_keys=frozenset(), key=None)` | `EditResult` or None |
| `RenameKeyDialog(current, existing)` | str or None |
| `RewindDialog(plan, invocation_label)` | bool |
| `ForkDialog(to_plan, before_plan, invocation_label)` | `ForkChoice` or None |
| `ExportDialog(default_path, count)` | `ExportRequest` or None |
| `ImportDialog(default_path="", target_choices=False, store_label="")` | `ImportRequest` or None |
| `HelpScreen(sections)` | None |
| `ValueDialog(path_label, value)` | None |

Every dialog also takes `cursor_blink=` (None: follow the App's `cursor_blink` attribute, see
`base.blink`).
"""

from .base import Dialog, blink
from .confirm import ConfirmDialog
from .edit_value import EditResult, EditValueDialog
from .export import FORMAT_LABELS, ExportDialog, ExportRequest
from .fork import ForkChoice, ForkDialog
from .help import HelpScreen
from .import_dialog import ImportDialog, ImportRequest
from .rename_key import RenameKeyDialog
from .rewind import RewindDialog
from .value_view import ValueDialog

__all__ = [
    "ConfirmDialog",
    "Dialog",
    "EditResult",
    "EditValueDialog",
    "ExportDialog",
    "ExportRequest",
    "FORMAT_LABELS",
    "ForkChoice",
    "ForkDialog",
    "HelpScreen",
    "ImportDialog",
    "ImportRequest",
    "RenameKeyDialog",
    "RewindDialog",
    "ValueDialog",
    "blink",
]
