"""Each measure's exact value, and the rows it links to, on departments seeded with known defects."""

import datetime as dt

import pytest
from django.db.models import DateField, Value

from cleanrecord.quality.measures import (
    MEASURES,
    CompletenessMeasure,
    Context,
    RecordMeasure,
    compute,
    compute_platform,
    rows_for,
)
from cleanrecord.quality.models import Measure
from cleanrecord.records.models import ImportBatch, RecordStatus
from cleanrecord.reference.models import Department, Domain
from cleanrecord.workdays.models import CalendarDay, CalendarYear
from cleanrecord.workdays.sql import WorkingDays

from .factories import (
    DECIDED,
    NOW,
    bad_checksum,
    batch,
    credit_code,
    entity,
    licence,
    listing,
    local,
    penalty,
)

pytestmark = pytest.mark.django_db


def scores(department: str | None = None, *, platform: bool = False):
    ctx = Context.make(now=NOW, department=Department.objects.get(code=department) if department else None)
    return compute_platform(ctx) if platform else compute(ctx)


def score(found, measure: str, department: str = "amr", kind: str = "penalty", domain: str | None = None):
    """The one score of `measure` for `department`'s `kind` (in `domain`, if several)."""
    dept = Department.objects.get(code=department).pk if department else None
    matches = [s for s in found if s.measure == measure and s.department_id == dept and s.kind == kind
               and (domain is None or s.domain_id == domain)]
    assert len(matches) == 1, matches
    return matches[0]


def failing(measure: str, department: str = "amr", kind: str = "penalty", **options) -> set[str]:
    """The natural numbers (文号, 名单标识) of the rows a measure links to, computed as of NOW."""
    ctx = Context.make(now=NOW, department=Department.objects.get(code=department))
    definition = MEASURES[measure]
    assert isinstance(definition, RecordMeasure)
    return {r.natural_number for r in definition.rows(kind=kind, ctx=ctx, **options)}


def test_working_days_count_weekdays_after_the_decision_up_to_arrival():
    start = dt.date(2024, 2, 26)  # a Monday; up to 1 April 2024 no holiday or make-up day (see workdays' test_sql)
    for offset in range(0, 15):
        for length in range(0, 22):
            d0 = start + dt.timedelta(days=offset)
            d1 = d0 + dt.timedelta(days=length)
            expected = sum(1 for i in range(1, length + 1) if (d0 + dt.timedelta(days=i)).weekday() < 5)
            got = (Domain.objects.annotate(w=WorkingDays(Value(d0, DateField()), Value(d1, DateField())))
                   .values_list("w", flat=True)[:1].get())
            assert got == expected, (d0, d1)


def test_completeness_counts_required_and_recommended_cells_of_the_rows_they_apply_to():
    ok = penalty("amr", credit_code(1))
    gaps = penalty("amr", credit_code(2), violation_type="", facts="", legal_rep="", fine_wan=None)
    person = penalty("amr", "", "张三", subject_category="person", legal_rep="")  # ID number missing
    warned = penalty("amr", credit_code(3), categories="警告", fine_wan=None)  # no fine expected of a warning
    found = scores("amr")

    required = score(found, Measure.REQUIRED_FILLED)
    # 14 required cells a row (a credit code for organisations, an ID number for persons); 3 empty.
    assert (required.numerator, required.denominator) == (53, 56)
    assert required.detail["missing"] == {"violation_type": 1, "facts": 1, "subject_id_encrypted": 1}
    assert required.detail["missing_labels"] == ["证件号码", "违法行为类型", "违法事实"]  # most first, then layout order
    assert failing(Measure.REQUIRED_FILLED) == {gaps.decision_no, person.decision_no}
    assert failing(Measure.REQUIRED_FILLED, field="facts") == {gaps.decision_no}

    recommended = score(found, Measure.RECOMMENDED_FILLED)
    # Organisations: 法定代表人; fines: 罚款金额; penalties: 处罚有效期 and 公示截止期. ok 4, gaps 4, person 3, warned 3.
    assert (recommended.numerator, recommended.denominator) == (12, 14)
    assert recommended.value == pytest.approx(12 / 14)
    assert failing(Measure.RECOMMENDED_FILLED) == {gaps.decision_no}
    assert ok.decision_no not in failing(Measure.REQUIRED_FILLED) | failing(Measure.RECOMMENDED_FILLED)
    assert warned.decision_no not in failing(Measure.RECOMMENDED_FILLED)


