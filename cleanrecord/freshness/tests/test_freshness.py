"""How fresh each domain's data is: who feeds a domain, when each source last sent data, and what a
report, the verification page and the office's supervision page then say."""

import datetime as dt
import io
import re

import pypdf
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db import transaction
from django.test import Client
from django.utils import timezone

from cleanrecord.accounts.models import DepartmentClerk
from cleanrecord.audit.models import AuditEntry
from cleanrecord.entities.models import Entity
from cleanrecord.freshness import services
from cleanrecord.freshness.models import Feed, NothingNew, SourceStatus
from cleanrecord.lib.refusals import Refused
from cleanrecord.records.models import ImportBatch, Penalty
from cleanrecord.records.services import import_file
from cleanrecord.records.signals import import_finished
from cleanrecord.records.tests.test_import_parallel import split_files  # noqa: F401  (a fixture)
from cleanrecord.reference.models import Department
from cleanrecord.reports.render import render_pdf
from cleanrecord.reports.services import issue_report, snapshot_hash
from cleanrecord.reports.tests.factories import entity
from cleanrecord.workdays.services import working_days_between

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LONG_AGO = TODAY - dt.timedelta(days=100)  # about 70 working days: silent under the default 30
LATELY = TODAY - dt.timedelta(days=10)  # at most 8 working days
TAX = "国家税务总局兰州市税务局"
AMR = "兰州市市场监督管理局"


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "").replace(" ", "")


def zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def sent(code: str, on: dt.date, *domains: str, kind: str = "penalty", rows: int = 1) -> ImportBatch:
    """An import applied on `on` by department `code`, whose rows were in `domains` (as the importer says it)."""
    dept = Department.objects.get(code=code)
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
    batch = ImportBatch.objects.create(kind=kind, department=dept, file_name="f.csv", status=ImportBatch.Status.DONE,
                                       rows_read=rows, rows_created=rows, finished_at=at)
    import_finished.send(ImportBatch, batch=batch, feeds={(dept.pk, d) for d in domains})
    return batch


def fresh_all_but(*silent: str, on: dt.date = LATELY) -> None:
    """Every active department has sent data lately, except those named."""
    for d in Department.objects.filter(is_active=True).exclude(code__in=silent):
        SourceStatus.objects.update_or_create(department=d, defaults={"last_import_on": on})


def clerk_client(username: str, department: str) -> tuple[Client, User]:
    user = User.objects.create_user(username)
    DepartmentClerk.objects.create(user=user, department=Department.objects.get(code=department))
    client = Client()
    client.force_login(user)
    return client, user


def office_client() -> Client:
    user = User.objects.create_user("office")
    user.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    client = Client()
    client.force_login(user)
    return client


# -- the rule ---------------------------------------------------------------------------------------

def test_a_department_silent_too_long_gives_each_domain_it_feeds_a_note_naming_it_and_the_date():
    fresh_all_but("tax")
    sent("tax", LONG_AGO, "taxation")
    f = services.domain_freshness(["taxation", "market-regulation"], today=TODAY)
    assert f["taxation"].as_of == LONG_AGO
    note = f["taxation"].note(30)
    assert TAX in note and f"自{zh(LONG_AGO)}后未报送数据" in note and "30 个工作日" in note
    assert f["market-regulation"].note(30) == "" and f["market-regulation"].as_of == LATELY


def test_a_department_that_never_sent_data_leaves_the_domain_without_an_as_of_date():
    fresh_all_but("tax")
    f = services.domain_freshness(["taxation"], today=TODAY)["taxation"]
    assert f.as_of is None and f"{TAX}尚未向平台报送数据" in f.note(30)


def test_the_silent_limit_is_counted_in_working_days_on_the_official_calendar(settings):
    # 2024-10-08 (Tuesday) after the National Day week: 1–7 October are holidays, 29 Sep and 12 Oct make-up days.
    today = dt.date(2024, 10, 8)
    for days in (0, 1, 3, 5, 10):
        cutoff = services.silent_before(today, days)
        assert working_days_between(cutoff, today) <= days < working_days_between(cutoff - dt.timedelta(days=1), today)
    # Sent on Friday 27 September: 3 working days later (Sunday 29 Sep, 30 Sep, 8 Oct) in eleven calendar days.
    assert working_days_between(dt.date(2024, 9, 27), today) == 3
    assert services.silent_before(today, 3) <= dt.date(2024, 9, 27) < services.silent_before(today, 2)


