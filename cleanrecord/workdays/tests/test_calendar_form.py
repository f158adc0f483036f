"""The office's calendar upload as a form (issue 17, point 3): a bad year and a missing file named at once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cleanrecord.testing.forms import FormPage
from cleanrecord.workdays.models import CalendarDay, CalendarYear


@pytest.mark.django_db
def test_a_bad_year_a_long_note_and_no_file_are_all_named_and_nothing_is_stored(client, office_user):
    client.force_login(office_user)
    years, days = CalendarYear.objects.count(), CalendarDay.objects.count()
    response = client.post("/office/calendar/", {"year": "二〇二七", "note": "通" * 201})
    assert response.status_code == 400
    page = FormPage(response.content.decode())
    assert page.error_beside("id_year") == "年度应为四位数字，如 2027"
    assert page.error_beside("id_note") == "最多 200 字（现为 201 字）"
    assert page.error_beside("id_file") == "请选择日历文件（CSV）"
    assert page.summary().startswith("请修改以下 3 处问题后再提交")
    assert page.value("year") == "二〇二七"
    assert (CalendarYear.objects.count(), CalendarDay.objects.count()) == (years, days)


@pytest.mark.django_db
def test_a_file_not_in_utf8_is_named_beside_the_file_input(client, office_user):
    client.force_login(office_user)
    response = client.post("/office/calendar/", {
        "year": "2027", "file": SimpleUploadedFile("2027.csv", "2027-02-06,放假,春节\n".encode("gb18030"))})
    assert response.status_code == 400
    assert FormPage(response.content.decode()).error_beside("id_file") == "文件应为 UTF-8 编码的 CSV"
    assert not CalendarYear.objects.filter(year=2027).exists()