def test_court_listings_are_expected_to_carry_the_court_columns():
    listing("court-intermediate", credit_code(1))
    bare = listing("court-intermediate", credit_code(2), case_no="", obligation="", performance="")
    found = scores("court-intermediate")
    recommended = score(found, Measure.RECOMMENDED_FILLED, "court-intermediate", "listing")
    # 法定代表人 and eight court columns a row; 列入决定文书号 is not expected of the court list.
    assert (recommended.numerator, recommended.denominator) == (15, 18)
    assert failing(Measure.RECOMMENDED_FILLED, "court-intermediate", "listing") == {bare.natural_number}


def test_codes_are_checked_for_shape_checksum_register_and_name():
    entity(credit_code(1), "兰州甲商贸有限公司")
    entity(credit_code(2), "兰州乙（城关）商贸有限公司")
    entity(credit_code(3), "兰州丙商贸有限公司")
    entity(credit_code(5), "兰州戊商贸有限公司", from_register=False)  # only added by an earlier import
    pilot = bad_checksum(credit_code(6))
    entity(pilot, "兰州己商贸有限公司", checksum_warning=True)

    penalty("amr", credit_code(1), "兰州甲商贸有限公司")
    penalty("amr", credit_code(2), "兰州乙(城关)商贸 有限公司")  # the same name, written with half-width brackets
    renamed = penalty("amr", credit_code(3), "兰州丙贸易有限公司")
    unknown = penalty("amr", credit_code(4), "兰州丁商贸有限公司")
    unchecked = penalty("amr", credit_code(5), "兰州戊商贸有限公司")
    early = penalty("amr", pilot, "兰州己商贸有限公司")
    malformed = penalty("amr", "91620102MA71Q0O07", "兰州庚商贸有限公司")  # 17 characters, a letter O
    penalty("amr", "", "张三", subject_category="person")  # no code: not counted
    found = scores("amr")

    invalid = score(found, Measure.CODE_INVALID)
    assert (invalid.numerator, invalid.denominator) == (2, 7)
    assert failing(Measure.CODE_INVALID) == {early.decision_no, malformed.decision_no}
    missing = score(found, Measure.NOT_IN_REGISTER)
    assert (missing.numerator, missing.denominator) == (3, 7)
    assert failing(Measure.NOT_IN_REGISTER) == {unknown.decision_no, unchecked.decision_no, malformed.decision_no}
    names = score(found, Measure.NAME_MISMATCH)
    assert (names.numerator, names.denominator) == (1, 7)
    assert failing(Measure.NAME_MISMATCH) == {renamed.decision_no}


