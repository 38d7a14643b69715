"""A command of the CLI: its word, its help, its arguments and what runs it.

A new command is a module with a `COMMANDS` tuple of these, listed in `cli/parser.py`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Callable

from ..store import Store

Run = Callable[[Store, argparse.Namespace], int]


def no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Run
    arguments: Callable[[argparse.ArgumentParser], None] = no_arguments
    creates_store: bool = False  # may create the store folder (demo, import)
    # Reads only the index (`list`): a store folder's index written after the last change of
    # its sessions/ is used as it is, without a stat of each session file (index.py).
    trusts_index: bool = False