def test_the_setting_decides_when_a_source_is_silent(settings):
    fresh_all_but("tax")
    sent("tax", LATELY, "taxation")
    assert services.domain_freshness(["taxation"], today=TODAY)["taxation"].silent == []
    settings.CLEANRECORD["SOURCE_SILENT_WORKDAYS"] = 1
    try:
        silent = services.domain_freshness(["taxation"], today=TODAY)["taxation"].silent
        assert [s.department.code for s in silent] == ["tax"]
    finally:
        settings.CLEANRECORD["SOURCE_SILENT_WORKDAYS"] = 30


def test_a_nothing_new_confirmation_restores_freshness_and_moves_the_as_of_date():
    fresh_all_but("tax")
    sent("tax", LONG_AGO, "taxation")
    user = User.objects.create_user("carol")
    services.confirm_nothing_new(user=user, department=Department.objects.get(code="tax"), as_of=TODAY - dt.timedelta(days=1))
    f = services.domain_freshness(["taxation"], today=TODAY)["taxation"]
    assert f.as_of == TODAY - dt.timedelta(days=1) and f.note(30) == ""
    # An older confirmation filed later never moves the date back.
    services.confirm_nothing_new(user=user, department=Department.objects.get(code="tax"), as_of=LONG_AGO)
    assert services.domain_freshness(["taxation"], today=TODAY)["taxation"].as_of == TODAY - dt.timedelta(days=1)


def test_a_department_that_sent_records_in_another_domain_feeds_both():
    fresh_all_but("amr")
    sent("amr", LONG_AGO, "market-regulation", "intellectual-property")
    feed = Feed.objects.get(department__code="amr", domain="intellectual-property")
    assert feed.origin == Feed.Origin.RECORDS and feed.last_records_on == LONG_AGO
    f = services.domain_freshness(["market-regulation", "intellectual-property", "taxation"], today=TODAY)
    for code in ("market-regulation", "intellectual-property"):
        assert AMR in f[code].note(30) and f[code].as_of == LONG_AGO, code
    assert f["taxation"].note(30) == ""


def test_a_domains_as_of_date_is_the_oldest_of_its_departments():
    fresh_all_but("amr", "ip")
    sent("ip", TODAY - dt.timedelta(days=3), "intellectual-property")
    sent("amr", LATELY, "market-regulation", "intellectual-property")
    f = services.domain_freshness(["intellectual-property"], today=TODAY)["intellectual-property"]
    assert sorted(s.department.code for s in f.sources) == ["amr", "ip"]
    assert f.as_of == LATELY and f.note(30) == ""


def test_the_office_can_switch_a_feed_off_and_the_domain_no_longer_waits_for_it():
    fresh_all_but("amr")
    sent("amr", LONG_AGO, "market-regulation", "intellectual-property")
    Feed.objects.filter(department__code="amr", domain="intellectual-property").update(counts=False)
    f = services.domain_freshness(["intellectual-property"], today=TODAY)["intellectual-property"]
    assert [s.department.code for s in f.sources] == ["ip"] and f.note(30) == ""
    # Another import keeps the office's decision.
    sent("amr", LATELY, "intellectual-property")
    assert not Feed.objects.get(department__code="amr", domain="intellectual-property").counts


def test_a_domain_nobody_feeds_says_so():
    fresh_all_but()
    Feed.objects.create(department=Department.objects.get(code="tax"), domain_id="taxation", counts=False)
    assert "暂无数据报送部门" in services.domain_freshness(["taxation"], today=TODAY)["taxation"].note(30)


# -- what counts as sending data -------------------------------------------------------------------

