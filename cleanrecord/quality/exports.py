"""The office's spreadsheets: the quality summary (services.summary) as a workbook it can send on, the
rollout statistics (stats.rollout) and a department's scorecard as CSV and XLSX files."""

import io
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _
from openpyxl.styles import Font

from cleanrecord.lib.spreadsheets import Workbook, csv_writer
from cleanrecord.records.models import KIND_LABELS

from .stats import section_titles


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


def write_xlsx(summary: dict, path: Path | str | IO[bytes]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    measures = [[d["code"], d["name"], m["dimension_label"], m["label"], m["numerator"], m["denominator"],
                 _share(m["value"]), m["threshold"], _("是") if m["below_threshold"] else "", m["to_fix"]]
                for d in summary["departments"] for m in d["measures"]]
    _sheet(wb, _("部门指标"), [_("部门代码"), _("部门"), _("维度"), _("指标"), _("分子"), _("分母"), _("比率"), _("阈值"),
                              _("未达标"), _("待整改数")], measures)
    parts = [[d["code"], d["name"], p["domain_name"] or "", str(KIND_LABELS.get(p["kind"], p["kind"])), m["label"],
              p["numerator"], p["denominator"], _share(p["value"]), p["as_of"]]
             for d in summary["departments"] for m in d["measures"] for p in m["parts"]]
    _sheet(wb, _("明细"), [_("部门代码"), _("部门"), _("领域"), _("数据类别"), _("指标"), _("分子"), _("分母"), _("比率"),
                         _("日期")], parts)
    domains = [[s["domain"], s["domain_name"], _("是") if s["numerator"] else _("否"), s["detail"].get("last_sent") or "",
                "、".join(s["detail"].get("departments", []))] for s in summary["domains"]]
    _sheet(wb, _("领域报送"), [_("领域代码"), _("领域"), _("近期无数据报送"), _("最近报送时间"), _("本领域部门")], domains)
    todo = [[s["department"] or "", s["department_name"] or "", s["domain_name"] or "", s["label"],
             _share(s["value"]), s["threshold"], s["count"], s["fix"]] for s in summary["below_threshold"]]
    _sheet(wb, _("待整改"), [_("部门代码"), _("部门"), _("领域"), _("指标"), _("当前值"), _("阈值"), _("待整改数"),
                          _("整改要求")], todo)
    wb.save(path)



def statistics_rows(data: dict) -> list[list]:
    """The statistics as (section, code, name, value) rows: one flat table for CSV and for a sheet."""
    rows: list[list] = [
        [_("总计"), "reports", _("出具报告数"), data["reports"]],
        [_("总计"), "certificates_replaced", _("替代证明数"), data["certificates_replaced"]],
    ]
    for section, title in section_titles().items():
        rows += [[title, r["key"], r["label"], r["count"]] for r in data[section]]
    rows += [[_("按渠道和结果核验次数"), f"{v['channel']}/{v['result']}", f"{v['channel_label']}/{v['result_label']}",
              v["count"]] for v in data["verifications"]]
    objections = data["objections"]
    rows += [[_("异议办理"), r["key"], r["label"], r["count"]] for r in objections["by_status"]]
    rows += [[_("异议办结结果"), r["key"], r["label"], r["count"]] for r in objections["by_decision"]]
    rows += [
        [_("异议办理"), "total", _("异议总数"), objections["total"]],
        [_("异议办理"), "closed", _("已办结（含不予受理）"), objections["closed"]],
        [_("异议办理"), "median_days", _("办结用时中位数（天）"), objections["median_days"]],
        [_("异议办理"), "average_days", _("办结平均用时（天）"), objections["average_days"]],
    ]
    return rows


def _header() -> list[str]:
    return [_("统计项"), _("代码"), _("名称"), _("数值")]


def statistics_csv(data: dict) -> bytes:
    """UTF-8 with a byte order mark, so that Excel opens the Chinese text as it is."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(_header())
    writer.writerows(["" if v is None else v for v in row] for row in statistics_rows(data))
    return out.getvalue().encode("utf-8-sig")


def statistics_xlsx(data: dict) -> bytes:
    """One sheet with every figure, and a sheet per breakdown for charting in Excel."""
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, _("全部指标"), _header(), statistics_rows(data))
    for section, title in section_titles().items():
        _sheet(wb, title, [_("代码"), _("名称"), _("数量")], [[r["key"], r["label"], r["count"]] for r in data[section]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def scorecard_xlsx(summary: dict) -> bytes:
    """A department's scorecard: the quality summary workbook (export.write_xlsx) of that department."""
    out = io.BytesIO()
    write_xlsx(summary, out)
    return out.getvalue()
