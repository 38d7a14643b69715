import pytest

from storekit import BACKENDS, Backend


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    """A fresh, empty store of each kind: a store folder and a plain TinyDB file."""
    return Backend(request.param, tmp_path)


@pytest.fixture
def store(backend):
    return backend.open()
