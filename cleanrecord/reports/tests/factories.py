"""Records made straight in the database, for testing the report rules one at a time."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import uscc

from cleanrecord.entities.models import Entity
from cleanrecord.records.models import Compulsion, Judgment, Listing, Penalty
from cleanrecord.reference.models import Department

_numbers = itertools.count(1)


def credit_code(body: str) -> str:
    return body + uscc.calc_check_digit(body)


def entity(code_body: str = "91620102MA71RPT00", name: str = "兰州报告测试有限公司", **fields) -> Entity:
    code = credit_code(code_body)
    return Entity.objects.create(credit_code=code, name=name, kind="company", region_code=code[2:8],
                                 legal_rep="王五", from_register=True, **fields)


def _sent_by(e: Entity, department: str, domain: str | None, content_hash: str) -> dict:
    """The columns every record kind shares: the entity as subject, the department as source and authority."""
    dept = Department.objects.get(code=department)
    now = timezone.now()
    return dict(
        subject_key=e.credit_code, subject_name=e.name, subject_category="org", credit_code=e.credit_code,
        domain_id=domain, department=dept, source_name=dept.name, source_code=dept.credit_code,
        authority_name=dept.name, authority_code=dept.credit_code, region_code="620100",
        content_hash=content_hash, created_at=now, updated_at=now,
    )


def penalty(e: Entity, decided_on: dt.date, domain: str = "market-regulation", **fields) -> Penalty:
    n = next(_numbers)
    return Penalty.objects.create(**{
        **_sent_by(e, "amr", domain, f"h{n}"),
        **dict(
            decision_no=f"兰市监罚〔{decided_on.year}〕{n}号", violation_type="虚假宣传", facts="发布虚假广告",
            basis="《广告法》第五十五条", categories="罚款", content="罚款五千元", decided_on=decided_on
        ),
        **fields,
    })


def listing(e: Entity, listed_on: dt.date, removed_on: dt.date | None = None, domain: str = "court-enforcement",
            **fields) -> Listing:
    n = next(_numbers)
    return Listing.objects.create(**{
        **_sent_by(e, "court-intermediate", domain, f"l{n}"),
        **dict(
            list_type="失信被执行人", listing_ref=f"（2024）甘01执{n}号", case_no=f"（2024）甘01执{n}号",
            reason="有履行能力而拒不履行", basis="《最高人民法院关于公布失信被执行人名单信息的若干规定》",
            listed_on=listed_on, removed_on=removed_on
        ),
        **fields,
    })


def compulsion(e: Entity, decided_on: dt.date, domain: str = "market-regulation", **fields) -> Compulsion:
    n = next(_numbers)
    return Compulsion.objects.create(**{
        **_sent_by(e, "amr", domain, f"c{n}"),
        **dict(
            decision_no=f"兰市监强〔{decided_on.year}〕{n}号", compulsion_type="measure", category="查封场所设施或者财物",
            reason="涉嫌生产销售不符合安全标准的食品", basis="《食品安全法》第一百一十条", decided_on=decided_on
        ),
        **fields,
    })


def judgment(e: Entity, effective_on: dt.date, **fields) -> Judgment:
    n = next(_numbers)
    return Judgment.objects.create(**{
        **_sent_by(e, "court-intermediate", None, f"j{n}"),
        **dict(
            case_no=f"（{effective_on.year}）甘01刑初{n}号", charges="单位行贿罪", verdict="guilty",
            judged_on=effective_on - dt.timedelta(days=20), effective_on=effective_on, fine_wan=Decimal("50"),
            summary="被告单位犯单位行贿罪，判处罚金人民币五十万元"
        ),
        **fields,
    })


def change(record, **values):
    """A record changed in place, as the platform's writers change it: saved, so its subject's data version moves
    on (records/versions.py) and verification's cached answer for it is no longer reached."""
    for name, value in values.items():
        setattr(record, name, value)
    record.save(update_fields=list(values))
    return record
