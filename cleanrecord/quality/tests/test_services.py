"""Recomputing and storing the scores, the office's list of shortfalls, and the hook after an import."""

import datetime as dt

import pytest
from django.utils import timezone

from cleanrecord.quality.measures import thresholds
from cleanrecord.quality.models import Measure, QualityScore
from cleanrecord.quality.services import after_import, below_threshold, recompute_all, recompute_for_department, summary
from cleanrecord.records.services import import_file
from cleanrecord.records.tests import helpers
from cleanrecord.reference.models import Department

from .factories import NOW, credit_code, entity, penalty

pytestmark = pytest.mark.django_db
NEXT_DAY = NOW + dt.timedelta(days=1)


def current(department: str | None, measure: str) -> QualityScore:
    rows = QualityScore.objects.current().filter(measure=measure)
    rows = rows.filter(department__code=department) if department else rows.filter(department=None)
    (row,) = rows
    return row


def test_a_recomputation_replaces_the_days_scores_and_keeps_earlier_days():
    penalty("amr", credit_code(1))
    first = recompute_all(now=NOW)
    assert QualityScore.objects.count() == len(first)
    assert len(recompute_all(now=NOW)) == len(first)  # the same day again: replaced, not added
    assert QualityScore.objects.count() == len(first)

    recompute_all(now=NEXT_DAY)
    assert QualityScore.objects.count() == 2 * len(first)
    assert set(QualityScore.objects.current().values_list("as_of", flat=True)) == {NEXT_DAY.date()}
    assert QualityScore.objects.current().count() == len(first)


def test_a_departments_recomputation_leaves_the_others_as_they_were():
    penalty("amr", credit_code(1))
    penalty("eco", credit_code(2))
    recompute_all(now=NOW)
    penalty("amr", credit_code(3), facts="")
    penalty("eco", credit_code(4), facts="")

    recompute_for_department(department=Department.objects.get(code="amr"), now=NEXT_DAY)
    amr, eco = current("amr", Measure.REQUIRED_FILLED), current("eco", Measure.REQUIRED_FILLED)
    assert (amr.as_of, amr.numerator, amr.denominator) == (NEXT_DAY.date(), 27, 28)
    assert (eco.as_of, eco.numerator, eco.denominator) == (NOW.date(), 14, 14)  # yesterday's, until recomputed
    platform = QualityScore.objects.current().filter(department=None)
    assert set(platform.values_list("as_of", flat=True)) == {NEXT_DAY.date()}
    assert platform.filter(measure=Measure.SILENT_DOMAIN).count() == 38


def test_below_threshold_lists_each_department_and_what_to_fix():
    entity(credit_code(1), "兰州甲商贸有限公司")
    entity(credit_code(2), "兰州乙商贸有限公司")
    penalty("amr", credit_code(1), "兰州甲商贸有限公司")
    penalty("amr", credit_code(2), "兰州乙贸易公司", facts="", legal_rep="")
    penalty("eco", credit_code(1), "兰州甲商贸有限公司", domain_id="ecology-environment")
    recompute_all(now=NOW)

    found = {(s.department.code if s.department else s.domain.code, s.measure): s for s in below_threshold()}
    names = found[("amr", Measure.NAME_MISMATCH)]
    assert (names.value, names.threshold, names.count) == (0.5, 0.01, 1)
    assert names.fix == "1 条记录的主体名称与登记库中该代码的名称不一致，请按登记名称更正"
    required = found[("amr", Measure.REQUIRED_FILLED)]
    assert (required.value, required.count) == (27 / 28, 1)
    assert required.fix == "1 处必填项为空（违法事实），请补全后重新报送"
    assert ("amr", Measure.RECOMMENDED_FILLED) not in found  # 7 of 8 filled: above 0.8
    # eco: every measure on the right side of its threshold.
    assert not [key for key in found if key[0] == "eco"]
    silent = found[("education", Measure.SILENT_DOMAIN)]
    assert silent.department is None
    assert silent.fix.startswith("教育领域近 30 天无任何数据报送")
    assert ("market-regulation", Measure.SILENT_DOMAIN) not in found
    assert found[("edu", Measure.SILENT_DEPARTMENT)].fix.startswith("近 30 天未报送任何数据")

    assert [s.measure for s in below_threshold(department=Department.objects.get(code="eco"))] == []


def test_thresholds_come_from_the_settings(settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "QUALITY_THRESHOLDS": "name_mismatch=0.6, on_time=0.5"}
    assert (thresholds()["name_mismatch"], thresholds()["on_time"], thresholds()["code_invalid"]) == (0.6, 0.5, 0.005)
    settings.CLEANRECORD = {**settings.CLEANRECORD, "QUALITY_THRESHOLDS": {"no_such_measure": 1}}
    with pytest.raises(ValueError, match="no_such_measure"):
        thresholds()


def test_an_applied_import_brings_its_departments_scores_up_to_date(tmp_path):
    rows = [helpers.penalty(1), helpers.penalty(2, **{"法定代表人": ""}), helpers.penalty(3, **{"处罚决定日期": ""})]
    amr = Department.objects.get(code="amr")
    result = import_file(path=helpers.penalty_csv(tmp_path / "amr.csv", rows), kind="penalty", department=amr)
    assert (result.batch.rows_read, result.batch.rows_rejected) == (3, 1)

    after_import(result.batch)
    rejection = current("amr", Measure.REJECTION_RATE)
    assert (rejection.as_of, rejection.numerator, rejection.denominator) == (timezone.localdate(), 1, 3)
    recommended = current("amr", Measure.RECOMMENDED_FILLED)
    # The file has no 处罚有效期 column, and one 法定代表人 is empty: 3 of 8 cells missing.
    assert (recommended.numerator, recommended.denominator) == (5, 8)
    assert current("amr", Measure.NOT_IN_REGISTER).numerator == 2  # no register loaded: both codes unknown
    assert current("amr", Measure.SILENT_DEPARTMENT).numerator == 0
    assert not QualityScore.objects.exclude(department=amr).exclude(department=None).exists()


def test_a_dry_run_changes_no_score(tmp_path):
    amr = Department.objects.get(code="amr")
    result = import_file(path=helpers.penalty_csv(tmp_path / "amr.csv", [helpers.penalty(1)]), kind="penalty",
                         department=amr, dry_run=True)
    after_import(result.batch)
    assert not QualityScore.objects.exists()


def test_the_summary_sums_a_departments_domains_and_kinds():
    penalty("amr", credit_code(1))
    penalty("amr", credit_code(2), domain_id="intellectual-property", publish_until=None)
    recompute_all(now=NOW)
    data = summary(department=Department.objects.get(code="amr"))
    (amr,) = data["departments"]
    recommended = next(m for m in amr["measures"] if m["measure"] == Measure.RECOMMENDED_FILLED)
    assert (recommended["numerator"], recommended["denominator"], recommended["to_fix"]) == (7, 8, 1)
    assert sorted(p["domain"] for p in recommended["parts"]) == ["intellectual-property", "market-regulation"]
    assert recommended["dimension_label"] == "全面性"
    assert data["domains"] == []  # one department: no platform-wide rows
    assert [s["measure"] for s in data["below_threshold"]] == [Measure.NOT_IN_REGISTER]  # no register loaded
