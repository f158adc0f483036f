"""`manage.py quality_report`: recompute, then write the measures per department as JSON or XLSX."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from cleanrecord.quality.models import QualityScore

from .factories import credit_code, entity, penalty

pytestmark = pytest.mark.django_db


@pytest.fixture
def renamed():
    """amr: two penalties, one naming its subject otherwise than the register does."""
    entity(credit_code(1), "兰州甲商贸有限公司")
    entity(credit_code(2), "兰州乙商贸有限公司")
    penalty("amr", credit_code(1), "兰州甲商贸有限公司")
    penalty("amr", credit_code(2), "兰州乙贸易公司")


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("quality_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_every_departments_measures_as_json(renamed):
    out, err = run()
    data = json.loads(out)
    assert "已重新计算" in err
    departments = {d["code"]: d for d in data["departments"]}
    assert len(departments) == 46  # every active department, if only for its silence
    names = next(m for m in departments["amr"]["measures"] if m["measure"] == "name_mismatch")
    assert (names["numerator"], names["denominator"], names["value"], names["below_threshold"]) == (1, 2, 0.5, True)
    assert len(data["domains"]) == 38
    assert {"department": "amr", "measure": "name_mismatch", "count": 1}.items() <= next(
        s for s in data["below_threshold"] if s["department"] == "amr" and s["measure"] == "name_mismatch").items()


def test_it_writes_one_departments_workbook(renamed, tmp_path):
    path = tmp_path / "amr.xlsx"
    run("--department", "amr", "--format", "xlsx", "--out", str(path))
    book = load_workbook(path)
    assert book.sheetnames == ["部门指标", "明细", "领域报送", "待整改"]
    rows = list(book["部门指标"].iter_rows(values_only=True))
    assert rows[0] == ("部门代码", "部门", "维度", "指标", "分子", "分母", "比率", "阈值", "未达标", "待整改数")
    assert {r[0] for r in rows[1:]} == {"amr"}
    assert ("amr", "兰州市市场监督管理局", "准确性", "主体名称与登记库不符", 1, 2, 0.5, 0.01, "是", 1) in rows
    todo = list(book["待整改"].iter_rows(values_only=True))
    assert ("amr", "兰州市市场监督管理局", None, "主体名称与登记库不符", 0.5, 0.01, 1,
            "1 条记录的主体名称与登记库中该代码的名称不一致，请按登记名称更正") in todo
    assert QualityScore.objects.exclude(department__code="amr").exclude(department=None).count() == 0


def test_it_can_report_the_stored_scores_without_recomputing(renamed, tmp_path):
    path = tmp_path / "q.json"
    run("--no-recompute", "--out", str(path))
    assert json.loads(path.read_text(encoding="utf-8"))["departments"] == []
    assert not QualityScore.objects.exists()


def test_it_refuses_what_it_cannot_do():
    with pytest.raises(CommandError, match="--out"):
        run("--format", "xlsx")
    with pytest.raises(CommandError, match="未找到部门"):
        run("--department", "nowhere")
