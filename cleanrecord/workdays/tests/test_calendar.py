"""Working days on the official calendar: holidays, make-up working days and years the office enters."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from cleanrecord.audit.models import AuditEntry
from cleanrecord.workdays import services
from cleanrecord.workdays.models import CalendarDay, CalendarYear

D = dt.date

# The State Council's 2027 notice is not in chinese-calendar 1.11.0: the office enters it. (Illustrative days.)
CALENDAR_2027 = """日期,类型,节日
2027-01-01,放假,元旦
2027-02-05,放假,春节
2027-02-06,放假,春节
2027-02-07,放假,春节
2027-02-08,放假,春节
2027-02-09,放假,春节
2027-02-10,放假,春节
2027-02-11,放假,春节
2027-02-12,放假,春节
2027-02-13,上班,春节
2027-10-01,放假,国庆节
"""


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "n", "due"), [
    # Spring Festival 2026: 15–23 February off; Saturdays 14 and 28 February worked.
    (D(2026, 2, 13), 1, D(2026, 2, 14)),   # Friday + 1: the make-up Saturday
    (D(2026, 2, 13), 2, D(2026, 2, 24)),   # then nine days off
    (D(2026, 2, 12), 5, D(2026, 2, 26)),
    (D(2026, 2, 25), 3, D(2026, 2, 28)),   # Wednesday + 3: Thursday, Friday, the worked Saturday
    # National Day and Mid-autumn 2025: 1–8 October off; Sunday 28 September and Saturday 11 October worked.
    (D(2025, 9, 26), 1, D(2025, 9, 28)),
    (D(2025, 9, 26), 5, D(2025, 10, 10)),
    (D(2025, 9, 30), 2, D(2025, 10, 10)),
    (D(2025, 10, 9), 2, D(2025, 10, 11)),
    (D(2025, 9, 30), 15, D(2025, 10, 28)),  # the hard cap of an objection filed on the eve of the holiday
    # An ordinary week: Friday + 1 is Monday.
    (D(2025, 11, 14), 1, D(2025, 11, 17)),
])
def test_deadlines_follow_the_official_calendar(start, n, due):
    assert services.add_working_days(start, n) == due


@pytest.mark.django_db
def test_counting_working_days_between_two_dates():
    assert services.working_days_between(D(2026, 2, 13), D(2026, 2, 13)) == 0
    assert services.working_days_between(D(2026, 2, 13), D(2026, 2, 27)) == 5  # 14, 24, 25, 26, 27
    assert services.working_days_between(D(2025, 9, 30), D(2025, 10, 8)) == 0
    assert services.working_days_between(D(2025, 10, 8), D(2025, 9, 30)) == 0
    assert services.working_days_between(D(2025, 10, 10), D(2025, 9, 30)) == -2
    assert not services.is_working_day(D(2026, 10, 1))
    assert services.is_working_day(D(2026, 10, 10))  # a Saturday worked for National Day 2026


@pytest.mark.django_db
def test_years_the_package_lacks_are_flagged_and_counted_monday_to_friday():
    assert 2026 in services.known_years() and 2027 not in services.known_years()
    assert services.missing_years([2026, 2027]) == [2027]
    assert "2027 年的法定节假日安排尚未录入" in services.calendar_warning(D(2026, 11, 26))
    assert services.calendar_warning(D(2026, 6, 1)) == ""  # next year's notice is not due before winter
    assert services.add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 8)  # Friday + 1 = Monday, for now


def _office() -> Client:
    user = User.objects.create_user("office")
    user.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_the_office_enters_a_year_and_deadlines_follow_it():
    response = _office().post("/office/calendar/", {
        "year": "2027", "note": "国务院办公厅关于2027年部分节假日安排的通知",
        "file": SimpleUploadedFile("2027.csv", CALENDAR_2027.encode("utf-8-sig"), "text/csv")}, follow=True)
    assert response.status_code == 200
    assert "2027 年工作日历已录入：放假 10 天，调休上班 1 天" in response.content.decode()
    assert CalendarYear.objects.get(year=2027).source == "office"
    assert services.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 13)  # the make-up Saturday
    assert services.add_working_days(D(2027, 2, 4), 2) == D(2027, 2, 15)
    assert services.missing_years([2027]) == []
    entry = AuditEntry.objects.get(action="workdays.set_year")
    assert entry.target == "calendar:2027" and entry.after["holidays"] == 10
    # The running offset that SQL reads: 2027's eight weekday holidays and one worked Saturday.
    end_2026 = CalendarDay.objects.filter(day__year=2026).order_by("-day").first().offset
    assert CalendarDay.objects.get(day=D(2027, 2, 13)).offset == end_2026 - 1 - 6 + 1  # 1 Jan; 5, 8–12 Feb; 13 Feb worked
    # Loading the package again does not overwrite the office's year.
    services.sync_package()
    assert CalendarYear.objects.get(year=2027).source == "office"


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "message"), [
    ("2027-02-05,放假,春节\n2027-13-01,放假,春节\n", "第 2 行：日期“2027-13-01”格式不正确"),
    ("2027-02-05,休假\n", "第 1 行：类型“休假”无法识别"),
    ("2027-02-05,放假\n2026-02-06,放假\n", "第 2 行：2026-02-06 不属于 2027 年"),
    ("2027-02-05,放假\n2027-02-05,放假\n", "2027-02-05 重复出现"),
    ("2027-02-05,放假\n2027-02-09,上班\n", "2027-02-09 是工作日（星期二），无需登记为调休上班"),
    ("2027-02-13,上班\n", "2027 年没有任何放假日期"),
])
def test_a_wrong_calendar_file_is_refused_and_changes_nothing(body, message):
    before = CalendarDay.objects.count()
    response = _office().post("/office/calendar/", {
        "year": "2027", "file": SimpleUploadedFile("2027.csv", body.encode(), "text/csv")})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert CalendarDay.objects.count() == before and not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_a_calendar_in_another_encoding_is_refused():
    response = _office().post("/office/calendar/", {
        "year": "2027", "file": SimpleUploadedFile("2027.csv", CALENDAR_2027.encode("gb18030"), "text/csv")})
    assert response.status_code == 400 and "文件应为 UTF-8 编码的 CSV" in response.content.decode()


@pytest.mark.django_db
def test_only_the_office_enters_the_calendar():
    clerk = Client()
    clerk.force_login(User.objects.create_user("clerk"))
    response = clerk.post("/office/calendar/", {
        "year": "2027", "file": SimpleUploadedFile("2027.csv", CALENDAR_2027.encode(), "text/csv")})
    assert response.status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_load_calendar_command(tmp_path):
    f = tmp_path / "2027.csv"
    f.write_text(CALENDAR_2027, encoding="utf-8")
    out = StringIO()
    call_command("load_calendar", str(f), "--year", "2027", stdout=out)
    assert "2027 年工作日历已录入：放假 10 天，调休上班 1 天" in out.getvalue()
    out = StringIO()
    call_command("load_calendar", stdout=out)
    assert "2027  信用办录入  放假 10 天，调休上班 1 天" in out.getvalue()
    assert "2026  chinese-calendar 软件包" in out.getvalue()
    with pytest.raises(CommandError, match="请用 --year 指明"):
        call_command("load_calendar", str(f))


@pytest.mark.django_db
def test_the_first_use_on_an_empty_calendar_loads_the_package():
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    services.forget()
    assert services.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert CalendarYear.objects.filter(source="package").count() >= 23
