import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # storekit, whatever the import mode

from storekit import BACKENDS, Backend  # noqa: E402


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    """A fresh, empty store of each kind: a store folder and a plain TinyDB file."""
    return Backend(request.param, tmp_path)


@pytest.fixture
def store(backend):
    return backend.open()
