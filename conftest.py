import os
import tempfile

# Tests keep their files (keys, error files, reports) out of the developer's data directory.
os.environ["CLEANRECORD_DATA_DIR"] = tempfile.mkdtemp(prefix="cleanrecord-test-")

import pytest  # noqa: E402
from django.core.management import call_command  # noqa: E402


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database starts with the region, the 38 domains and the departments loaded."""
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)
