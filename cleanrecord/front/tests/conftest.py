import pytest
from django.core.management import call_command

from cleanrecord.accounts.tests.actors import Actors, build_actors
from cleanrecord.testing.browser import outside_the_browser_loop


@pytest.fixture
def people(live_server) -> Actors:
    """The access matrix's actors on the live server's database (the journeys' and keyboard tests' people)."""
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        return build_actors()
