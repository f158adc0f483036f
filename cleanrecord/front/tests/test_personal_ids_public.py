"""Public pages and search never show a resident ID number, and a check command finds any stored ones.

The "planted" rows stand for what imports before issue 11 stored: a 个体工商户 whose credit code is
its operator's ID number, with an entity page of its own.
"""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from stdnum.cn import ric

from cleanrecord.entities.models import Entity
from cleanrecord.records.models import Penalty
from cleanrecord.records.services import import_upload
from cleanrecord.records.tests.uploads import HEADERS
from cleanrecord.reports.rules import ReportRefused
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity, penalty

BODY = "62010219850315123"
PERSON_ID = BODY + ric.calc_check_digit(BODY + "0")
MASKED = PERSON_ID[:4] + "*" * 10 + PERSON_ID[-4:]


def _sole_trader_csv(dept, code: str) -> bytes:
    row = ["城关区张记面馆", "个体工商户", code, "兰市监罚〔2025〕88号", "无照经营", "当事人未取得营业执照从事经营",
           "《无证无照经营查处办法》第十三条", "罚款", "罚款五千元", "0.5", "2025-03-01", dept.name, dept.credit_code,
           dept.name, dept.credit_code]
    return ("\r\n".join([HEADERS, ",".join(row)]) + "\r\n").encode("utf-8-sig")


def _planted(decided: dt.date) -> tuple[Entity, Penalty]:
    """An ID number stored as an entity's code, and in another entity's name and a penalty's facts."""
    shop = Entity.objects.create(credit_code=PERSON_ID, name="城关区张记面馆", kind="individual",
                                 region_code="620102", from_register=False)
    company = entity("91620102MA71PJD00", f"兰州张三{PERSON_ID}商贸有限公司")
    p = penalty(company, decided, facts=f"当事人张三（身份证号{PERSON_ID}）销售过期食品",
                content=f"对张三（{PERSON_ID}）罚款五千元")
    penalty(shop, decided, subject_category="individual")
    return company, p


@pytest.mark.django_db
def test_an_imported_sole_trader_with_an_id_number_as_code_has_no_public_page(client, amr):
    batch = import_upload(user=None, upload=SimpleUploadedFile("p.csv", _sole_trader_csv(amr, PERSON_ID)),
                          kind="penalty", department=amr, mapping=None, dry_run=False, channel="web")

    assert batch.rows_created == 1 and batch.rows_warned == 1
    assert client.get(f"/entities/{PERSON_ID}/").status_code == 404
    for q in (PERSON_ID, PERSON_ID.lower(), "张记面馆"):
        html = client.get("/entities/", {"q": q}).content.decode()
        assert PERSON_ID not in html and PERSON_ID.lower() not in html
    assert "城关区张记面馆" not in client.get("/entities/", {"q": "张记面馆"}).content.decode()  # no entity was made


@pytest.mark.django_db
def test_public_pages_mask_and_refuse_id_numbers_already_stored(client):
    company, p = _planted(timezone.localdate() - dt.timedelta(days=30))

    page = client.get(f"/entities/{company.credit_code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert PERSON_ID not in html and MASKED in html  # in the name and the penalty's content
    assert client.get(f"/entities/{PERSON_ID}/").status_code == 404
    assert client.get(f"/entities/{PERSON_ID.lower()}/").status_code == 404

    by_name = client.get("/entities/", {"q": "张三"}).content.decode()
    assert company.name not in by_name and MASKED in by_name
    by_number = client.get("/entities/", {"q": PERSON_ID})
    text = by_number.content.decode()
    assert by_number.status_code == 200 and PERSON_ID not in text
    assert "请勿输入居民身份证号码" in text and "城关区张记面馆" not in text and "商贸有限公司" not in text
    inside = client.get("/entities/", {"q": f"查 {PERSON_ID} 的记录"}).content.decode()
    assert "请勿输入居民身份证号码" in inside and PERSON_ID not in inside

    with pytest.raises(ReportRefused, match="居民身份证号码"):
        issue_report(credit_code=PERSON_ID, domains="all", purpose="finance")


@pytest.mark.django_db
def test_check_personal_ids_finds_planted_numbers_and_prints_them_masked(capsys):
    out = io.StringIO()
    call_command("check_personal_ids", stdout=out)  # nothing stored: exit 0
    assert "未发现" in out.getvalue()

    company, p = _planted(dt.date(2025, 3, 1))
    old_reg_no = penalty(company, dt.date(2025, 3, 1), reg_no="620102600123456")  # 15 digits, not an ID number here
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check_personal_ids", stdout=out, stderr=err)

    assert exit_.value.code == 1
    lines = {tuple(line.split("\t")) for line in out.getvalue().splitlines()}
    shop_penalty = Penalty.objects.get(subject_key=PERSON_ID)
    assert {
        ("entities_entity", PERSON_ID[:4] + "*" * 10 + PERSON_ID[-4:], "credit_code", MASKED),
        ("entities_entity", company.credit_code, "name", MASKED),
        ("records_penalty", str(p.pk), "facts", MASKED),
        ("records_penalty", str(p.pk), "content", MASKED),
        ("records_penalty", str(shop_penalty.pk), "subject_key", MASKED),
        ("records_penalty", str(shop_penalty.pk), "credit_code", MASKED),
    } <= lines
    assert ("records_penalty", str(old_reg_no.pk), "subject_name", MASKED) in lines
    assert not [line for line in lines if line[2] == "reg_no"]
    assert PERSON_ID not in out.getvalue() + err.getvalue()
    assert "发现" in err.getvalue()


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_report_and_its_public_page_show_an_id_number_in_a_records_text_masked(client):
    import pypdfium2

    company, p = _planted(timezone.localdate() - dt.timedelta(days=30))
    report = issue_report(credit_code=company.credit_code, domains=["market-regulation"], purpose="finance")

    assert PERSON_ID not in json.dumps(report.snapshot, ensure_ascii=False)
    assert MASKED in report.snapshot["entity"]["name"]
    with open(report.pdf_path, "rb") as f:
        doc = pypdfium2.PdfDocument(f.read())
    text = "".join(page.get_textpage().get_text_range() for page in doc).replace("\r", "").replace("\n", "")
    assert PERSON_ID not in text and PERSON_ID[-4:] in text
    page = client.get(f"/reports/{report.verification_code}/").content.decode()
    assert PERSON_ID not in page and MASKED in page
