"""行政强制 and 刑事 files take the two-process path (importing/parallel.py) as penalties do, with the same
result as one process. PostgreSQL only: elsewhere the file is always loaded in one process."""

import pytest
from django.conf import settings
from django.db import transaction

from cleanrecord.records.importing import parallel
from cleanrecord.records.models import Compulsion, Judgment, RecordVersion

from .helpers import credit_code, run_import, write_csv
from .test_import_compulsions_judgments import QZ_CODES, XS_CODES, compulsion, judgment
from .test_import_parallel import split_files  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                       reason="files are split between processes on PostgreSQL only"),
]


def compulsions(n: int) -> list[dict]:
    rows = [compulsion(i, QZ_XDR_SHXYM=credit_code(f"91620100MA79Q{i:04d}"), QZ_WSH=f"兰市监强〔2025〕{i}号")
            for i in range(1, n + 1)]
    rows[3] = {**rows[3], "QZ_QZLB": "罚款"}  # refused, in the first half
    rows[-2] = {**rows[-2], "QZ_JCRQ": "2025-07-01", "QZ_ZT": "已解除"}  # in the second half
    return rows


def outcome(path, model, number: str, **options) -> dict:
    """Import `path`, note what it did, and undo it (the rollback also ends the locks of the staging table's DROP)."""
    with transaction.atomic():
        run = run_import(path, **options)
        result = {
            "created": run.batch.rows_created, "rejected": run.rejected(), "code": run.code,
            "records": sorted((getattr(r, number), r.subject_key, r.content_hash, r.version, r.status, str(r.lifted_on
                               if model is Compulsion else r.domain_id)) for r in model.objects.all()),
            "versions": sum(len(RecordVersion.history(r)) for r in model.objects.all()),
        }
        transaction.set_rollback(True)
    return result


def test_a_split_compulsion_file_gives_what_one_process_gives(tmp_path, monkeypatch, split_files):  # noqa: F811
    path = write_csv(tmp_path / "qz.csv", QZ_CODES, compulsions(160))
    monkeypatch.setattr(parallel, "MIN_BYTES", 1 << 60)
    one = outcome(path, Compulsion, "decision_no", kind="compulsion", department=None)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    two = outcome(path, Compulsion, "decision_no", kind="compulsion", department=None)

    assert len(split_files) == 1 and split_files[0].read > 0
    assert two == one
    assert (two["created"], two["versions"], two["rejected"][0][:2]) == (159, 159, ["5", "QZ_QZLB"])
    assert ("兰市监强〔2025〕159号", "2025-07-01") in {(r[0], r[5]) for r in two["records"]}


def test_a_split_judgment_file_keeps_judgments_without_a_domain(tmp_path, monkeypatch, split_files):  # noqa: F811
    rows = [judgment(i, XS_BGDWDM=credit_code(f"91620100MA79X{i:04d}"), XS_AH=f"（2025）甘01刑初{i}号",
                     XS_PJRQ="2025-03-01", XS_SXRQ="2025-03-16", LY="生态环境" if i % 2 else "")
            for i in range(1, 151)]
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    two = outcome(write_csv(tmp_path / "xs.csv", XS_CODES, rows), Judgment, "case_no", kind="judgment",
                  department="court-intermediate")

    assert len(split_files) == 1
    assert (two["code"], two["created"]) == (0, 150)
    assert sorted({r[5] for r in two["records"]}) == ["None", "ecology-environment"]
    assert sum(r[5] == "None" for r in two["records"]) == 75
