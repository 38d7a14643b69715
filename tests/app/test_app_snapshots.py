"""A snapshot of every screen and dialog, reached by keys from the demo store (see scenes.py).
Sync tests (snap_compare runs its own event loop); no cursor blink, no polling, fixed seed."""

from __future__ import annotations

import pytest
from scenes import SCENES, make_app, make_demo_store


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    return make_demo_store(tmp_path_factory.mktemp("snap") / "demo-store")


@pytest.mark.parametrize("scene", SCENES, ids=[s.name for s in SCENES])
def test_snapshot(scene, demo_store, snap_compare, tmp_path):
    # Each scene only reads the store (no dialog is confirmed), but for another writer's
    # change (`agent`): that one gets a store of its own.
    store = make_demo_store(tmp_path / "demo-store") if scene.agent else demo_store
    app = make_app(store)
    assert snap_compare(app, run_before=scene.play, terminal_size=scene.size)
