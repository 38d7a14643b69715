"""ADK session databases opened in place (issue 9): read and written the way google-adk does.

- `db`: the connection adapter protocol (`Connection`) and its sqlite3 implementation.
- `layouts`: how each ADK layout spells its tables and times (pluggable: `LAYOUTS`).
- `store`: `AdkStore`, the session-tui `Store` over an ADK database.
- `schema0`: schema 0 (ADK before 1.22, pickled actions), a read-only layout (registered here).
"""

from . import schema0  # noqa: F401  (registers its layout)
