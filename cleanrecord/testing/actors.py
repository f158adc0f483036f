"""The platform's named actors, defined once for the tests of every app (the root conftest.py registers them).

Role fixtures, each a fresh user in the test's database:

- `office_user` (alice): the credit office (may import for any department);
- `amr_clerk` (bob) and `tax_clerk` (carol): clerks of the market regulator and of the tax bureau;
- `outsider` (dave): an account with no role;
- `auditor` (audrey): may only read the audit trail;
- `office_admin` (office) and `superuser` (root): superusers, the office's administrator and the platform's;
- `bank_user` (bank): a member of the organisation 兰州测试银行 (`bank_organisation`), which entities may grant their
  reports to;
- `amr` and `tax`: the two departments.

The first names (alice, bob, carol, dave) are the same users under the names the older tests use. Helpers make
further actors of the same kinds (`make_user`, `make_clerk`, `make_entity_user`); the access matrix's actors
(cleanrecord/accounts/tests/actors.py) are made with them.
"""

import pytest
from django.contrib.auth.models import Permission, User

from cleanrecord.accounts.models import DepartmentClerk, EntityUser, Organisation, OrganisationMember
from cleanrecord.entities.models import Entity
from cleanrecord.reference.models import Department

AMR = "amr"
TAX = "tax"


def make_user(username: str, *perms: str, password: str | None = None, **fields) -> User:
    """A user with the permissions named "app_label.codename" (or a bare codename when it is unique).
    Without a password the account can only be used with force_login, which is faster: no hashing."""
    user = User.objects.create_user(username, password=password, **fields)
    for perm in perms:
        if "." in perm:
            app_label, codename = perm.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        else:
            user.user_permissions.add(Permission.objects.get(codename=perm))
    return user


def make_clerk(username: str, department: str, *, password: str | None = None, **fields) -> User:
    """A clerk bound to the department with that code."""
    user = make_user(username, password=password, **fields)
    DepartmentClerk.objects.create(user=user, department=Department.objects.get(code=department))
    return user


def make_entity_user(username: str, entity: Entity, role: str = EntityUser.Role.LEGAL_REP, *,
                     password: str | None = None, **fields) -> User:
    """A person acting for an entity (its legal representative unless `role` says otherwise)."""
    user = make_user(username, password=password, **fields)
    EntityUser.objects.create(user=user, entity=entity, role=role)
    return user


def make_member(username: str, organisation: Organisation | str, *, password: str | None = None, **fields) -> User:
    """A member account of `organisation` (made, as a bank, when a name is given and none has it)."""
    if isinstance(organisation, str):
        organisation = Organisation.objects.get_or_create(name=organisation,
                                                          defaults={"kind": Organisation.Kind.BANK})[0]
    user = make_user(username, password=password, **fields)
    OrganisationMember.objects.create(user=user, organisation=organisation)
    return user


BANK = "兰州测试银行"


@pytest.fixture
def office_user(db) -> User:
    return make_user("alice", "add_importbatch", password="pw-alice-1")


@pytest.fixture
def amr_clerk(db) -> User:
    return make_clerk("bob", AMR, password="pw-bob-1")


@pytest.fixture
def tax_clerk(db) -> User:
    return make_clerk("carol", TAX, password="pw-carol-1")


@pytest.fixture
def outsider(db) -> User:
    return make_user("dave", password="pw-dave-1")


@pytest.fixture
def auditor(db) -> User:
    return make_user("audrey", "audit.view_auditentry", password="pw-audrey-1")


@pytest.fixture
def office_admin(db) -> User:
    return User.objects.create_superuser("office", password="pw-office-1")


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root", password="pw-root-1")


@pytest.fixture
def bank_organisation(db) -> Organisation:
    return Organisation.objects.get_or_create(name=BANK, defaults={"kind": Organisation.Kind.BANK})[0]


@pytest.fixture
def bank_user(bank_organisation) -> User:
    return make_member("bank", bank_organisation)


@pytest.fixture
def amr(db) -> Department:
    return Department.objects.get(code=AMR)


@pytest.fixture
def tax(db) -> Department:
    return Department.objects.get(code=TAX)


# The same users under the names the older tests know them by.
@pytest.fixture
def alice(office_user) -> User:
    return office_user


@pytest.fixture
def bob(amr_clerk) -> User:
    return amr_clerk


@pytest.fixture
def carol(tax_clerk) -> User:
    return tax_clerk


@pytest.fixture
def dave(outsider) -> User:
    return outsider
