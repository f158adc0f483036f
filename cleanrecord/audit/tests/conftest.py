"""Named actors for the audit trail: an auditor (may only read the trail), a department clerk, the office's
superuser, and an outsider with an account and nothing else. Each test keeps its audit checkpoints in a
directory of its own: a checkpoint outlives the test's database transaction."""

import pytest
from django.contrib.auth.models import Permission, User

from cleanrecord.accounts.models import DepartmentClerk
from cleanrecord.reference.models import Department


@pytest.fixture
def auditor(db):
    user = User.objects.create_user("audrey", password="pw-audrey-1")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="audit", codename="view_auditentry"))
    return user


@pytest.fixture
def clerk(db):
    user = User.objects.create_user("bob", password="pw-bob-1")
    DepartmentClerk.objects.create(user=user, department=Department.objects.get(code="amr"))
    return user


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password="pw-root-1")


@pytest.fixture
def outsider(db):
    return User.objects.create_user("dave", password="pw-dave-1")


@pytest.fixture(autouse=True)
def checkpoint_dir(tmp_path, settings):
    folder = tmp_path / "audit-checkpoints"
    settings.CLEANRECORD = {**settings.CLEANRECORD, "AUDIT_CHECKPOINT_DIR": str(folder)}
    return folder
