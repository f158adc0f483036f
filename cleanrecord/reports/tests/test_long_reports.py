"""Reports of entities with thousands of records: every counted record is listed, in a bounded time."""

import csv
import datetime as dt
import io
import re

import pypdf
import pytest
from django.utils import timezone

from cleanrecord.records.models import Penalty
from cleanrecord.reference.models import Department
from cleanrecord.reports.render import ATTACHMENT_NAME
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.signing import Status, check_signature

from .factories import entity
from .test_issue import pdf_text

pytestmark = [pytest.mark.pdf, pytest.mark.django_db]

NUMBER = re.compile(r"兰市监罚〔2025〕(\d+)号")


def many_penalties(company, count: int, domains=("market-regulation", "transport"), **fields) -> None:
    """`count` penalties of `company`, inserted at once as an import would leave them."""
    dept = Department.objects.get(code="amr")
    now, today = timezone.now(), timezone.localdate()
    Penalty.objects.bulk_create(Penalty(
        subject_key=company.credit_code, subject_name=company.name, subject_category="org",
        credit_code=company.credit_code, domain_id=domains[n % len(domains)], department=dept,
        source_name=dept.name, source_code=dept.credit_code, authority_name=dept.name,
        authority_code=dept.credit_code, region_code="620100", decision_no=f"兰市监罚〔2025〕{n + 1}号",
        violation_type="虚假宣传", facts="发布虚假广告", basis="《广告法》第五十五条", categories="罚款",
        content=fields.get("content", "罚款五千元"), fine_wan="0.5", decided_on=today - dt.timedelta(days=1 + n % 700),
        content_hash=f"many{n}", created_at=now, updated_at=now,
    ) for n in range(count))


def test_a_report_with_thousands_of_records_prints_every_one():
    company = entity(code_body="91620102MA71RPT01", name="兰州三千条记录有限公司")
    many_penalties(company, 3000)

    report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")

    assert report.records_found == 3000
    pdf = report.pdf_bytes()
    text = pdf_text(pdf)
    assert "存在1500条记录" in text.replace(" ", "")  # 市场监管 and 交通运输, 1,500 each
    assert sorted(int(n) for n in NUMBER.findall(text)) == list(range(1, 3001))
    assert "因篇幅所限" not in text
    assert not pypdf.PdfReader(io.BytesIO(pdf)).attachments  # nothing left to attach
    assert check_signature(pdf).status == Status.VALID


def test_past_the_print_limit_a_domain_says_how_many_it_has_and_the_signed_pdf_carries_them_all(settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_MAX_PRINTED_RECORDS": 50}
    company = entity(code_body="91620102MA71RPT02", name="兰州超出列示上限有限公司")
    many_penalties(company, 120, content="=HYPERLINK(\"http://evil.example\")")

    report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")

    pdf = report.pdf_bytes()
    text = pdf_text(pdf).replace(" ", "")
    # 市场监管 (60 records) prints 50; 交通运输 (60) still prints its first 20.
    assert "本领域共60条记录，因篇幅所限，以下按日期顺序列示前50条" in text
    assert "本领域共60条记录，因篇幅所限，以下按日期顺序列示前20条" in text
    assert f"全部60条记录见本报告附件“{ATTACHMENT_NAME}”" in text
    assert len(NUMBER.findall(text)) == 70

    attached = pypdf.PdfReader(io.BytesIO(pdf)).attachments[ATTACHMENT_NAME][0].decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(attached)))
    assert rows[0][:4] == ["序号", "领域", "记录类型", "文号"]
    assert sorted(int(NUMBER.fullmatch(r[3]).group(1)) for r in rows[1:]) == list(range(1, 121))
    assert {r[1] for r in rows[1:]} == {"市场监管", "交通运输"}
    assert {r[7] for r in rows[1:]} == {"'=HYPERLINK(\"http://evil.example\")"}  # a spreadsheet shows it as text
    # The attachment is inside the signed revision: changing it breaks the signature.
    assert check_signature(pdf).status == Status.VALID
