"""What an import keeps in its process after it ends: nothing that grows with the files it has read (the task
worker imports file after file in one process)."""

import pytest

from cleanrecord.lib.identifiers import check_credit_code
from cleanrecord.records.models import Penalty

from .helpers import counts, penalty, penalty_csv, run_import

pytestmark = pytest.mark.django_db


def test_the_credit_code_check_forgets_a_files_codes_when_its_import_ends(tmp_path):
    path = penalty_csv(tmp_path / "p.csv", [penalty(n) for n in range(1, 6)])
    run = run_import(path)
    assert run.code == 0 and counts(run.batch)["created"] == 5
    assert Penalty.objects.count() == 5
    # Remembered within a file, where its codes repeat; across files it would hold every new entity's code.
    assert check_credit_code.cache_info().currsize == 0
