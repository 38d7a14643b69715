"""Regenerate screenshots/*.svg from the demo store (fixed seed): the same scenes as the
snapshot tests (tests/app/scenes.py).

    python3 scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "app"), str(ROOT / "tests")]

from scenes import SCENES, make_app, make_demo_store, press, settle  # noqa: E402


async def shoot_annulled(tmp: Path, out: Path) -> None:
    """A session an ADK rewind annulled part of (tests/app/test_app_annulled.py's scene)."""
    from test_app_annulled import SIZE, make_store

    app = make_app(make_store(tmp / "annulled-store"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The session; on the timeline, the annulled answer of inv-2; time travel there.
        await press(pilot, "enter", "down", "down", "down", "down", "down", "enter")
        app.save_screenshot(filename="annulled-events.svg", path=str(out))


async def shoot(scene, store: Path, out: Path) -> None:
    app = make_app(store)
    async with app.run_test(size=scene.size) as pilot:
        await scene.play(pilot)
        app.save_screenshot(filename=f"{scene.name}.svg", path=str(out))


def main() -> None:
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = make_demo_store(Path(tmp) / "demo-store")
        for scene in SCENES:
            if scene.screenshot:
                own = make_demo_store(Path(tmp) / scene.name / "demo-store") if scene.agent else store
                asyncio.run(shoot(scene, own, out))
                print(f"screenshots/{scene.name}.svg")
        asyncio.run(shoot_annulled(Path(tmp), out))
        print("screenshots/annulled-events.svg")


if __name__ == "__main__":
    main()
