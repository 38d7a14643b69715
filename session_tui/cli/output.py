"""What every command shares: one-line usage errors, JSON on stdout, messages on stderr."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import jsonio
from ..text import cell_width, safe


class UsageError(Exception):
    """Bad input from the command line (exit 2)."""


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (argparse prints the whole usage, then the error)."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message} (see --help)")


def print_json(value: Any) -> None:
    sys.stdout.buffer.write(jsonio.dumps(value, jsonio.INDENT) + b"\n")
    sys.stdout.flush()


def say(text: str) -> None:
    print(safe(text), file=sys.stderr)


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or exc.__class__.__name__


def short(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(text[:57] + "...")


def pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * (width - cell_width(text))
    return gap + text if right else text + gap
