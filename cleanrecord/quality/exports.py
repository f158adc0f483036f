"""The rollout statistics (stats.rollout) and a department's scorecard as CSV and XLSX files."""

import io

from django.utils.translation import gettext as _

from cleanrecord.lib.spreadsheets import Workbook, csv_writer

from .export import _sheet, write_xlsx
from .stats import section_titles


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
