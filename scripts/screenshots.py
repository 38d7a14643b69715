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
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "app")]

from scenes import SCENES, make_app, make_demo_store  # noqa: E402


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


if __name__ == "__main__":
    main()
