"""The audit tests' actors are the shared ones (cleanrecord/testing/actors.py): the auditor (may only read
the trail), the clerk (the market regulator's: bob), the superuser and the outsider (dave). Each test keeps its
audit checkpoints in a directory of its own: a checkpoint outlives the test's database transaction."""

import pytest


@pytest.fixture
def clerk(amr_clerk):
    return amr_clerk


@pytest.fixture(autouse=True)
def checkpoint_dir(tmp_path, settings):
    folder = tmp_path / "audit-checkpoints"
    settings.CLEANRECORD = {**settings.CLEANRECORD, "AUDIT_CHECKPOINT_DIR": str(folder)}
    return folder
