"""The same named actors as the front tests: alice (office), bob (amr clerk), carol (tax clerk), dave (outsider)."""

from cleanrecord.front.tests.conftest import alice, amr, bob, carol, dave, tax  # noqa: F401
