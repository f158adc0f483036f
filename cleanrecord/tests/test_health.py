"""/readyz names each check that fails — the calendar, a storage folder — and passes again once it is mended.
(The signing key's and the database's failures are tried in cleanrecord/reports/tests/test_signing_keys.py.)"""

import pytest
from django.utils import timezone

from cleanrecord.lib.metricsdir import VARIABLE
from cleanrecord.workdays.models import CalendarYear
from cleanrecord.workdays.services import forget


@pytest.mark.django_db
def test_readiness_fails_while_the_calendar_does_not_cover_this_year(client):
    year = timezone.localdate().year
    CalendarYear.objects.filter(year=year).delete()
    forget()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["calendar"]
    CalendarYear.objects.create(year=year, source=CalendarYear.Source.OFFICE)  # the office entered it
    forget()
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("setting", ["TEMP_DIR", "IMPORT_DIR", "EVIDENCE_DIR"])
def test_readiness_fails_when_a_storage_folder_cannot_be_written(client, settings, tmp_path, setting):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where a folder should be")
    settings.CLEANRECORD = {**settings.CLEANRECORD, setting: str(blocked)}

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["data_dirs"]


@pytest.mark.django_db
def test_under_gunicorn_the_shared_metrics_folder_is_checked_too(client, tmp_path, monkeypatch):
    blocked = tmp_path / "metrics"
    blocked.write_text("not a folder")
    monkeypatch.setenv(VARIABLE, str(blocked))
    assert client.get("/readyz").json()["failing"] == ["data_dirs"]
    blocked.unlink()
    assert client.get("/readyz").status_code == 200
