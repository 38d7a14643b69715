"""JSON Pointer (RFC 6901) into a session's state: read, set (`mkdir -p`), remove."""

from __future__ import annotations

from typing import Any

from .jsonio import deep_copy
JSON = Any


class PointerError(ValueError):
    """A pointer that cannot be followed for a write: bad syntax, through a scalar, past the end."""


class PointerNotFound(LookupError):
    """The pointer names nothing that exists."""


def parse(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PointerError(f"{pointer!r}: a JSON Pointer starts with '/'")
    tokens = []
    for raw in pointer[1:].split("/"):
        i = raw.find("~")
        while i != -1:
            if i + 1 >= len(raw) or raw[i + 1] not in "01":
                raise PointerError(f"{pointer!r}: '~' must be followed by 0 or 1")
            i = raw.find("~", i + 2)
        tokens.append(raw.replace("~1", "/").replace("~0", "~"))
    return tokens


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def build(tokens: list[str | int]) -> str:
    return "".join("/" + escape(str(t)) for t in tokens)


def _index(token: str, length: int, pointer: str, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return length
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise PointerError(f"{pointer}: {token!r} is not an array index")
    index = int(token)
    if index > length or (index == length and not allow_end):
        raise PointerError(f"{pointer}: index {index} is past the end (length {length})")
    return index


def get(doc: JSON, pointer: str) -> JSON:
    node = doc
    for token in parse(pointer):
        if isinstance(node, dict):
            if token not in node:
                raise PointerNotFound(f"{pointer}: no key {token!r}")
            node = node[token]
        elif isinstance(node, list):
            try:
                node = node[_index(token, len(node), pointer, allow_end=False)]
            except PointerError as exc:
                raise PointerNotFound(str(exc)) from None
        else:
            raise PointerNotFound(f"{pointer}: {token!r} is inside a scalar")
    return node


def set_value(state: dict[str, JSON], pointer: str, value: JSON) -> None:
    """Set the value at `pointer`, creating missing parent objects. `-` appends to an array;
    an existing index replaces that element. The whole state ("") cannot be replaced."""
    tokens = parse(pointer)
    if not tokens:
        raise PointerError('the pointer "" names the whole state; state stays an object')
    node: JSON = state
    for depth, token in enumerate(tokens[:-1]):
        if isinstance(node, dict):
            node = node.setdefault(token, {})
        elif isinstance(node, list):
            index = _index(token, len(node), pointer, allow_end=True)
            if index == len(node):
                node.append({})
            node = node[index]
        else:
            raise PointerError(f"{pointer}: {build(tokens[:depth])} is not an object or array")
    last = tokens[-1]
    value = deep_copy(value)
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list):
        index = _index(last, len(node), pointer, allow_end=True)
        if index == len(node):
            node.append(value)
        else:
            node[index] = value
    else:
        raise PointerError(f"{pointer}: {build(tokens[:-1]) or '/'} is not an object or array")


def remove(state: dict[str, JSON], pointer: str) -> JSON:
    """Remove what `pointer` names and return it. PointerNotFound when it does not exist."""
    tokens = parse(pointer)
    if not tokens:
        raise PointerError('the pointer "" names the whole state; state stays an object')
    parent = get(state, build(tokens[:-1]))
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PointerNotFound(f"{pointer}: no key {last!r}")
        return parent.pop(last)
    if isinstance(parent, list):
        try:
            return parent.pop(_index(last, len(parent), pointer, allow_end=False))
        except PointerError as exc:
            raise PointerNotFound(str(exc)) from None
    raise PointerNotFound(f"{pointer}: {build(tokens[:-1])} is a scalar")