def test_dates_amounts_and_categories_are_checked():
    penalty("amr", credit_code(1))
    published_early = penalty("amr", credit_code(2), publish_until=DECIDED - dt.timedelta(days=1))
    valid_early = penalty("amr", credit_code(3), valid_until=DECIDED - dt.timedelta(days=30))
    in_yuan = penalty("amr", credit_code(4), fine_wan="20000")
    negative = penalty("amr", credit_code(5), confiscated_wan="-1", categories="罚款；没收违法所得")
    penalty("amr", credit_code(6), categories="警告", fine_wan=None)
    odd = penalty("amr", credit_code(7), categories="罚款；罚没")
    penalty("amr", credit_code(8), categories="警告、其他处理")  # "其他…" is Art. 9's 其他
    penalty("amr", credit_code(9), categories="不予行政处罚", content="不予行政处罚", fine_wan=None,
            not_penalised=True, valid_until=None, publish_until=None)
    licence("eco", credit_code(1))
    backwards = licence("eco", credit_code(2), valid_from=dt.date(2024, 3, 1), valid_to=dt.date(2023, 3, 1))
    listing("court-intermediate", credit_code(1))
    removed_first = listing("court-intermediate", credit_code(2), removed_on=DECIDED - dt.timedelta(days=1),
                            status=RecordStatus.REMOVED)
    found = scores()

    dates = score(found, Measure.DATES_OUT_OF_ORDER)
    assert (dates.numerator, dates.denominator) == (2, 9)
    assert failing(Measure.DATES_OUT_OF_ORDER) == {published_early.decision_no, valid_early.decision_no}
    amounts = score(found, Measure.AMOUNT_OUT_OF_RANGE)
    assert (amounts.numerator, amounts.denominator) == (2, 7)  # the warning and the non-penalty carry no amount
    assert failing(Measure.AMOUNT_OUT_OF_RANGE) == {in_yuan.decision_no, negative.decision_no}
    categories = score(found, Measure.UNKNOWN_CATEGORY)
    assert (categories.numerator, categories.denominator) == (1, 9)
    assert failing(Measure.UNKNOWN_CATEGORY) == {odd.decision_no}

    licence_dates = score(found, Measure.DATES_OUT_OF_ORDER, "eco", "licence")
    assert (licence_dates.numerator, licence_dates.denominator) == (1, 2)
    assert failing(Measure.DATES_OUT_OF_ORDER, "eco", "licence") == {backwards.doc_no}
    listing_dates = score(found, Measure.DATES_OUT_OF_ORDER, "court-intermediate", "listing")
    assert (listing_dates.numerator, listing_dates.denominator) == (1, 2)
    assert failing(Measure.DATES_OUT_OF_ORDER, "court-intermediate", "listing") == {removed_first.natural_number}


def test_timeliness_counts_working_days_to_the_local_day_of_arrival():
    seventh = penalty("amr", credit_code(1), decided_on=DECIDED, arrived=local(2024, 3, 20, 15, 0))
    # 17:00 UTC on the 20th is 01:00 on the 21st in Lanzhou: the eighth working day.
    eighth = penalty("amr", credit_code(2), decided_on=DECIDED,
                     arrived=dt.datetime(2024, 3, 20, 17, 0, tzinfo=dt.UTC))
    penalty("amr", credit_code(3), decided_on=dt.date(2024, 3, 15), arrived=local(2024, 3, 18, 9, 0))  # Fri → Mon: 1
    penalty("amr", credit_code(4), decided_on=dt.date(2024, 1, 2), arrived=local(2024, 2, 20, 9, 0))  # before the window
    late_licence = licence("eco", credit_code(1), decided_on=dt.date(2024, 3, 4), arrived=local(2024, 3, 20, 9, 0))
    found = scores()

    on_time = score(found, Measure.ON_TIME)
    assert (on_time.numerator, on_time.denominator) == (2, 3)
    assert on_time.detail == {"avg_working_days": round((7 + 8 + 1) / 3, 2)}
    assert failing(Measure.ON_TIME) == {eighth.decision_no}
    assert seventh.decision_no not in failing(Measure.ON_TIME)
    licences = score(found, Measure.ON_TIME, "eco", "licence")
    assert (licences.numerator, licences.denominator, licences.value) == (0, 1, 0.0)
    assert failing(Measure.ON_TIME, "eco", "licence") == {late_licence.doc_no}


