"""The office's supervision and statistics pages, and a clerk's own scorecard: who sees what."""

import io
import re

import pypdfium2
import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from openpyxl import load_workbook

from cleanrecord.accounts.models import DepartmentClerk
from cleanrecord.quality.services import recompute_all
from cleanrecord.reference.models import Department

from .factories import NOW, credit_code, entity, local, penalty
from .test_stats import report

pytestmark = pytest.mark.django_db
NAME_FIX = "1 条记录的主体名称与登记库中该代码的名称不一致，请按登记名称更正"


def client_for(username: str, *, office: bool = False, department: str | None = None) -> Client:
    user = User.objects.create_user(username, password="x")
    if office:
        user.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    if department:
        DepartmentClerk.objects.create(user=user, department=Department.objects.get(code=department))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def office() -> Client:
    return client_for("office", office=True)


@pytest.fixture
def clerk() -> Client:
    return client_for("clerk_amr", department="amr")


@pytest.fixture
def bad_amr():
    """amr: one of two penalties names its subject differently from the register; eco is sound."""
    entity(credit_code(1), "兰州甲商贸有限公司")
    entity(credit_code(2), "兰州乙商贸有限公司")
    penalty("amr", credit_code(1), "兰州甲商贸有限公司")
    penalty("amr", credit_code(2), "兰州乙贸易公司")
    penalty("eco", credit_code(1), "兰州甲商贸有限公司", domain_id="ecology-environment")
    recompute_all(now=NOW)
    return Department.objects.get(code="amr")


def pdf_text(content: bytes) -> str:
    pdf = pypdfium2.PdfDocument(content)
    return "".join(page.get_textpage().get_text_range() for page in pdf)


def test_supervision_lists_a_bad_department_with_what_to_fix_and_its_rows(office, bad_amr):
    r = office.get("/office/quality/")
    assert r.status_code == 200
    page = r.content.decode()
    assert bad_amr.name in page
    assert NAME_FIX in page
    # eco is sound: no shortfall. Having sent no file, it is among the silent sources (freshness) only.
    shortfalls = re.sub(r'<section class="card" id="silent-sources">.*?</section>', "", page, flags=re.S)
    assert Department.objects.get(code="eco").name not in shortfalls
    rows = office.get("/office/quality/amr/rows/name_mismatch/")
    assert rows.status_code == 200
    assert "/office/quality/amr/rows/name_mismatch/" in page
    assert "兰州乙贸易公司" in rows.content.decode()
    assert "兰州甲商贸有限公司" not in rows.content.decode()


@pytest.mark.pdf
def test_the_scorecard_pdf_names_the_department_and_a_measures_value(office, bad_amr):
    r = office.get("/office/quality/amr/scorecard.pdf")
    assert (r.status_code, r["Content-Type"]) == (200, "application/pdf")
    text = pdf_text(r.content)
    assert bad_amr.name in text
    assert "主体名称与登记库不符" in text
    assert "50.0%" in text  # one of two names mismatched


def test_the_scorecard_workbook_holds_the_departments_measures(office, bad_amr):
    r = office.get("/office/quality/amr/scorecard.xlsx")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content))["部门指标"].iter_rows(values_only=True))
    name_row = next(row for row in rows if row[3] == "主体名称与登记库不符")
    assert name_row[:2] == ("amr", bad_amr.name)
    assert name_row[4:7] == (1, 2, 0.5)


def test_statistics_page_and_downloads(office):
    report(1, entity(credit_code(1), "兰州甲商贸有限公司"), local(2024, 3, 1, 10, 0), "finance", ["taxation"])
    page = office.get("/office/quality/statistics/?start=2024-03-01&end=2024-03-31")
    assert page.status_code == 200
    assert "城关区" in page.content.decode()
    assert "城关区" not in office.get("/office/quality/statistics/?start=2024-04-01").content.decode()
    csv = office.get("/office/quality/statistics.csv?start=2024-03-01")
    assert csv.status_code == 200
    assert "出具报告数" in csv.content.decode("utf-8-sig")
    xlsx = office.get("/office/quality/statistics.xlsx")
    assert "全部指标" in load_workbook(io.BytesIO(xlsx.content)).sheetnames


@pytest.mark.pdf
def test_a_clerk_sees_their_own_scorecard_and_rows(clerk, bad_amr):
    assert clerk.get("/department/quality/").url == "/department/quality/amr/"
    page = clerk.get("/department/quality/amr/")
    assert page.status_code == 200
    assert NAME_FIX in page.content.decode()
    assert "/department/quality/amr/rows/name_mismatch/" in page.content.decode()
    rows = clerk.get("/department/quality/amr/rows/name_mismatch/")
    assert "兰州乙贸易公司" in rows.content.decode()
    assert bad_amr.name in pdf_text(clerk.get("/department/quality/amr/scorecard.pdf").content)


@pytest.mark.parametrize("path", ["/department/quality/eco/", "/department/quality/eco/scorecard.pdf",
                                  "/department/quality/eco/scorecard.xlsx",
                                  "/department/quality/eco/rows/name_mismatch/"])
