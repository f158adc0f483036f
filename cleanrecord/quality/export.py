"""The quality summary (services.summary) as a workbook the office can send on."""

from pathlib import Path

from openpyxl.styles import Font

from cleanrecord.lib.spreadsheets import Workbook
from cleanrecord.records.models import KIND_LABELS


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    for i, name in enumerate(header):
        ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = max(10, min(60, 2 * len(name) + 4))


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def write_xlsx(summary: dict, path: Path | str) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    measures = [[d["code"], d["name"], m["dimension_label"], m["label"], m["numerator"], m["denominator"],
                 _share(m["value"]), m["threshold"], "是" if m["below_threshold"] else "", m["to_fix"]]
                for d in summary["departments"] for m in d["measures"]]
    _sheet(wb, "部门指标", ["部门代码", "部门", "维度", "指标", "分子", "分母", "比率", "阈值", "未达标", "待整改数"],
           measures)
    parts = [[d["code"], d["name"], p["domain_name"] or "", str(KIND_LABELS.get(p["kind"], p["kind"])), m["label"],
              p["numerator"], p["denominator"], _share(p["value"]), p["as_of"]]
             for d in summary["departments"] for m in d["measures"] for p in m["parts"]]
    _sheet(wb, "明细", ["部门代码", "部门", "领域", "数据类别", "指标", "分子", "分母", "比率", "日期"], parts)
    domains = [[s["domain"], s["domain_name"], "是" if s["numerator"] else "否", s["detail"].get("last_sent") or "",
                "、".join(s["detail"].get("departments", []))] for s in summary["domains"]]
    _sheet(wb, "领域报送", ["领域代码", "领域", "近期无数据报送", "最近报送时间", "本领域部门"], domains)
    todo = [[s["department"] or "", s["department_name"] or "", s["domain_name"] or "", s["label"],
             _share(s["value"]), s["threshold"], s["count"], s["fix"]] for s in summary["below_threshold"]]
    _sheet(wb, "待整改", ["部门代码", "部门", "领域", "指标", "当前值", "阈值", "待整改数", "整改要求"], todo)
    wb.save(path)