def test_timeliness_counts_on_the_official_calendar():
    """National Day 2025: 1–8 October off, Saturday 11 October worked. Monday to Friday would say the opposite."""
    now = local(2025, 10, 24, 10, 0)
    over_the_holiday = penalty("amr", credit_code(1), decided_on=dt.date(2025, 9, 30), arrived=local(2025, 10, 16, 9, 0))
    over_the_saturday = penalty("amr", credit_code(2), decided_on=dt.date(2025, 10, 10),
                                arrived=local(2025, 10, 21, 9, 0))

    def weekdays(start: dt.date, end: dt.date) -> int:
        return sum((start + dt.timedelta(days=i)).weekday() < 5 for i in range(1, (end - start).days + 1))

    assert weekdays(dt.date(2025, 9, 30), dt.date(2025, 10, 16)) == 12  # late, counted Monday to Friday
    assert weekdays(dt.date(2025, 10, 10), dt.date(2025, 10, 21)) == 7  # on time, counted Monday to Friday

    ctx = Context.make(now=now, department=Department.objects.get(code="amr"))
    on_time = score(compute(ctx), Measure.ON_TIME)
    # 9, 10, 11 (worked), 13–16 October: 7, on time; 11 (worked), 13–17, 20, 21 October: 8, late.
    assert (on_time.numerator, on_time.denominator) == (1, 2)
    assert on_time.detail == {"avg_working_days": (7 + 8) / 2}
    late = {r.decision_no for r in MEASURES[Measure.ON_TIME].rows(kind="penalty", ctx=ctx)}
    assert late == {over_the_saturday.decision_no}
    assert over_the_holiday.decision_no not in late


def test_an_empty_calendar_is_loaded_before_timeliness_is_measured():
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    penalty("amr", credit_code(1), decided_on=dt.date(2025, 9, 30), arrived=local(2025, 10, 16, 9, 0))
    on_time = score(compute(Context.make(now=local(2025, 10, 24, 10, 0))), Measure.ON_TIME)
    assert (on_time.numerator, on_time.denominator, on_time.detail) == (1, 1, {"avg_working_days": 7})
    assert CalendarYear.objects.filter(year=2025, source="package").exists()


def test_consistency_finds_shared_numbers_and_contradictory_lifecycles():
    subject = credit_code(1)
    twin = penalty("amr", subject, decision_no="兰罚〔2024〕900号")
    twin_elsewhere = penalty("eco", subject, decision_no="兰罚〔2024〕900号")  # same subject and number, other authority
    shared_a = penalty("amr", credit_code(2), decision_no="兰罚〔2024〕901号")
    shared_b = penalty("amr", credit_code(3), decision_no="兰罚〔2024〕901号")  # same authority and number, other subject
    penalty("eco", credit_code(4), decision_no="兰罚〔2024〕901号")  # same number from another authority: fine
    still_active = penalty("amr", credit_code(5), revoked_on=dt.date(2024, 3, 20))
    undated = penalty("amr", credit_code(6), status=RecordStatus.REVOKED)
    penalty("amr", credit_code(7), status=RecordStatus.REVOKED, revoked_on=dt.date(2024, 3, 20))
    overdue = listing("court-intermediate", credit_code(1), removed_on=dt.date(2024, 3, 1))
    listing("court-intermediate", credit_code(2), removed_on=dt.date(2024, 3, 1), status=RecordStatus.REMOVED)
    listing("court-intermediate", credit_code(3), removed_on=dt.date(2024, 4, 30))  # removal still ahead
    listing("court-intermediate", credit_code(4))
    everyone = scores()

    for found in (everyone, scores("amr")):  # a department alone sees numbers shared with other departments
        other_authority = score(found, Measure.SAME_NUMBER_OTHER_AUTHORITY)
        assert (other_authority.numerator, other_authority.denominator) == (1, 6)
        other_subject = score(found, Measure.SAME_NUMBER_OTHER_SUBJECT)
        assert (other_subject.numerator, other_subject.denominator) == (2, 6)
        revoked = score(found, Measure.REVOKED_INCONSISTENT)
        assert (revoked.numerator, revoked.denominator) == (2, 6)
    assert failing(Measure.SAME_NUMBER_OTHER_AUTHORITY) == {twin.decision_no}
    assert failing(Measure.SAME_NUMBER_OTHER_AUTHORITY, "eco") == {twin_elsewhere.decision_no}
    eco = score(everyone, Measure.SAME_NUMBER_OTHER_SUBJECT, "eco")
    assert (eco.numerator, eco.denominator) == (0, 2)
    assert {r.pk for r in MEASURES[Measure.SAME_NUMBER_OTHER_SUBJECT].rows(kind="penalty", department=shared_a.department)} \
        == {shared_a.pk, shared_b.pk}
    assert failing(Measure.REVOKED_INCONSISTENT) == {still_active.decision_no, undated.decision_no}

    overdue_score = score(everyone, Measure.REMOVAL_OVERDUE, "court-intermediate", "listing")
    assert (overdue_score.numerator, overdue_score.denominator) == (1, 3)
    assert failing(Measure.REMOVAL_OVERDUE, "court-intermediate", "listing") == {overdue.natural_number}