def test_it_hides_another_departments_scorecard(clerk, bad_amr, path):
    assert clerk.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/office/quality/", "/office/quality/statistics/", "/office/quality/statistics.csv",
                                  "/office/quality/amr/scorecard.pdf", "/office/quality/amr/rows/name_mismatch/"])
def test_office_pages_refuse_others(clerk, path):
    assert clerk.get(path).status_code == 403
    assert client_for("outsider").get(path).status_code == 403
    anonymous = Client().get(path)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith("/accounts/login/")


def test_a_user_of_no_department_has_no_scorecard():
    assert client_for("outsider").get("/department/quality/").status_code == 404
    assert client_for("outsider2").get("/department/quality/amr/").status_code == 404


@pytest.mark.pdf
def test_a_past_months_scorecard_shows_the_scores_at_its_end(clerk, bad_amr):
    from cleanrecord.records.models import Penalty

    # In April the clerk corrected the name; the April recomputation finds nothing wrong.
    Penalty.objects.filter(subject_name="兰州乙贸易公司").update(subject_name="兰州乙商贸有限公司")
    recompute_all(now=local(2024, 4, 30, 10, 0))
    assert NAME_FIX not in clerk.get("/department/quality/amr/").content.decode()
    march = clerk.get("/department/quality/amr/?month=2024-03").content.decode()
    assert "2024年3月" in march and "指标计算日期 2024年3月29日" in march and NAME_FIX in march
    assert '<option value="2024-03" selected>2024年3月</option>' in march  # older than the months offered: added
    pdf = clerk.get("/department/quality/amr/scorecard.pdf?month=2024-03")
    assert pdf["Content-Disposition"] == 'attachment; filename="scorecard-amr-2024-03.pdf"'
    assert "50.0%" in pdf_text(pdf.content)
    assert "2024年4月" in clerk.get("/department/quality/amr/?month=2024-04").content.decode()
    bad = clerk.get("/department/quality/amr/scorecard.pdf?month=2024-13")
    assert bad.status_code == 400 and "月份“2024-13”格式不正确，应为 YYYY-MM" in bad.content.decode()
    assert clerk.get("/department/quality/amr/?month=2999-01").status_code == 400


@pytest.mark.pdf
def test_the_office_sends_a_department_its_scorecard(office, bad_amr, django_capture_on_commit_callbacks):
    from django.core import mail

    from cleanrecord.accounts.models import Notification
    from cleanrecord.audit.models import AuditEntry

    clerk = User.objects.create_user("amr_clerk", email="clerk@amr.example.cn")
    DepartmentClerk.objects.create(user=clerk, department=bad_amr)
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post("/office/quality/amr/scorecard/send", {"month": "2024-03"}, follow=True)
    assert "正在向兰州市市场监督管理局的 1 名报送员发送2024年3月评分卡" in response.content.decode()
    message = Notification.objects.get(user=clerk)
    assert message.subject == "2024年3月数据质量评分卡" and "主体名称与登记库不符" in message.body
    assert message.url == "/department/quality/amr/?month=2024-03"
    (email,) = mail.outbox
    assert email.to == ["clerk@amr.example.cn"]
    name, content, mimetype = email.attachments[0]
    assert (name, mimetype) == ("scorecard-amr-2024-03.pdf", "application/pdf")
    assert "50.0%" in pdf_text(content)
    assert AuditEntry.objects.filter(action="quality.scorecard_send", target="department:amr").exists()
    nobody = office.post("/office/quality/eco/scorecard/send", follow=True)
    assert "尚无报送员账号，评分卡未能发送" in nobody.content.decode()


def test_supervision_shows_percentages_beside_thresholds_names_not_codes_and_the_worst_first(office, bad_amr):
    penalty("tax", credit_code(1), "兰州甲贸易", domain_id="taxation")  # tax: both of its names mismatched
    penalty("tax", credit_code(2), "兰州乙贸易公司", domain_id="taxation")
    recompute_all(now=NOW)
    page = office.get("/office/quality/").content.decode()
    summary = re.sub(r"\s+", " ", page[page.index('id="quality-summary"'):page.index("</table>", page.index('id="quality-summary"'))])
    amr, tax = bad_amr.name, Department.objects.get(code="tax").name
    assert summary.index(tax) < summary.index(amr)  # one shortfall each: the wider gap first
    assert re.search(rf'{amr}</a></td> <td class="num">1</td> <td>主体名称与登记库不符</td> '
                     rf'<td class="num"><span class="quality-bad">50%</span>（阈值 1%）</td>', summary)
    assert "100%</span>（阈值 1%）" in summary
    assert "（amr）" not in page and "（tax）" not in page and "0.5000" not in page


def test_the_scorecard_month_is_chosen_in_chinese(clerk, bad_amr):
    page = clerk.get("/department/quality/amr/").content.decode()
    assert 'type="month"' not in page
    assert re.search(r'<option value="\d{4}-\d{2}" selected>\d{4}年\d{1,2}月</option>', page)
    assert "50.0%（阈值 1.0%）" in page
