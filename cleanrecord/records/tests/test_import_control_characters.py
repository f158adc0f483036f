"""Control characters in a department file (found by `make fuzz`): NUL made PostgreSQL refuse the
staging COPY and the extra-columns JSON, and the whole import failed as a crash."""

import pytest

from cleanrecord.records.models import ImportBatch, Penalty

from .helpers import PENALTY_HEADERS, penalty, run_import, write_csv


@pytest.mark.django_db
def test_a_nul_or_other_control_character_refuses_its_row_with_a_reason_and_the_rest_is_imported(tmp_path):
    header = [*PENALTY_HEADERS, "内部备注"]
    rows = [
        {**penalty(1), "内部备注": "备\x00注"},
        penalty(2, **{"违法事实": "当事人\x00销售过期食品"}),
        penalty(3, **{"法定代表人": "张\x1b三"}),
        penalty(4, **{"行政处罚决定书文号": "兰市监罚\x00〔2024〕4号"}),
        penalty(5, **{"违法事实": "第一行\n第二行\t完"}),
    ]
    path = write_csv(tmp_path / "controls.csv", header, rows)
    run = run_import(path)
    assert run.code == 1 and run.batch.status == ImportBatch.Status.DONE
    assert (run.batch.rows_read, run.batch.rows_rejected) == (5, 3)
    assert sorted((row, column, reason) for row, column, _, _, reason in run.rejected()) == [
        ("3", "违法事实", "含有不可见的控制字符（U+0000），请删除后重新报送"),
        ("4", "法定代表人", "含有不可见的控制字符（U+001B），请删除后重新报送"),
        ("5", "行政处罚决定书文号", "含有不可见的控制字符（U+0000），请删除后重新报送"),
    ]
    kept = {p.decision_no: p for p in Penalty.objects.all()}
    assert set(kept) == {"兰市监罚〔2024〕1号", "兰市监罚〔2024〕5号"}
    assert kept["兰市监罚〔2024〕1号"].extra == {"内部备注": "备注"}
    assert kept["兰市监罚〔2024〕5号"].facts == "第一行\n第二行 完"