def penalties_csv(dept: Department, *domains: str) -> bytes:
    header = ("行政相对人名称,行政相对人类别,行政相对人代码_1(统一社会信用代码),行政处罚决定书文号,违法行为类型,违法事实,"
              "处罚依据,处罚类别,处罚内容,罚款金额(万元),处罚决定日期,处罚机关,处罚机关统一社会信用代码,"
              "数据来源单位,数据来源单位统一社会信用代码,领域")
    company = Entity.objects.first() or entity()
    lines = [header] + [
        f"{company.name},法人及非法人组织,{company.credit_code},兰市监罚〔2026〕{i}号,虚假宣传,发布虚假广告,"
        f"《广告法》第五十五条,罚款,罚款五千元,0.5,2026-03-01,{dept.name},{dept.credit_code},{dept.name},"
        f"{dept.credit_code},{domain}" for i, domain in enumerate(domains, start=1)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def test_an_applied_import_counts_for_its_department_and_feeds_the_domains_of_its_rows(tmp_path):
    amr = Department.objects.get(code="amr")
    path = tmp_path / "p.csv"
    path.write_bytes(penalties_csv(amr, "market-regulation", "intellectual-property"))
    result = import_file(path=path, kind="penalty", department=amr)
    assert result.batch.status == "done" and Penalty.objects.count() == 2
    assert SourceStatus.objects.get(department=amr).last_import_on == timezone.localdate()
    assert set(Feed.objects.filter(department=amr).values_list("domain", flat=True)) == {
        "market-regulation", "intellectual-property"}


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                    reason="files are split between processes on PostgreSQL only")
def test_a_file_loaded_by_two_processes_feeds_the_domains_of_both_halves(tmp_path, split_files):  # noqa: F811
    amr = Department.objects.get(code="amr")
    path = tmp_path / "p.csv"
    path.write_bytes(penalties_csv(amr, *["market-regulation"] * 60, *["intellectual-property"] * 60))
    with transaction.atomic():  # rolled back: the import's DROP of the shared stage then holds no lock
        result = import_file(path=path, kind="penalty", department=amr)
        feeds = set(Feed.objects.filter(department=amr).values_list("domain", flat=True))
        transaction.set_rollback(True)
    assert result.batch.status == "done" and result.batch.rows_created == 120 and len(split_files) == 1
    assert feeds == {"market-regulation", "intellectual-property"}


def test_a_dry_run_a_licence_file_and_a_file_whose_every_row_was_refused_do_not_count(tmp_path):
    amr = Department.objects.get(code="amr")
    path = tmp_path / "p.csv"
    path.write_bytes(penalties_csv(amr, "intellectual-property"))
    assert import_file(path=path, kind="penalty", department=amr, dry_run=True).batch.status == "dry_run"
    refused = tmp_path / "bad.csv"
    refused.write_bytes(penalties_csv(amr, "no-such-domain"))
    batch = import_file(path=refused, kind="penalty", department=amr).batch
    assert batch.status == "done" and batch.rows_rejected == batch.rows_read == 1
    sent("amr", TODAY, "intellectual-property", kind="licence")
    assert not SourceStatus.objects.filter(department=amr).exists()
    assert not Feed.objects.exists()


# -- the department's confirmation page ------------------------------------------------------------

