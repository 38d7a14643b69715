"""How a widget or a dialog carries its style: the `.tcss` file beside its module, read into
the class's `DEFAULT_CSS` when the module is imported (`DEFAULT_CSS = load_css(__file__)`), so
it is self-contained and a subclass inherits it. (Screens and the app use Textual's `CSS_PATH`:
their rules outrank every widget's defaults.)"""

from __future__ import annotations

from pathlib import Path


def load_css(module_file: str) -> str:
    """The text of the `.tcss` file beside `module_file` (`confirm.py` -> `confirm.tcss`)."""
    return Path(module_file).with_suffix(".tcss").read_text(encoding="utf-8")
