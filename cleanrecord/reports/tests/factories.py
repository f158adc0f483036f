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


def penalty(e: Entity, decided_on: dt.date, domain: str = "market-regulation", **fields) -> Penalty:
    dept = Department.objects.get(code="amr")
    now = timezone.now()
    n = next(_numbers)
    values = dict(
        subject_key=e.credit_code, subject_name=e.name, subject_category="org", credit_code=e.credit_code,
        domain_id=domain, department=dept, source_name=dept.name, source_code=dept.credit_code,
        authority_name=dept.name, authority_code=dept.credit_code, region_code="620100",
        decision_no=f"兰市监罚〔{decided_on.year}〕{n}号", violation_type="虚假宣传", facts="发布虚假广告",
        basis="《广告法》第五十五条", categories="罚款", content="罚款五千元", decided_on=decided_on,
        content_hash=f"h{n}", created_at=now, updated_at=now,
    )
    values.update(fields)
    return Penalty.objects.create(**values)


def listing(e: Entity, listed_on: dt.date, removed_on: dt.date | None = None, domain: str = "court-enforcement",
            **fields) -> Listing:
    dept = Department.objects.get(code="court-intermediate")
    now = timezone.now()
    n = next(_numbers)
    values = dict(
        subject_key=e.credit_code, subject_name=e.name, subject_category="org", credit_code=e.credit_code,
        domain_id=domain, department=dept, source_name=dept.name, source_code=dept.credit_code,
        authority_name=dept.name, authority_code=dept.credit_code, region_code="620100",
        list_type="失信被执行人", listing_ref=f"（2024）甘01执{n}号", case_no=f"（2024）甘01执{n}号",
        reason="有履行能力而拒不履行", basis="《最高人民法院关于公布失信被执行人名单信息的若干规定》",
        listed_on=listed_on, removed_on=removed_on, content_hash=f"l{n}", created_at=now, updated_at=now,
    )
    values.update(fields)
    return Listing.objects.create(**values)


def compulsion(e: Entity, decided_on: dt.date, domain: str = "market-regulation", **fields) -> Compulsion:
    dept = Department.objects.get(code="amr")
    now = timezone.now()
    n = next(_numbers)
    values = dict(
        subject_key=e.credit_code, subject_name=e.name, subject_category="org", credit_code=e.credit_code,
        domain_id=domain, department=dept, source_name=dept.name, source_code=dept.credit_code,
        authority_name=dept.name, authority_code=dept.credit_code, region_code="620100",
        decision_no=f"兰市监强〔{decided_on.year}〕{n}号", compulsion_type="measure", category="查封场所设施或者财物",
        reason="涉嫌生产销售不符合安全标准的食品", basis="《食品安全法》第一百一十条", decided_on=decided_on,
        content_hash=f"c{n}", created_at=now, updated_at=now,
    )
    values.update(fields)
    return Compulsion.objects.create(**values)


def judgment(e: Entity, effective_on: dt.date, **fields) -> Judgment:
    dept = Department.objects.get(code="court-intermediate")
    now = timezone.now()
    n = next(_numbers)
    values = dict(
        subject_key=e.credit_code, subject_name=e.name, subject_category="org", credit_code=e.credit_code,
        domain=None, department=dept, source_name=dept.name, source_code=dept.credit_code,
        authority_name=dept.name, authority_code=dept.credit_code, region_code="620100",
        case_no=f"（{effective_on.year}）甘01刑初{n}号", charges="单位行贿罪", verdict="guilty",
        judged_on=effective_on - dt.timedelta(days=20), effective_on=effective_on, fine_wan=Decimal("50"),
        summary="被告单位犯单位行贿罪，判处罚金人民币五十万元", content_hash=f"j{n}", created_at=now, updated_at=now,
    )
    values.update(fields)
    return Judgment.objects.create(**values)