def test_a_clerk_confirms_nothing_new_on_the_portal_and_sees_it_in_the_departments_history():
    fresh_all_but("tax")
    client, user = clerk_client("carol", "tax")
    page = client.get("/department/nothing-new/").content.decode()
    assert "本部门已超过 30 个工作日未报送数据" in page and "税务" in page
    yesterday = TODAY - dt.timedelta(days=1)
    response = client.post("/department/nothing-new/", {"as_of": yesterday.isoformat(), "kind": "listing",
                                                        "note": "本月无新增失信名单"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and f"截至 {yesterday} 无新增严重失信主体名单数据" in page
    assert "本月无新增失信名单" in page and "本部门已超过" not in page
    row = NothingNew.objects.get()
    assert (row.department.code, row.kind, row.as_of, row.user) == ("tax", "listing", yesterday, user)
    entry = AuditEntry.objects.get(action="freshness.nothing_new")
    assert entry.target == "department:tax" and entry.user == user
    assert entry.after == {"as_of": yesterday.isoformat(), "kind": "listing", "note": "本月无新增失信名单", "id": row.pk}
    assert services.domain_freshness(["taxation"], today=TODAY)["taxation"].as_of == yesterday


@pytest.mark.parametrize("as_of, kind, message", [
    (TODAY + dt.timedelta(days=1), "", "数据截至日期不能晚于今天"),
    ("2026-13-01", "", "日期格式应为 YYYY-MM-DD"),
    ("1900-01-01", "", "日期过早"),
    (TODAY, "licence", "数据类别“licence”无效"),
])
def test_a_confirmation_that_cannot_be_right_is_refused_with_a_reason_and_nothing_is_stored(as_of, kind, message):
    client, _ = clerk_client("carol", "tax")
    response = client.post("/department/nothing-new/", {"as_of": str(as_of), "kind": kind})
    assert response.status_code == 400 and message in response.content.decode()
    assert not NothingNew.objects.exists() and not SourceStatus.objects.exists()
    assert not AuditEntry.objects.filter(action="freshness.nothing_new").exists()


def test_the_service_refuses_a_future_date_too():
    with pytest.raises(Refused, match="不能晚于今天"):
        services.confirm_nothing_new(user=None, department=Department.objects.get(code="tax"),
                                     as_of=TODAY + dt.timedelta(days=1))
    assert not NothingNew.objects.exists()


# -- the report, the verification page and the office --------------------------------------------

@pytest.fixture
def silent_tax_report():
    """A report on three domains: taxation's only source silent since LONG_AGO, the others fresh."""
    fresh_all_but("tax", "amr", "ip")
    sent("tax", LONG_AGO, "taxation")
    sent("ip", TODAY - dt.timedelta(days=3), "intellectual-property")
    sent("amr", LATELY, "market-regulation", "intellectual-property")
    company = entity()
    return issue_report(credit_code=company.credit_code,
                        domains=["taxation", "intellectual-property", "market-regulation"], purpose="finance")


@pytest.mark.pdf
def test_the_snapshot_and_the_pdf_state_each_domains_as_of_date_and_the_silent_sources_note(silent_tax_report):
    s = silent_tax_report.snapshot
    by_code = {row["code"]: row for row in s["summary"]}
    assert by_code["taxation"]["as_of"] == LONG_AGO.isoformat() and TAX in by_code["taxation"]["silence_note"]
    assert by_code["intellectual-property"]["as_of"] == LATELY.isoformat()
    assert by_code["intellectual-property"]["silence_note"] == by_code["market-regulation"]["silence_note"] == ""
    assert s["freshness"]["noted_domains"] == 1 and s["freshness"]["silent_after_workdays"] == 30
    text = pdf_text(silent_tax_report.pdf_bytes())
    # The summary table's last column, 数据截至, holds each domain's date.
    assert "查询结果数据截至" in text
    assert "税务查询期内，未发现行政处罚、行政强制、严重失信记录" in text and LONG_AGO.isoformat() in text
    assert LATELY.isoformat() in text
    assert f"{TAX}自{zh(LONG_AGO)}后未报送数据" in text
    assert "所查3个领域中，有1个领域的数据来源超过30个工作日未报送数据" in text


@pytest.mark.pdf
def test_a_report_with_every_source_fresh_says_so():
    fresh_all_but()
    report = issue_report(credit_code=entity().credit_code, domains=["taxation"], purpose="finance")
    assert report.snapshot["freshness"]["noted_domains"] == 0
    text = pdf_text(report.pdf_bytes())
    assert "所查1个领域的数据报送部门均在30个工作日内报送了数据或确认无新增数据" in text and "数据时效提示" not in text


@pytest.mark.pdf
def test_the_verification_page_shows_what_the_snapshot_said_even_after_the_source_sent_data(silent_tax_report):
    services.confirm_nothing_new(user=None, department=Department.objects.get(code="tax"), as_of=TODAY)
    page = Client().get(f"/verify/{silent_tax_report.verification_code}").content.decode()
    assert f"数据截至：{LONG_AGO.isoformat()}" in page and f"{TAX}自{zh(LONG_AGO)}后未报送数据" in page
    assert "有 1 个领域的数据来源超过 30 个工作日未报送数据" in page
    domains = {d["code"]: d for d in Client().get(f"/api/v1/verify/{silent_tax_report.verification_code}").json()["domains"]}
    assert domains["taxation"]["as_of"] == LONG_AGO.isoformat() and TAX in domains["taxation"]["silence_note"]
    assert domains["market-regulation"]["silence_note"] == ""


@pytest.mark.pdf
def test_a_report_issued_before_freshness_still_renders_and_verifies(silent_tax_report):
    report = silent_tax_report
    old = {k: v for k, v in report.snapshot.items() if k not in ("freshness", "hash")}
    old["summary"] = [{k: v for k, v in row.items() if k not in ("as_of", "silence_note")} for row in old["summary"]]
    old["hash"] = snapshot_hash(old)
    type(report).objects.filter(pk=report.pk).update(snapshot=old, snapshot_hash=old["hash"])
    response = Client().get(f"/verify/{report.verification_code}")
    page = response.content.decode()
    assert response.status_code == 200 and "真实有效" in page and "数据截至" not in page
    answer = Client().get(f"/api/v1/verify/{report.verification_code}").json()
    assert answer["result"] == "authentic" and answer["domains"][0]["as_of"] is None
    text = pdf_text(render_pdf(old))
    assert "查询结果数据截至" not in text and "查询结果" in text and LATELY.isoformat() not in text
    assert "数据时效提示" not in text and "税务" in text


def test_the_supervision_page_lists_silent_sources_with_domains_last_date_and_working_days():
    fresh_all_but("tax", "amr")
    sent("tax", LONG_AGO, "taxation")
    sent("amr", LONG_AGO, "market-regulation", "intellectual-property")
    Feed.objects.create(department=Department.objects.get(code="tax"), domain_id="finance")
    office = office_client()
    page = office.get("/office/quality/").content.decode()
    section = re.sub(r">\s+<", "><", page[page.index('id="silent-sources"'):])
    days = working_days_between(LONG_AGO, TODAY)
    # Oldest first; each with the domains it holds up, in the domains' order.
    long_ago = f"{LONG_AGO.year}年{LONG_AGO.month}月{LONG_AGO.day}日"
    assert (f"<tr><td>{AMR}</td><td>市场监管、知识产权</td><td>{long_ago}</td>"
            f"<td class=\"num\">{days}</td></tr><tr><td>{TAX}</td><td>财政、税务</td>") in section
    assert "兰州市应急管理局" not in section
    sources = office.get("/office/quality/sources/").content.decode()
    assert "报送过本领域记录" in sources and "信用办指定" in sources and "超期" in sources


def test_the_office_adjusts_a_feed_in_the_admin_and_the_change_is_audited():
    user = User.objects.create_superuser("root", password="pw-root-1")
    client = Client()
    client.force_login(user)
    response = client.post("/admin/freshness/feed/add/", {
        "department": Department.objects.get(code="tax").pk, "domain": "finance", "counts": "on", "note": "代征非税收入"})
    assert response.status_code == 302
    feed = Feed.objects.get(domain="finance", department__code="tax")
    assert feed.origin == Feed.Origin.OFFICE
    assert AuditEntry.objects.filter(action="freshness.feed_add", target=f"feed:{feed.pk}").exists()
    assert "tax" in [s.department.code for s in services.domain_freshness(["finance"], today=TODAY)["finance"].sources]


# -- the API ---------------------------------------------------------------------------------------

def test_a_clerk_confirms_nothing_new_through_the_api():
    client, user = clerk_client("carol", "tax")
    yesterday = TODAY - dt.timedelta(days=1)
    response = client.post("/api/v1/nothing-new", {"as_of": yesterday.isoformat(), "kind": "compulsion"},
                           content_type="application/json")
    assert response.status_code == 201
    assert response.json() == {"id": NothingNew.objects.get().pk, "department": "tax", "as_of": yesterday.isoformat(),
                               "kind": "compulsion", "note": ""}
    assert SourceStatus.objects.get(department__code="tax").last_confirmed_on == yesterday
    assert AuditEntry.objects.filter(action="freshness.nothing_new", user=user).count() == 1


@pytest.mark.parametrize("body, status, message", [
    ({"as_of": (TODAY + dt.timedelta(days=1)).isoformat()}, 400, "不能晚于今天"),
    ({"as_of": "2026-02-30"}, 422, "as_of应为日期（YYYY-MM-DD）"),
    ({"as_of": TODAY.isoformat(), "note": "无" * 201}, 422, "note过长（最多 200）"),
    ({"as_of": TODAY.isoformat(), "kind": "register"}, 400, "数据类别“register”无效"),
])
def test_the_api_refuses_a_confirmation_that_cannot_be_right(body, status, message):
    client, _ = clerk_client("carol", "tax")
    response = client.post("/api/v1/nothing-new", body, content_type="application/json")
    assert response.status_code == status and message in response.json()["detail"]
    assert not NothingNew.objects.exists() and not SourceStatus.objects.exists()


def test_the_migration_fills_the_tables_from_the_imports_and_records_already_there():
    import importlib

    from django.apps import apps

    from cleanrecord.reports.tests.factories import penalty

    backfill = importlib.import_module("cleanrecord.freshness.migrations.0002_backfill").backfill
    batch = sent("amr", LONG_AGO, "market-regulation")
    sent("tax", LATELY, kind="licence")  # licences say nothing about violations
    penalty(entity(), LONG_AGO, domain="intellectual-property")  # an amr record in another domain
    SourceStatus.objects.all().delete()
    Feed.objects.all().delete()
    backfill(apps, None)
    assert list(SourceStatus.objects.values_list("department__code", "last_import_on")) == [
        ("amr", timezone.localdate(batch.finished_at))]
    assert list(Feed.objects.values_list("department__code", "domain", "origin")) == [
        ("amr", "intellectual-property", "records")]
