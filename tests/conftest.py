import sys
from pathlib import Path

# The helpers shared by every test folder (filetree, strategies, hostile), whatever the import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402

from pgserver import PgServer, PgUnavailable  # noqa: E402


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL server per test process, started on first use. Never skipped:
    without the server binaries (or psycopg) the tests that need it fail with one line."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.fail("PostgreSQL tests need psycopg: pip install -e '.[test]'", pytrace=False)
    try:
        server = PgServer.start()
    except PgUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def pg_database(pg_server):
    """A fresh, empty database on the suite's server (its name), dropped after the test."""
    name = pg_server.create_database()
    yield name
    pg_server.drop_database(name)


@pytest.fixture(scope="session", autouse=True)
def _no_undo_records_in_the_users_data_folder(tmp_path_factory):
    """Undo records of database servers go under $SESSION_TUI_DATA: never the real user's
    data folder from a test (tests that look at them set their own)."""
    import os

    saved = os.environ.get("SESSION_TUI_DATA")
    os.environ["SESSION_TUI_DATA"] = str(tmp_path_factory.mktemp("session-tui-data"))
    yield
    if saved is None:
        os.environ.pop("SESSION_TUI_DATA", None)
    else:
        os.environ["SESSION_TUI_DATA"] = saved


@pytest.fixture(scope="session", autouse=True)
def _no_search_index_in_the_users_cache_folder(tmp_path_factory):
    """The search index is kept between runs under $SESSION_TUI_CACHE (search_index.py): never
    in the real user's cache folder from a test."""
    import os

    saved = os.environ.get("SESSION_TUI_CACHE")
    os.environ["SESSION_TUI_CACHE"] = str(tmp_path_factory.mktemp("session-tui-cache"))
    yield
    if saved is None:
        os.environ.pop("SESSION_TUI_CACHE", None)
    else:
        os.environ["SESSION_TUI_CACHE"] = saved
