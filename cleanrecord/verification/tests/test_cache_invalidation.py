"""Verification's cached "changes since issue" answer is never stale: each kind of change of the subject's data
(through the platform's own writers: the import, records.changes, the objection workflow, severity
explanations) moves the subject's data version on, and the next verification reports the change; a change
that takes effect by its date alone (a 行政强制 lifted from a given day) is reported from that day."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from cleanrecord.objections import workflow
from cleanrecord.objections.models import SeverityExplanation
from cleanrecord.records import changes as record_changes
from cleanrecord.records.models import Penalty, SubjectVersion
from cleanrecord.records.tests.helpers import penalty as penalty_row
from cleanrecord.records.tests.helpers import penalty_csv, run_import
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import compulsion, credit_code, entity, listing, penalty
from cleanrecord.testing.actors import make_entity_user
from cleanrecord.testing.queries import count_queries

pytestmark = [pytest.mark.pdf, pytest.mark.django_db]  # verifies issued (rendered and signed) reports

CODE_BODY, NAME = "91620100MA7100001", "兰州示例商贸有限公司1"


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


@pytest.fixture
def company(db):
    return entity(CODE_BODY, NAME)


def issue(company):
    return issue_report(credit_code=company.credit_code, domains="all", purpose="finance")


def verified(report) -> list[str]:
    """What a verifier reads under 报告出具后的变化 (the API's `changes`), by a new client each time."""
    body = Client().get(f"/api/v1/verify/{report.verification_code}").json()
    assert body["result"] == "authentic"
    return [f"{c['number']}：{c['what']}" for c in body["changes"]]


def cached(report) -> list[str]:
    """Verify twice: the second answer comes from the cache (two queries) and equals the first."""
    first = verified(report)
    url = f"/api/v1/verify/{report.verification_code}"
    assert count_queries(lambda: Client().get(url)) == 2, "the answer was not cached"
    assert verified(report) == first
    return first


def imported(tmp_path, name: str, *rows: dict) -> None:
    run = run_import(penalty_csv(tmp_path / name, list(rows)))
    assert run.code == 0, run.output + run.errors


def row(n: int, **cells) -> dict:
    return penalty_row(n, **{"行政相对人代码_1(统一社会信用代码)": credit_code(CODE_BODY), "行政相对人名称": NAME,
                             "处罚决定日期": str(ago(30)), "公示截止期": "", **cells})


def test_an_imported_new_record_is_reported(company, tmp_path):
    imported(tmp_path, "a.csv", row(1))
    report = issue(company)
    assert cached(report) == []
    imported(tmp_path, "b.csv", row(1), row(2))
    assert verified(report) == ["兰市监罚〔2024〕2号：报告出具后平台新增了查询期内的一条记录，报告未包含"]


def test_an_imported_update_is_reported(company, tmp_path):
    imported(tmp_path, "a.csv", row(1))
    report = issue(company)
    assert cached(report) == []
    imported(tmp_path, "b.csv", row(1, **{"罚款金额(万元)": "0.8", "处罚内容": "罚款人民币八千元"}))
    assert verified(report) == ["兰市监罚〔2024〕1号：该记录内容在报告出具后已更正"]


def test_an_imported_revocation_is_reported(company, tmp_path):
    imported(tmp_path, "a.csv", row(1))
    report = issue(company)
    assert cached(report) == []
    # The same row sent again with a 撤销日期 column (the layout's optional column), dated yesterday.
    record_csv = penalty_csv(tmp_path / "b.csv", [row(1)])
    text = record_csv.read_text(encoding="utf-8-sig").splitlines()
    text[0] += ",撤销日期"
    text[1] += f",{ago(1)}"
    record_csv.write_text("\r\n".join(text) + "\r\n", encoding="utf-8-sig")
    run = run_import(record_csv)
    assert run.code == 0, run.output + run.errors
    assert Penalty.objects.get().status == "revoked"
    assert verified(report) == ["兰市监罚〔2024〕1号：该记录已被撤销（或已删除），报告出具后不再计入"]


def test_an_import_bumps_the_version_of_the_subjects_it_changed_and_no_other(company, tmp_path):
    other = entity("91620100MA7100002", "兰州示例商贸有限公司2")
    imported(tmp_path, "a.csv", row(1), penalty_row(2, **{"处罚决定日期": str(ago(30)), "公示截止期": ""}))
    before = dict(SubjectVersion.objects.values_list("subject_key", "version"))
    assert set(before) == {company.credit_code, other.credit_code}
    imported(tmp_path, "b.csv", row(1, **{"处罚内容": "罚款人民币六千元"}), penalty_row(2, **{"处罚决定日期": str(ago(30)), "公示截止期": ""}))
    after = dict(SubjectVersion.objects.values_list("subject_key", "version"))
    assert after[company.credit_code] > before[company.credit_code]
    assert after[other.credit_code] == before[other.credit_code]  # sent again unchanged: its answers stay cached


def test_a_revocation_is_reported(company, amr_clerk):
    p = penalty(company, ago(30))
    report = issue(company)
    assert cached(report) == []
    record_changes.revoke(p, reason="决定已撤销", user=amr_clerk)
    assert verified(report) == [f"{p.decision_no}：该记录已被撤销（或已删除），报告出具后不再计入"]


def test_a_correction_is_reported(company, amr_clerk):
    p = penalty(company, ago(30))
    report = issue(company)
    assert cached(report) == []
    record_changes.correct(p, values={"fine_wan": Decimal("0.3"), "content": "罚款三千元"}, reason="金额有误",
                           user=amr_clerk)
    assert verified(report) == [f"{p.decision_no}：该记录内容在报告出具后已更正"]


def test_a_repair_is_reported(company, amr_clerk):
    p = penalty(company, ago(30))
    report = issue(company)
    assert cached(report) == []
    record_changes.mark_repaired(p, decision="兰信修〔2026〕1号", on=ago(1), user=amr_clerk)
    assert verified(report) == [f"{p.decision_no}：该记录已于 {ago(1)} 完成信用修复"]


def test_a_listing_removed_is_reported(company):
    li = listing(company, ago(90))
    report = issue(company)
    assert cached(report) == []
    record_changes.correct(li, values={"removed_on": ago(1)}, reason="已移出名单")
    assert verified(report) == [f"{li.listing_ref}：该记录内容在报告出具后已更正"]


def test_an_objection_opened_and_closed_is_reported(company):
    p = penalty(company, ago(30))
    owner = make_entity_user("owner", company)
    report = issue(company)
    assert cached(report) == []
    objection = workflow.file_objection(user=owner, kind="penalty", subject_key=company.credit_code, record_id=p.pk,
                                        reason="content_wrong", statement="罚款金额有误")
    assert cached(report) == [f"{p.decision_no}：该记录在报告出具后被提出异议，正在处理中"]
    workflow.step(objection, "withdraw", user=owner)
    assert verified(report) == []

    # A report issued while the objection was open says so; its closing is then a change.
    objection = workflow.file_objection(user=owner, kind="penalty", subject_key=company.credit_code, record_id=p.pk,
                                        reason="content_wrong", statement="罚款金额仍有误")
    during = issue(company)
    assert cached(during) == []
    workflow.step(objection, "withdraw", user=owner)
    assert verified(during) == [f"{p.decision_no}：该记录的异议已办结"]


def test_a_severity_explanation_is_reported(company, amr_clerk):
    p = penalty(company, ago(30))
    owner = make_entity_user("owner", company)
    report = issue(company)
    assert cached(report) == []
    req = workflow.request_explanation(user=owner, subject_key=company.credit_code, record_id=p.pk, reason="用于招投标")
    assert cached(report) == []  # asked for, not yet written: nothing changed
    workflow.write_explanation(req, user=amr_clerk, category=SeverityExplanation.Category.MINOR,
                               text="当事人及时改正，情节轻微", signer="兰州市市场监督管理局", signed_on=ago(0))
    [what] = verified(report)
    assert what.startswith(f"{p.decision_no}：报告出具后，决定机关出具了情节严重程度说明：情节轻微")


def test_a_lifting_dated_tomorrow_is_reported_from_tomorrow_without_any_write(company, monkeypatch):
    tomorrow = ago(-1)
    c = compulsion(company, ago(30), lifted_on=tomorrow)
    report = issue(company)
    assert cached(report) == []
    version = SubjectVersion.objects.get(subject_key=company.credit_code).version
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert verified(report) == [f"{c.decision_no}：该行政强制已于 {tomorrow} 解除"]
    assert SubjectVersion.objects.get(subject_key=company.credit_code).version == version  # no write moved it


def test_the_cached_answer_is_kept_per_language(company, amr_clerk):
    """The changes' sentences and the result's name are in the reader's language (gettext, worked out per request,
    never signed): an answer cached for a Chinese reader is not served to an English one, nor the other way."""
    p = penalty(company, ago(30))
    report = issue(company)
    record_changes.revoke(p, reason="决定已撤销", user=amr_clerk)
    url = f"/api/v1/verify/{report.verification_code}"
    assert cached(report) == [f"{p.decision_no}：该记录已被撤销（或已删除），报告出具后不再计入"]
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert count_queries(lambda: english.get(url)) > 2, "the Chinese answer was served to an English reader"
    body = english.get(url).json()
    assert body["result_label"] == "Authentic and valid"
    assert count_queries(lambda: english.get(url)) == 2  # kept too, under its own language
    assert Client().get(url).json()["result_label"] == "真实有效"