def test_silent_departments_and_domains():
    penalty("amr", credit_code(1))
    penalty("amr", credit_code(2), domain_id="intellectual-property")  # 市场监管 also files 知识产权 cases
    penalty("sci", credit_code(3), arrived=local(2024, 1, 10, 9, 0))  # only long ago
    old = penalty("eco", credit_code(4), arrived=local(2024, 1, 10, 9, 0))
    type(old).objects.filter(pk=old.pk).update(updated_at=local(2024, 3, 25, 9, 0))  # but corrected lately
    batch("tax", read=10, rejected=0)  # sent a file, nothing in it new
    batch("edu", read=0, rejected=0)  # an empty file is not a submission
    batch("edu", read=5, rejected=0, status=ImportBatch.Status.DRY_RUN)  # nor is a dry run
    found = scores()
    platform = scores(platform=True)

    silent = {s.department_id: s for s in found if s.measure == Measure.SILENT_DEPARTMENT}
    by_code = {d.code: d.pk for d in Department.objects.all()}
    assert {code: silent[by_code[code]].numerator for code in ("amr", "tax", "eco", "sci", "edu")} == {
        "amr": 0, "tax": 0, "eco": 0, "sci": 1, "edu": 1}
    assert sum(s.numerator for s in silent.values()) == Department.objects.filter(is_active=True).count() - 3
    assert silent[by_code["sci"]].detail == {"last_sent": local(2024, 1, 10, 9, 0).isoformat()}
    assert silent[by_code["edu"]].domain_id == "education"

    domains = {s.domain_id: s for s in platform if s.measure == Measure.SILENT_DOMAIN}
    assert len(domains) == 38
    assert {code for code, s in domains.items() if not s.numerator} == {
        "market-regulation", "intellectual-property", "taxation", "ecology-environment"}
    assert domains["education"].detail["departments"] == ["edu"]
    assert [d.code for d in rows_for(domains["science-technology"], now=NOW)] == ["sci"]
    assert list(rows_for(domains["market-regulation"], now=NOW)) == [
        Department.objects.get(code=c) for c in ("amr-chengguan", "amr-qilihe", "amr-xinqu")]  # amr sent, they didn't
    assert [d.code for d in rows_for(silent[by_code["edu"]], now=NOW)] == ["edu"]
    assert list(rows_for(silent[by_code["amr"]], now=NOW)) == []


