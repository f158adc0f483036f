"""The scale benchmark's bulk loader (bench/scale.py) writes rows that reports and verification treat exactly as
imported ones: a report issued for a loaded entity lists the loaded penalties its rules count, and verifies.
PostgreSQL only (the loader uses COPY): run with DATABASE_URL set to a PostgreSQL database."""

import pytest
from django.db import connection
from stdnum.cn import uscc

from bench import scale
from cleanrecord.entities.models import Entity
from cleanrecord.records.models import Penalty
from cleanrecord.reports import rules
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.snapshot import read_snapshot
from cleanrecord.verification.services import changes_since_issue, verify_code

pytestmark = [pytest.mark.pdf, pytest.mark.django_db]


@pytest.fixture
def loaded():
    if connection.vendor != "postgresql":
        pytest.skip("the bulk loader uses PostgreSQL's COPY")
    return scale.bulk_load(penalties=200, entities=50, rebuild_indexes=False)


def test_every_loaded_credit_code_is_valid_and_each_entity_is_registered_once():
    codes = {scale.credit_code(n, "620102") for n in range(2000)}
    assert len(codes) == 2000
    assert all(uscc.is_valid(code) for code in codes)


def test_a_report_for_a_loaded_entity_lists_its_loaded_penalties_and_verifies(loaded):
    assert (loaded["entities"], loaded["penalties"]) == (50, 200)
    assert Entity.objects.count() >= 50 and Penalty.objects.count() == 200
    # The entity with the most penalties: the loader's skew gives it several.
    code = max(set(Penalty.objects.values_list("subject_key", flat=True)),
               key=lambda key: Penalty.objects.filter(subject_key=key).count())
    assert Entity.objects.get(credit_code=code).from_register

    report = issue_report(credit_code=code, domains="all", purpose="finance")

    include_simple = rules.rules_in_force()["include_simple_procedure"]
    expected = {p.decision_no for p in Penalty.objects.filter(subject_key=code)
                if p.status == "active" and report.period_start <= p.decided_on <= report.period_end
                and (include_simple or p.procedure != "simple")}
    listed = {r["number"] for block in read_snapshot(report.snapshot)["details"] for r in block["records"]}
    assert expected and listed == expected
    assert report.records_found == len(expected)
    assert changes_since_issue(report) == []
    verification = verify_code(report.verification_code, channel="api", client="bench-scale-test")
    assert verification.result == "authentic" and verification.changes == []
