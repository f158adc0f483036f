"""Quality measures and rollout statistics count 行政强制 and 刑事 records too.

Judgments carry no domain unless the court named one: their scores are kept per court with no domain."""

import csv
import datetime as dt
import io
import itertools

import pytest
from django.utils import timezone

from cleanrecord.objections.models import Objection
from cleanrecord.quality import exports, stats
from cleanrecord.quality.measures import MEASURES, Context
from cleanrecord.quality.models import Measure
from cleanrecord.records.models import Compulsion, Judgment
from cleanrecord.reference.models import Department

from .factories import ARRIVED, DECIDED, NOW, _common, credit_code
from .test_measures import failing, score, scores

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def compulsion(code: str, **fields) -> Compulsion:
    n = next(_numbers)
    values = dict(decision_no=f"兰市监强〔2024〕{n}号", compulsion_type="measure", category="查封场所设施或者财物",
                  reason="涉嫌无证生产", basis="《行政强制法》第九条", decided_on=DECIDED, current_state="实施中")
    values.update(fields)
    return Compulsion.objects.create(**_common("amr", code, "兰州甲商贸有限公司", ARRIVED, values))


def judgment(code: str, **fields) -> Judgment:
    n = next(_numbers)
    values = dict(domain_id=None, case_no=f"（2024）甘01刑初{n}号", charges="污染环境罪", verdict="guilty",
                  judged_on=DECIDED - dt.timedelta(days=20), effective_on=DECIDED - dt.timedelta(days=5),
                  fine_wan="10", summary="被告单位犯污染环境罪，判处罚金人民币十万元")
    values.update(fields)
    return Judgment.objects.create(**_common("court-intermediate", code, "兰州甲商贸有限公司", ARRIVED, values))


def without_domain(found, measure: str):
    """The one score of the court's judgments that name no domain."""
    court = Department.objects.get(code="court-intermediate").pk
    (match,) = [s for s in found if s.measure == measure and s.department_id == court and s.kind == "judgment"
                and s.domain_id is None]
    return match


def test_completeness_of_compulsions_expects_a_lifting_date_of_a_lifted_one():
    compulsion(credit_code(1))
    no_reason = compulsion(credit_code(2), reason="")
    undated = compulsion(credit_code(3), current_state="已解除")
    compulsion(credit_code(4), current_state="已解除", lifted_on=DECIDED + dt.timedelta(days=3))
    found = scores("amr")

    required = score(found, Measure.REQUIRED_FILLED, kind="compulsion")
    # 13 required cells a row: name, category, credit code, 文号, 强制类型, 强制类别, 事由, 依据, 决定日期, four source columns.
    assert (required.numerator, required.denominator) == (51, 52)
    assert failing(Measure.REQUIRED_FILLED, kind="compulsion") == {no_reason.decision_no}
    recommended = score(found, Measure.RECOMMENDED_FILLED, kind="compulsion")
    # 法定代表人 and 当前状态 of every row, 解除日期 of the two lifted ones.
    assert (recommended.numerator, recommended.denominator) == (9, 10)
    assert failing(Measure.RECOMMENDED_FILLED, kind="compulsion") == {undated.decision_no}
    assert recommended.detail["missing_labels"] == ["解除日期"]


def test_judgments_are_scored_per_court_without_a_domain_and_a_fine_is_expected_of_a_fine_sentence():
    judgment(credit_code(1))
    unfined = judgment(credit_code(2), fine_wan=None)
    judgment(credit_code(3), fine_wan=None, verdict="acquitted", summary="宣告无罪；公诉机关请求判处罚金的意见不予采纳")
    judgment(credit_code(4), fine_wan=None, verdict="exempted", summary="犯单位行贿罪，免予刑事处罚")
    judgment(credit_code(5), domain_id="ecology-environment")
    found = scores("court-intermediate")

    recommended = without_domain(found, Measure.RECOMMENDED_FILLED)
    # 法定代表人 of four rows, 罚金 of the two sentenced to a fine (not of the acquittal nor the exemption).
    assert (recommended.numerator, recommended.denominator) == (5, 6)
    assert failing(Measure.RECOMMENDED_FILLED, "court-intermediate", "judgment") == {unfined.case_no}
    required = without_domain(found, Measure.REQUIRED_FILLED)
    assert (required.numerator, required.denominator) == (4 * 13, 4 * 13)
    named = score(found, Measure.REQUIRED_FILLED, "court-intermediate", "judgment", domain="ecology-environment")
    assert named.denominator == 13


