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
