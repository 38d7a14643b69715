import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import adkkit  # noqa: E402


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    """One database per layout (and with creation keys), built once by google-adk."""
    folder = tmp_path_factory.mktemp("adk-templates")
    return {(layout, keys): adkkit.build(layout, folder / f"{layout}-{keys}.db", keys)
            for layout in adkkit.LAYOUTS for keys in (False, True)}


@pytest.fixture
def adk_db(_templates, tmp_path):
    """adk_db(layout, creation_keys=False) -> a fresh copy in tmp_path of a database google-adk
    wrote (see adkkit.build)."""
    def make(layout: str, creation_keys: bool = False, name: str = "ours.db") -> Path:
        target = tmp_path / name
        shutil.copy2(_templates[(layout, creation_keys)], target)
        return target
    return make


@pytest.fixture
def adk_fixtures() -> Path:
    return Path(__file__).resolve().parents[1] / "fixtures" / "adk"