def test_dates_amounts_and_shared_numbers_of_both_kinds():
    compulsion(credit_code(1))
    lifted_first = compulsion(credit_code(2), lifted_on=DECIDED - dt.timedelta(days=1), current_state="已解除")
    judgment(credit_code(1))
    effective_first = judgment(credit_code(2), effective_on=DECIDED - dt.timedelta(days=30))
    in_yuan = judgment(credit_code(3), fine_wan="500000")
    # Co-defendant units of one case share its 案号: not a defect. Two companies with one compulsion decision are.
    judgment(credit_code(4), case_no="（2024）甘01刑初900号")
    judgment(credit_code(5), case_no="（2024）甘01刑初900号")
    shared = [compulsion(credit_code(n), decision_no="兰市监强〔2024〕900号") for n in (6, 7)]
    found = scores()

    dates = score(found, Measure.DATES_OUT_OF_ORDER, kind="compulsion")
    assert (dates.numerator, dates.denominator, failing(Measure.DATES_OUT_OF_ORDER, kind="compulsion")) == (
        1, 4, {lifted_first.decision_no})
    court_dates = score(found, Measure.DATES_OUT_OF_ORDER, "court-intermediate", "judgment")
    assert (court_dates.numerator, failing(Measure.DATES_OUT_OF_ORDER, "court-intermediate", "judgment")) == (
        1, {effective_first.case_no})
    amounts = score(found, Measure.AMOUNT_OUT_OF_RANGE, "court-intermediate", "judgment")
    assert (amounts.numerator, amounts.denominator) == (1, 5)
    assert failing(Measure.AMOUNT_OUT_OF_RANGE, "court-intermediate", "judgment") == {in_yuan.case_no}
    assert "罚金" in MEASURES[Measure.AMOUNT_OUT_OF_RANGE].fix
    other_subject = score(found, Measure.SAME_NUMBER_OTHER_SUBJECT, kind="compulsion")
    assert (other_subject.numerator, other_subject.denominator) == (2, 4)
    assert failing(Measure.SAME_NUMBER_OTHER_SUBJECT, kind="compulsion") == {shared[0].decision_no}
    assert not [s for s in found if s.measure == Measure.SAME_NUMBER_OTHER_SUBJECT and s.kind == "judgment"]
    assert score(found, Measure.SAME_NUMBER_OTHER_AUTHORITY, "court-intermediate", "judgment").numerator == 0


def test_a_department_that_sent_only_compulsions_is_not_silent():
    compulsion(credit_code(1))
    found = scores("amr")
    assert score(found, Measure.SILENT_DEPARTMENT, kind="").numerator == 0
    ctx = Context.make(now=NOW + dt.timedelta(days=60), department=Department.objects.get(code="amr"))
    from cleanrecord.quality.measures import compute

    assert score(compute(ctx), Measure.SILENT_DEPARTMENT, kind="").numerator == 1


def test_rollout_statistics_count_records_and_objections_of_every_kind():
    today = timezone.localdate()
    compulsion(credit_code(1), created_at=timezone.now())
    judgment(credit_code(2), created_at=timezone.now())
    judgment(credit_code(3), created_at=timezone.now())
    for kind in ("judgment", "compulsion"):
        Objection.objects.create(kind=kind, record_id=1, subject_key=credit_code(2), reason="content_wrong",
                                 statement="有误", department=Department.objects.get(code="amr"), due_on=today,
                                 hard_due_on=today)

    data = stats.rollout(start=today, end=today)

    per_kind = {r["key"]: (r["label"], r["count"]) for r in data["records_per_kind"]}
    assert per_kind == {"penalty": ("行政处罚", 0), "licence": ("行政许可", 0), "listing": ("严重失信主体名单", 0),
                        "compulsion": ("行政强制", 1), "judgment": ("刑事判决", 2)}
    objections = {r["key"]: r["count"] for r in data["objections_per_kind"]}
    assert (objections["compulsion"], objections["judgment"], objections["penalty"]) == (1, 1, 0)
    assert stats.rollout(start=today - dt.timedelta(days=10), end=today - dt.timedelta(days=1))[
        "records_per_kind"][4]["count"] == 0
    rows = list(csv.reader(io.StringIO(exports.statistics_csv(data).decode("utf-8-sig"))))
    assert ["按类别归集记录", "judgment", "刑事判决", "2"] in rows and ["按记录类别异议", "compulsion", "行政强制", "1"] in rows
