"""Records with known defects, made straight in the database, for asserting each measure's exact value."""

import datetime as dt
import itertools

from django.utils import timezone
from stdnum.cn import uscc

from cleanrecord.entities.models import Entity
from cleanrecord.records.models import ImportBatch, Licence, Listing, Penalty
from cleanrecord.reference.models import Department


def local(*args) -> dt.datetime:
    """An aware datetime in the platform's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime(*args))


# Friday 29 March 2024, 10:00 in Lanzhou: "now" of every computation in these tests. March 2024 has no
# public holiday and no make-up working day, so its working days are its weekdays under any calendar.
NOW = local(2024, 3, 29, 10, 0)
DECIDED = dt.date(2024, 3, 11)  # a Monday
ARRIVED = local(2024, 3, 13, 9, 0)  # two working days later
_numbers = itertools.count(1)


def credit_code(n: int) -> str:
    body = f"91620102MA71Q{n:04d}"
    return body + uscc.calc_check_digit(body)


def bad_checksum(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


def entity(code: str, name: str, *, from_register: bool = True, checksum_warning: bool = False) -> Entity:
    return Entity.objects.create(credit_code=code, name=name, kind="company", region_code=code[2:8],
                                 from_register=from_register, checksum_warning=checksum_warning)


def _common(dept: str, code: str, name: str, arrived: dt.datetime, fields: dict) -> dict:
    d = Department.objects.get(code=dept)
    values = dict(
        subject_key=code or f"P{next(_numbers)}", subject_name=name, subject_category="org", credit_code=code,
        legal_rep="王五", domain_id=d.default_domain_id, department=d, source_name=d.name,
        source_code=d.credit_code, authority_name=d.name, authority_code=d.credit_code, region_code="620100",
        content_hash=f"h{next(_numbers)}", created_at=arrived, updated_at=arrived,
    )
    values.update(fields)
    return values


def penalty(dept: str, code: str, name: str = "兰州甲商贸有限公司", *, decided_on: dt.date = DECIDED,
            arrived: dt.datetime = ARRIVED, **fields) -> Penalty:
    """A complete, sound penalty (fine, validity, publicity period) unless `fields` say otherwise."""
    n = next(_numbers)
    values = dict(
        decision_no=f"兰罚〔2024〕{n}号", violation_type="虚假宣传", facts="发布虚假广告", basis="《广告法》第五十五条",
        categories="罚款", content="罚款五千元", fine_wan="0.5", decided_on=decided_on,
        valid_until=decided_on + dt.timedelta(days=365), publish_until=decided_on + dt.timedelta(days=365),
    )
    values.update(fields)
    return Penalty.objects.create(**_common(dept, code, name, arrived, values))


def licence(dept: str, code: str, name: str = "兰州甲商贸有限公司", *, decided_on: dt.date = DECIDED,
            arrived: dt.datetime = ARRIVED, **fields) -> Licence:
    n = next(_numbers)
    values = dict(
        doc_name="排污许可决定书", doc_no=f"兰环许〔2024〕{n}号", licence_category="普通", certificate_name="排污许可证",
        licence_no=f"PW{n:06d}", content="准予排污许可", decided_on=decided_on, valid_from=decided_on,
        valid_to=decided_on + dt.timedelta(days=5 * 365), current_state="有效",
    )
    values.update(fields)
    return Licence.objects.create(**_common(dept, code, name, arrived, values))


def listing(dept: str, code: str, name: str = "兰州甲商贸有限公司", *, listed_on: dt.date = DECIDED,
            arrived: dt.datetime = ARRIVED, **fields) -> Listing:
    n = next(_numbers)
    values = dict(
        list_type="失信被执行人", listing_ref=f"（2024）甘01执{n}号", case_no=f"（2024）甘01执{n}号",
        court_name="兰州市中级人民法院", filed_on=listed_on - dt.timedelta(days=60),
        basis_doc_no=f"（2023）甘01民初{n}号", basis_issuer="兰州市中级人民法院", obligation="支付货款十万元",
        performance="全部未履行", conduct="有履行能力而拒不履行", published_on=listed_on,
        reason="有履行能力而拒不履行", basis="《最高人民法院关于公布失信被执行人名单信息的若干规定》",
        listed_on=listed_on,
    )
    values.update(fields)
    return Listing.objects.create(**_common(dept, code, name, arrived, values))


def batch(dept: str | None, *, read: int, rejected: int, started: dt.datetime = ARRIVED,
          kind: str = "penalty", status: str = ImportBatch.Status.DONE) -> ImportBatch:
    b = ImportBatch.objects.create(kind=kind, department=Department.objects.get(code=dept) if dept else None,
                                   file_name="f.csv", status=status, rows_read=read, rows_rejected=rejected)
    ImportBatch.objects.filter(pk=b.pk).update(started_at=started)  # auto_now_add: set afterwards
    b.refresh_from_db()
    return b
