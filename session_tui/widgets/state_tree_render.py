"""How the state tree draws a node's label: `key: preview  type` in the theme's colours, the
preview fitted to the line so the type stays visible (never markup, always safe text)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text, TextType
from textual.widgets.tree import TreeNode

from ..text import safe
from .state_labels import MIN_PREVIEW, More, Parts, fit_preview

_TOGGLE = Style.from_meta({"toggle": True})


class LabelRendering:
    """Mixed into StateTree (a Tree): `_parts` maps a node id to its label parts."""

    _parts: dict

    def process_label(self, label: TextType) -> Text:
        """Labels are never markup: a str is shown as it is (made safe), one line."""
        if isinstance(label, str):
            return Text(safe(label, multiline=False))
        if "\n" in label.plain:
            return label.split()[0]
        return label

    def get_label_width(self, node: TreeNode[tuple]) -> int:
        parts = self._parts.get(node.id)
        if parts is None or not self._has_preview(node, parts):
            return node.label.cell_len + (2 if node.allow_expand else 0)
        # Fitted to the line (`_fit_preview`): no wider than the tree, unless the key is.
        natural = 2 + sum(cell_len(text) for text, _ in parts)
        room = self._preview_room(node, parts)
        return min(natural, natural - sum(cell_len(text) for text, _ in parts[-3:]) + room)

    @staticmethod
    def _has_preview(node: TreeNode[tuple], parts: Parts) -> bool:
        return node.data is not None and not isinstance(node.data[1], More) and len(parts) >= 3

    def _preview_room(self, node: TreeNode[tuple], parts: Parts) -> int:
        """Cells for the value preview and the type on this node's line: the tree's width
        less the guides, the expand icon and the key (never fewer than MIN_PREVIEW)."""
        guides = max(0, len(node.data[0]) - 1) * self.guide_depth
        key = sum(cell_len(text) for text, _ in parts[:-3])
        return max(MIN_PREVIEW, self.scrollable_content_region.width - guides - 2 - key)

    def _fit_preview(self, node: TreeNode[tuple], parts: Parts) -> Parts:
        if not self._has_preview(node, parts):
            return parts
        return fit_preview(parts, node.data[1], self._preview_room(node, parts))

    def render_label(self, node: TreeNode[tuple], base_style: Style, style: Style) -> Text:
        parts = self._parts.get(node.id)
        if parts is not None:
            parts = self._fit_preview(node, parts)
        if parts is None:
            label = node.label.copy()
        else:
            label = Text()
            for text, component in parts:
                if component is None:
                    label.append(text)
                else:
                    label.append(text, self.get_component_rich_style(component, partial=True))
        label.stylize(style)
        if node.allow_expand:
            prefix = (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE, base_style + _TOGGLE)
            return Text.assemble(prefix, label)
        return Text.assemble(("  ", base_style), label)  # keys line up with expandable ones
