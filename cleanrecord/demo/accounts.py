"""Demo accounts, one per role, so a newcomer can walk through every portal after `make run`.

Passwords are random, printed once and kept in the demo folder (mode 0600); nothing here runs
outside seed_demo.
"""

import datetime as dt
import secrets
from pathlib import Path

from django.contrib.auth.models import Permission, User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleanrecord.accounts.models import DepartmentClerk, EntityUser, Organisation, OrganisationMember, ReportGrant
from cleanrecord.entities.models import Entity
from cleanrecord.objections import workflow
from cleanrecord.objections.models import Objection
from cleanrecord.records.models import Penalty
from cleanrecord.reference import regions
from cleanrecord.reference.models import Department

ROLES = (
    ("demo-office", _("信用办管理员")),
    ("demo-auditor", _("审计员（只读）")),
    ("demo-amr", _("市场监管局报送员")),
    ("demo-entity", _("经营主体用户")),
    ("demo-bank", _("银行（可被授权查阅报告）")),
)
# The demo's made-up data, stored in the database as a bank's name and an objection's statement would be.
BANK_NAME = "演示银行兰州分行"
OBJECTION_STATEMENT = "处罚内容与决定书不一致，罚款金额应以决定书为准（演示数据）"


def create_demo_accounts(folder: Path) -> list[tuple[str, str, str]]:
    """Create (or reset) the demo users; return (username, role, password) and write them to a file."""
    out = []
    for username, role in ROLES:
        password = secrets.token_urlsafe(9)
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = username == "demo-office"
        user.save()
        out.append((username, str(role), password))
    office = User.objects.get(username="demo-office")
    office.user_permissions.add(*Permission.objects.filter(
        content_type__app_label__in=["records", "reports", "entities", "accounts", "reference", "verification",
                                     "quality", "objections", "workdays"]))
    office.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    User.objects.get(username="demo-auditor").user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    DepartmentClerk.objects.update_or_create(user=User.objects.get(username="demo-amr"),
                                             defaults={"department": Department.objects.get(code="amr")})
    bank, _ = Organisation.objects.get_or_create(name=BANK_NAME, defaults={"kind": Organisation.Kind.BANK})
    OrganisationMember.objects.update_or_create(user=User.objects.get(username="demo-bank"),
                                                defaults={"organisation": bank})
    # The demo entity has a public penalty of the market regulator, so that demo-entity can object to it and
    # demo-amr answer; one objection is left waiting for the office.
    amr = Department.objects.get(code="amr")
    penalty = (Penalty.objects.public().filter(department=amr, subject_category="org", subject_key__in=Entity.objects.filter(
        regions.in_region("region_code"), status="active").values("credit_code")).order_by("subject_key", "id").first())
    entity = (Entity.objects.get(credit_code=penalty.subject_key) if penalty is not None else
              Entity.objects.filter(regions.in_region("region_code"), status="active").order_by("credit_code").first())
    if entity is not None:
        owner = User.objects.get(username="demo-entity")
        EntityUser.objects.get_or_create(user=owner, entity=entity, defaults={"role": EntityUser.Role.LEGAL_REP})
        # The demo bank has been let read the demo entity's reports, so that its start page shows what a bank sees.
        today = timezone.localdate()
        ReportGrant.objects.get_or_create(entity=entity, organisation=bank, defaults={
            "valid_from": today, "valid_until": today + dt.timedelta(days=90), "created_by": owner})
        if penalty is not None and not Objection.objects.filter(subject_key=entity.credit_code).exists():
            workflow.file_objection(user=owner, kind="penalty", subject_key=entity.credit_code, record_id=penalty.pk,
                                    reason=Objection.Reason.CONTENT_WRONG,
                                    statement=OBJECTION_STATEMENT)
    path = folder / "demo-accounts.txt"
    path.write_text("".join(f"{u}\t{p}\t{r}\n" for u, r, p in out), encoding="utf-8")
    path.chmod(0o600)
    return out
