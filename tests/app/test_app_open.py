"""Opening a store whose index must be rebuilt happens in a worker, with progress shown."""

import asyncio

from scenes import make_app, make_demo_store, settle

from session_tui.widgets.session_list import SessionList


def test_rebuilding_the_index_runs_in_a_worker_with_progress(tmp_path):
    store_path = make_demo_store(tmp_path / "store")
    (store_path / "index.json").unlink()
    seen: list[tuple[int, int]] = []

    async def main():
        app = make_app(store_path)
        assert not app.store.loaded  # build_app did not read the session files
        real_load = app.store.load

        def load(progress=None):
            def spy(done, total):
                seen.append((done, total))
                progress(done, total)
            real_load(spy)

        app.store.load = load
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert app.screen.query_one(SessionList).total_count == 30

    asyncio.run(main())
    assert seen[0] == (0, 30) and seen[-1] == (30, 30)
    assert (store_path / "index.json").exists()
