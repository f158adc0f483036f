import pytest

from cleanrecord.reference import regions


@pytest.fixture(autouse=True)
def _fresh_region():
    """Tests here load other folders: the cached region must not outlive the test's transaction."""
    regions.forget()
    yield
    regions.forget()
