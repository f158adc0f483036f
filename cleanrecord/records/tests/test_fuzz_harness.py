"""The fuzz harness (`make fuzz`, cleanrecord/testing/fuzz.py): its cases are reproducible, its PDF
mutations are the structures they claim to be, and its runner tells a crash from a refusal."""

import io
import random
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from cleanrecord.testing import fuzz

from .helpers import PENALTY_HEADERS, penalty, penalty_csv, write_xlsx


@pytest.fixture
def seeds(tmp_path):
    rows = [penalty(n) for n in range(1, 4)]
    return [
        {"path": str(penalty_csv(tmp_path / "p.csv", rows)), "kind": "penalty", "department": "amr", "format": "csv"},
        {"path": str(write_xlsx(tmp_path / "p.xlsx", PENALTY_HEADERS, rows)), "kind": "penalty", "department": "amr",
         "format": "xlsx"},
    ]


def test_a_case_is_the_same_for_the_same_seed_and_number(seeds):
    for case in range(30):
        first, second = fuzz.make_case("importer", 7, case, seeds), fuzz.make_case("importer", 7, case, seeds)
        assert first[1] == second[1] and first[2] == second[2]
    made = {fuzz.make_case("importer", 7, case, seeds)[1] for case in range(30)}
    assert len(made) > 20  # and different cases are different files


def test_every_mutation_of_a_department_file_gives_bytes(seeds):
    for seed in seeds:
        data = Path(seed["path"]).read_bytes()
        for i, mutation in enumerate(dict.fromkeys(fuzz.IMPORT_MUTATIONS[seed["format"]])):
            out = mutation(random.Random(i), data, seed)
            assert isinstance(out, bytes)


def _minimal_pdf() -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


@pytest.mark.pdf
def test_appended_updates_are_revisions_a_pdf_reader_sees():
    pdf = _minimal_pdf()
    assert PdfFileReader(io.BytesIO(pdf)).xrefs.total_revisions == 1
    changed = fuzz.pdf_changed_info(random.Random(1), pdf, {})
    reader = PdfFileReader(io.BytesIO(changed))
    assert reader.xrefs.total_revisions == 2 and changed.startswith(pdf)
    many = pdf
    for k in range(50):
        many = fuzz.append_update(many, [b"<< /Fuzz %d >>" % k])
    assert PdfFileReader(io.BytesIO(many)).xrefs.total_revisions == 51


def test_crashes_are_grouped_by_the_project_file_nearest_the_failure():
    tb = ('Traceback (most recent call last):\n  File "/x/cleanrecord/records/services.py", line 124, in import_file\n'
          '  File "/x/cleanrecord/records/importing/readers.py", line 252, in open_csv\n'
          '  File "<frozen codecs>", line 322, in decode\nUnicodeDecodeError: ...')
    assert fuzz._where(tb) == "cleanrecord/records/importing/readers.py"
    dump = ('memory allocation of 549755813888 bytes failed\nFatal Python error: Aborted\n\n'
            'Current thread 0x1 (most recent call first):\n'
            '  File "/x/cleanrecord/records/importing/readers.py", line 269 in open_workbook\n'
            '  File "/x/cleanrecord/records/services.py", line 221 in _load\n')
    assert fuzz._where(dump) == "cleanrecord/records/importing/readers.py"
    assert fuzz._last_words(dump) == "memory allocation of 549755813888 bytes failed"


@pytest.mark.django_db
def test_the_runner_counts_a_crash_a_refusal_and_an_import(seeds, tmp_path, monkeypatch):
    from cleanrecord.records.importing import rows

    runner = fuzz.Runner(tmp_path)
    csv_seed = seeds[0]
    data = Path(csv_seed["path"]).read_bytes()
    assert runner.run("importer", csv_seed, data, 1) == {
        "outcome": "accepted", "reason": "all rows accepted", "rows": 3, "rejected": 0}
    refused = runner.run("importer", csv_seed, b"\xff\xfe\xfd" * 10, 2)
    assert refused["outcome"] == "refused"

    def broken(self, row_no, cells):
        raise KeyError("a bug in the row parser")

    monkeypatch.setattr(rows.RowParser, "parse", broken)
    crashed = runner.run("importer", csv_seed, data, 3)
    assert crashed["outcome"] == "crash" and "导入过程中发生错误" in crashed["reason"]  # import_file's catch-all
    assert "KeyError: 'a bug in the row parser'" in crashed["traceback"]
    assert fuzz._where(crashed["traceback"]) == "cleanrecord/records/tests/test_fuzz_harness.py"
