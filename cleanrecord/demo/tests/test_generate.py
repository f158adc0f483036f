"""The streaming generator behind benchmark files and the demo's penalties."""

import csv
import io

import pytest
from django.utils import timezone

from cleanrecord.demo.generate import PENALTY_HEADER, Reference, _cell, make_subjects, write_penalty_csv
from cleanrecord.records.models import ImportBatch, Penalty
from cleanrecord.records.services import import_file

pytestmark = pytest.mark.django_db


def read_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_it_writes_rows_the_importer_accepts(tmp_path):
    path = tmp_path / "penalties.csv"

    assert write_penalty_csv(path, rows=1000, seed=3) == 1000

    header, *rows = read_rows(path)
    assert header == PENALTY_HEADER
    assert len(rows) == 1000
    assert all(len(r) == len(PENALTY_HEADER) for r in rows)
    batch = import_file(path=path, kind="penalty", channel=ImportBatch.Channel.CLI).batch
    assert (batch.status, batch.rows_read, batch.rows_created, batch.rows_rejected, batch.rows_warned) == (
        "done", 1000, 1000, 0, 0)
    assert Penalty.objects.count() == 1000


def test_a_benchmark_pool_starts_with_the_demo_entities():
    reference, today = Reference.from_db(), timezone.localdate()

    assert make_subjects(5, 30, reference, today)[:10] == make_subjects(5, 10, reference, today)


def test_lines_are_quoted_as_csv_writer_would(tmp_path):
    reference, today = Reference.from_db(), timezone.localdate()
    subjects = make_subjects(1, 3, reference, today)  # the first three have rare characters, quotes and a comma
    path = tmp_path / "special.csv"

    write_penalty_csv(path, 200, 1, reference=reference, subjects=subjects, today=today, hot_share=1.0)

    names = {row[0] for row in read_rows(path)[1:]}
    assert names == {s.name for s in subjects}
    for value in ('a "b", c', "行\r\n二", "plain", ""):
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow([value, "x"])
        assert _cell(value) + b",x\r\n" == out.getvalue().encode()
