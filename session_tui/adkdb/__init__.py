"""ADK session databases opened in place (issue 9): read and written the way google-adk does.

- `db`: the connection adapter protocol (`Connection`) and its sqlite3 implementation.
- `layouts`: how each ADK layout spells its tables and times (pluggable: `LAYOUTS`).
- `store`: `AdkStore`, the session-tui `Store` over an ADK database.
"""
