"""The state tree: a session's state as a lazily expanded tree.

Each node's `data` is `(path, value)`: `path` is the tuple of keys (str) and indices (int) from
the root of the state to the value (`()` is the state itself). Children are added only when a
node is expanded, and at most `PAGE` at a time: a container with more gets a last node
`… N more` (`data` is `(parent_path, StateTree.More(start, total))`) that adds the next page
when selected. So a 500-deep state, a 5 MB string and 50,000 top-level keys all show at once.

Labels are `key: preview  type`, built from `Text` objects (never markup) out of safe text; the
type (string, number, bool, null, object, array) is shown and colour-coded through component
classes that the .tcss styles with theme variables.
"""

from __future__ import annotations

from itertools import islice
from typing import Any, Iterable

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ..model import json_type
from ..tcss import load_css
from .state_labels import More, Parts, describe_type, label_parts
from .state_tree_render import LabelRendering

__all__ = ["StateTree", "More", "json_type", "describe_type"]

class StateTree(LabelRendering, Tree[tuple]):
    """A state dict as a tree. Data down: `set_state(state, highlight_keys)`. Messages up: the
    `Tree` messages (`NodeHighlighted`, `NodeSelected`, `NodeExpanded`, ...), whose
    `node.data` is `(path, value)`."""

    DEFAULT_CSS = load_css(__file__)

    PAGE = 1000
    """How many children a node gets at a time."""

    More = More

    COMPONENT_CLASSES = Tree.COMPONENT_CLASSES | {
        "state-tree--key",
        "state-tree--index",
        "state-tree--changed",
        "state-tree--string",
        "state-tree--number",
        "state-tree--bool",
        "state-tree--null",
        "state-tree--object",
        "state-tree--array",
        "state-tree--type",
        "state-tree--more",
    }

    BINDINGS: list[BindingType] = [
        Binding("right", "expand_or_child", "Expand", show=False),
        Binding("left", "collapse_or_parent", "Collapse", show=False),
    ]

    def __init__(
        self,
        state: dict[str, Any] | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(Text("state"), ((), {}), name=name, id=id, classes=classes, disabled=disabled)
        self.set_reactive(Tree.show_root, False)
        self._state: dict[str, Any] = {}
        self._highlight: frozenset[str] = frozenset()
        self._loaded: dict[int, int] = {}  # node id -> how many children it has loaded
        self._parts: dict[int, Parts] = {}  # node id -> label parts
        if state is not None:
            self.set_state(state)

    # ---------------------------------------------------------------------- public API

    @property
    def state(self) -> dict[str, Any]:
        """The state shown (not a copy: do not change it)."""
        return self._state

    @property
    def highlight_keys(self) -> frozenset[str]:
        return self._highlight

    def set_state(self, state: dict[str, Any], highlight_keys: Iterable[str] = frozenset()) -> None:
        """Show `state`, with `highlight_keys` (top-level keys) marked. Nodes that were
        expanded (and pages loaded) stay so where their paths still exist, and so does the
        cursor (else it goes to the nearest ancestor that exists)."""
        highlight = frozenset(highlight_keys)
        if self._update_in_place(state, highlight):
            return
        remembered = self._remember()
        cursor = self._node_path(self.cursor_node) if self.cursor_node is not None else None
        self._state = state
        self._highlight = highlight
        self.clear()
        self._loaded.clear()
        self._parts.clear()
        self.root.data = ((), state)
        self._fill(self.root, remembered.get((), (self.PAGE, True))[0])
        self._restore(remembered, {(): self.root})
        self._put_cursor(cursor)

    def _update_in_place(self, state: dict[str, Any], highlight: frozenset[str]) -> bool:
        """Show `state` by replacing only the top-level nodes whose value changed (and
        relabelling those whose mark changed), when it has the same keys in the same order as
        the state shown, all of them loaded: a step in time travel changes a few keys, and the
        1,000s of nodes loaded under the others stay as they are. False: nothing done (a
        whole rebuild is needed)."""
        old, root = self._state, self.root
        if not state or len(state) != len(old) or self._loaded.get(root.id, 0) < len(state) \
                or len(root.children) != len(state) or list(state) != list(old):
            return False
        cursor = self._node_path(self.cursor_node) if self.cursor_node is not None else None
        self._state = state
        previous, self._highlight = self._highlight, highlight
        root.data = ((), state)
        for key, node in zip(list(state), list(root.children)):
            value = state[key]
            if not _same(node.data[1], value):
                self._replace(node, value)
            elif (key in highlight) != (key in previous):
                parts = self._label_parts((key,), node.data[1])
                self._parts[node.id] = parts
                node.set_label(Text("".join(t for t, _ in parts)))
        self._put_cursor(cursor)
        return True

    def _replace(self, node: TreeNode[tuple], value: Any) -> None:
        """Put a node for `value` where `node` is, its expanded nodes and pages kept where the
        new value has their paths."""
        remembered = self._remember(node)
        path = node.data[0]
        new = self._add(node.parent, path, value, after=node)
        self._forget(node)
        node.remove()
        self._restore(remembered, {path: new})

    def _forget(self, node: TreeNode[tuple]) -> None:
        stack = [node]
        while stack:
            item = stack.pop()
            self._loaded.pop(item.id, None)
            self._parts.pop(item.id, None)
            stack.extend(item.children)

    def _restore(self, remembered: dict[tuple, tuple[int, bool]],
                 nodes: dict[tuple, TreeNode[tuple]]) -> None:
        """Fill and expand again the nodes `remembered` names (parents first) below `nodes`."""
        for path, (count, expanded) in remembered.items():
            if not path:  # the root: filled first, never folded
                continue
            if path in nodes:
                node = nodes[path]
            else:
                parent = nodes.get(path[:-1])
                node = self._child(parent, path[-1]) if parent is not None else None
            if node is None or not node.allow_expand:
                continue
            nodes[path] = node
            self._fill(node, count)
            if expanded:
                node.expand()

    def _put_cursor(self, cursor: tuple | None) -> None:
        """The cursor on the deepest node of the path `cursor` still there (else the first)."""
        target: TreeNode[tuple] | None = None
        walk: TreeNode[tuple] | None = self.root
        for key in cursor or ():
            walk = self._child(walk, key)
            if walk is None:
                break
            target = walk
        if target is None and self.root.children:
            target = self.root.children[0]
        self.get_node_at_line(0)  # lay out the lines, so that nodes know their line
        if target is not None:
            self.move_cursor(target)  # its line may have moved: nodes above it were replaced
        else:
            self.cursor_line = -1

    @property
    def cursor_path(self) -> tuple | None:
        """The path of the node under the cursor (None: no cursor, or a `… more` node)."""
        node = self.cursor_node
        return self._node_path(node) if node is not None else None

    def find_node(self, path: tuple) -> TreeNode[tuple] | None:
        """The node showing `path`, if it is loaded (its ancestors filled, its page loaded)."""
        node: TreeNode[tuple] | None = self.root
        for key in path:
            node = self._child(node, key)
            if node is None:
                return None
        return node

    @staticmethod
    def _child(node: TreeNode[tuple], key: Any) -> TreeNode[tuple] | None:
        for child in node.children:
            data = child.data
            if data is not None and data[0] and not isinstance(data[1], More):
                last = data[0][-1]
                if last == key and type(last) is type(key):
                    return child
        return None

    def expand_path(self, path: tuple) -> TreeNode[tuple] | None:
        """Expand every node down to `path` (loading the pages it needs) and return its node;
        None when the state has no such path."""
        node = self.root
        for key in path:
            value = node.data[1] if node.data is not None else None
            if isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool) \
                    and 0 <= key < len(value):
                index = key
            elif isinstance(value, dict) and isinstance(key, str) and key in value:
                index = list(value).index(key)
            else:
                return None
            self._fill(node, index + 1)
            if node is not self.root and not node.is_expanded:
                node.expand()
            child = self._child(node, key)
            if child is None:
                return None
            node = child
        return node

    # -------------------------------------------------------------------------- filling

    @staticmethod
    def _node_path(node: TreeNode[tuple] | None) -> tuple | None:
        if node is None or node.data is None:
            return None
        path, value = node.data
        return None if isinstance(value, More) else path

    def _remember(self, top: TreeNode[tuple] | None = None) -> dict[tuple, tuple[int, bool]]:
        """path -> (children loaded, expanded) for every filled node (of `top`'s subtree, or
        the whole tree), parents first."""
        out: dict[tuple, tuple[int, bool]] = {}
        stack = [self.root if top is None else top]
        while stack:
            node = stack.pop()
            loaded = self._loaded.get(node.id)
            if loaded is None:
                continue
            path = self._node_path(node)
            if path is None:
                continue
            out[path] = (loaded, node.is_expanded or node is self.root)
            stack.extend(reversed(node.children))
        return out

    def _fill(self, node: TreeNode[tuple], count: int) -> None:
        """Make sure `node` has its first `count` children (at least one page) loaded."""
        if node.data is None:
            return
        path, value = node.data
        if not isinstance(value, (dict, list)):
            return
        total = len(value)
        loaded = self._loaded.get(node.id, 0)
        if node.id in self._loaded and loaded >= min(count, total):
            return
        target = min(total, max(count, self.PAGE if node.id not in self._loaded else 0))
        # Drop the "more" node, add the children, add a new "more" node if some are left.
        if node.children and isinstance(node.children[-1].data[1], More):
            more = node.children[-1]
            self._parts.pop(more.id, None)
            more.remove()
        items = (islice(value.items(), loaded, target) if isinstance(value, dict)
                 else enumerate(islice(value, loaded, target), loaded))
        for key, child in items:
            self._add(node, (*path, key), child)
        self._loaded[node.id] = target
        if target < total:
            more = More(target, total)
            parts: Parts = [(f"… {total - target:,} more — enter shows {min(self.PAGE, total - target):,} more",
                             "state-tree--more")]
            leaf = node.add(Text("".join(t for t, _ in parts)), (path, more), allow_expand=False)
            self._parts[leaf.id] = parts

    def _add(self, parent: TreeNode[tuple], path: tuple, value: Any,
             after: TreeNode[tuple] | None = None) -> TreeNode[tuple]:
        parts = self._label_parts(path, value)
        expandable = isinstance(value, (dict, list)) and len(value) > 0
        node = parent.add(Text("".join(t for t, _ in parts)), (path, value), after=after,
                          allow_expand=expandable)
        self._parts[node.id] = parts
        return node

    def _label_parts(self, path: tuple, value: Any) -> Parts:
        return label_parts(path, value, self._highlight)

    @on(Tree.NodeExpanded)
    def _fill_on_expand(self, event: Tree.NodeExpanded[tuple]) -> None:
        if event.node.tree is self and event.node.id not in self._loaded:
            self._fill(event.node, self.PAGE)

    @on(Tree.NodeSelected)
    def _more_on_select(self, event: Tree.NodeSelected[tuple]) -> None:
        node = event.node
        if node.tree is not self or node.data is None or not isinstance(node.data[1], More):
            return
        event.stop()
        parent = node.parent
        if parent is None:
            return
        line = node.line
        self._fill(parent, node.data[1].start + self.PAGE)
        self.get_node_at_line(0)  # lay out the lines again
        if line >= 0:
            self.cursor_line = min(line, self.last_line)

    # -------------------------------------------------------------------------- actions

    def action_expand_or_child(self) -> None:
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if not node.is_expanded:
            node.expand()
        elif node.children:
            self.move_cursor(node.children[0])

    # Textual's Tree animates these scrolls: each frame redraws the lines it passes, and a line
    # 400 levels deep draws 400 guides, so a jump over a deep value took ~0.4 s. They jump.
    def action_scroll_home(self) -> None:
        self.cursor_line = 0
        self.scroll_to_line(self.cursor_line, animate=False)

    def action_scroll_end(self) -> None:
        self.cursor_line = self.last_line
        self.scroll_to_line(self.cursor_line, animate=False)

    def action_page_down(self) -> None:
        if self.cursor_line == -1:
            self.cursor_line = 0
        self.cursor_line += self.scrollable_content_region.height - 1
        self.scroll_to_line(self.cursor_line, animate=False)

    def action_page_up(self) -> None:
        if self.cursor_line == -1:
            self.cursor_line = self.last_line
        self.cursor_line -= self.scrollable_content_region.height - 1
        self.scroll_to_line(self.cursor_line, animate=False)

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)


def _same(old: Any, new: Any) -> bool:
    """The same value (equal JSON: compared in C, a few ms for 100,000 keys)."""
    if old is new:
        return True
    try:
        return type(old) is type(new) and old == new
    except RecursionError:
        return False
