"""Background tasks in tests: run at once in the test's process (django-tasks' ImmediateBackend) unless a test
asks for the real queue with the `database_tasks` fixture, whose tasks a worker (in-process or a real
`manage.py worker`) then runs."""

import pytest
from django.test.utils import override_settings

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(scope="session", autouse=True)
def _tasks_run_at_once():
    with override_settings(TASKS=IMMEDIATE):
        yield


@pytest.fixture
def database_tasks():
    """Tasks are queued in the database, as in production; run them with `manage.py worker --batch`."""
    with override_settings(TASKS=DATABASE):
        yield
