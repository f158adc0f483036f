"""The demo data set has 行政强制 and 刑事 records: measures lifted and not, enforcements, and judgments of
every outcome a report must handle (a fine, 无罪, 免予刑事处罚, one set aside on retrial)."""

import io

import pytest
from django.core.management import call_command

from cleanrecord.demo.generate import COMPULSION_HEADER, DEMO_FILES, JUDGMENT_HEADER, write_demo_files
from cleanrecord.records.models import COMPULSION_CATEGORIES, Compulsion, ImportBatch, Judgment

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(tmp_path) -> str:
    out = io.StringIO()
    call_command("seed_demo", entities=40, seed=7, export_dir=tmp_path / "demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_compulsions_lifted_and_not(seeded, tmp_path):
    assert "行政强制 " in seeded and "刑事判决 " in seeded
    batch = ImportBatch.objects.get(kind="compulsion")
    assert (batch.status, batch.rows_rejected) == ("done", 0) and batch.rows_created == Compulsion.objects.count() >= 4
    lifted = Compulsion.objects.filter(current_state="已解除")
    assert lifted.exists() and all(c.lifted_on and c.decided_on < c.lifted_on for c in lifted)
    assert Compulsion.objects.filter(compulsion_type="measure", lifted_on=None, current_state="实施中").exists()
    for c in Compulsion.objects.all():
        assert set(c.category.split("；")) <= set(COMPULSION_CATEGORIES[c.compulsion_type])
        assert c.authority_code == c.department.credit_code and c.decision_no.endswith("号")
    assert (tmp_path / "demo" / DEMO_FILES["compulsion"]).read_text(encoding="utf-8-sig").startswith(
        ",".join(COMPULSION_HEADER))


def test_the_demo_has_judgments_of_every_outcome(seeded, tmp_path):
    judgments = Judgment.objects.all()
    assert ImportBatch.objects.get(kind="judgment").rows_rejected == 0
    assert {j.verdict for j in judgments} == {"guilty", "acquitted", "exempted"}
    assert judgments.filter(verdict="guilty", fine_wan__gt=0, set_aside_on=None).exists()
    set_aside = judgments.exclude(set_aside_on=None).get()
    assert set_aside.effective_on < set_aside.set_aside_on and set_aside.remarks == "经再审撤销原判"
    assert judgments.get(verdict="acquitted").fine_wan is None
    assert all(j.department.is_court and j.subject_category == "org" and "刑初" in j.case_no for j in judgments)
    assert all(j.judged_on <= j.effective_on for j in judgments)
    assert (tmp_path / "demo" / DEMO_FILES["judgment"]).read_text(encoding="utf-8-sig").startswith(",".join(JUDGMENT_HEADER))


def test_the_same_seed_writes_the_same_compulsion_and_judgment_files(tmp_path):
    import datetime as dt

    day = dt.date(2026, 5, 1)
    a = write_demo_files(tmp_path / "a", entities=60, seed=3, today=day)
    b = write_demo_files(tmp_path / "b", entities=60, seed=3, today=day)
    for kind in ("compulsion", "judgment"):
        assert a.paths[kind].read_bytes() == b.paths[kind].read_bytes()
        assert a.rows[kind] >= 4