def test_rejection_rate_per_department_and_kind_over_the_window():
    refused = batch("tax", read=10, rejected=3)
    batch("tax", read=10, rejected=0)
    batch("tax", read=100, rejected=50, started=local(2024, 2, 1, 9, 0))  # before the window
    batch("tax", read=10, rejected=10, status=ImportBatch.Status.DRY_RUN)
    batch("tax", read=0, rejected=0, status=ImportBatch.Status.FAILED)
    batch("tax", read=5, rejected=5, kind="licence")
    unattributed = batch(None, read=4, rejected=1)
    found = scores()

    penalties = score(found, Measure.REJECTION_RATE, "tax")
    assert (penalties.numerator, penalties.denominator, penalties.value) == (3, 20, 0.15)
    assert penalties.detail == {"batches": 2, "batches_with_rejections": 1}
    licences = score(found, Measure.REJECTION_RATE, "tax", "licence")
    assert (licences.numerator, licences.denominator) == (5, 5)
    assert [b.pk for b in rows_for(penalties, now=NOW)] == [refused.pk]
    nobody = score(scores(platform=True), Measure.REJECTION_RATE, None)
    assert (nobody.numerator, nobody.denominator) == (1, 4)
    assert [b.pk for b in rows_for(nobody, now=NOW)] == [unattributed.pk]


def test_scores_are_split_by_domain_and_kind():
    penalty("amr", credit_code(1))
    penalty("amr", credit_code(2), domain_id="intellectual-property", publish_until=None)
    licence("amr", credit_code(3))
    found = scores("amr")
    market = score(found, Measure.RECOMMENDED_FILLED, domain="market-regulation")
    ip = score(found, Measure.RECOMMENDED_FILLED, domain="intellectual-property")
    assert (market.numerator, market.denominator, ip.numerator, ip.denominator) == (4, 4, 3, 4)
    assert score(found, Measure.RECOMMENDED_FILLED, kind="licence").denominator == 6
    assert not [s for s in found if s.kind == "listing"]  # no listings, no listing scores
    ip_rows = MEASURES[Measure.RECOMMENDED_FILLED].rows(kind="penalty", department=market.department,
                                                       domain="intellectual-property")
    assert [r.domain_id for r in ip_rows] == ["intellectual-property"]


def test_every_figure_counts_exactly_the_rows_it_links_to():
    entity(credit_code(1), "兰州甲商贸有限公司")
    penalty("amr", credit_code(1), "兰州甲商贸有限公司")
    penalty("amr", credit_code(1), "兰州甲贸易公司", facts="", legal_rep="", publish_until=DECIDED - dt.timedelta(days=1))
    penalty("amr", credit_code(2), decision_no="兰罚〔2024〕901号", categories="罚没", fine_wan="-2",
            arrived=local(2024, 3, 28, 9, 0))
    penalty("amr", credit_code(3), decision_no="兰罚〔2024〕901号", revoked_on=DECIDED)
    penalty("eco", credit_code(3), decision_no="兰罚〔2024〕901号")
    licence("eco", credit_code(4), valid_to=DECIDED - dt.timedelta(days=1), licence_no="")
    listing("court-intermediate", credit_code(5), removed_on=dt.date(2024, 3, 1), case_no="")
    found = [s for s in scores() if isinstance(MEASURES[s.measure], RecordMeasure)]
    assert {s.measure for s in found if s.numerator and MEASURES[s.measure].better == "lower"} >= {
        Measure.NAME_MISMATCH, Measure.DATES_OUT_OF_ORDER, Measure.UNKNOWN_CATEGORY, Measure.AMOUNT_OUT_OF_RANGE,
        Measure.SAME_NUMBER_OTHER_AUTHORITY, Measure.SAME_NUMBER_OTHER_SUBJECT, Measure.REVOKED_INCONSISTENT,
        Measure.REMOVAL_OVERDUE, Measure.NOT_IN_REGISTER}
    for s in found:
        linked = rows_for(s, now=NOW).count()
        if isinstance(MEASURES[s.measure], CompletenessMeasure):
            assert linked == s.detail["rows"], s  # rows with a gap; the figure counts cells
        elif MEASURES[s.measure].better == "higher":
            assert linked == s.denominator - s.numerator, s
        else:
            assert linked == s.numerator, s
