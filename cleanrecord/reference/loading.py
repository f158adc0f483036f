"""Load a reference data set (region.json, region_prefixes.csv, domains.csv, departments.csv) idempotently."""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext

from cleanrecord.lib.identifiers import PROVINCE_CODES

from . import regions
from .models import Department, Domain, Region, RegionPrefix

PREFIXES_FILE = "region_prefixes.csv"


class ReferenceDataError(Exception):
    pass


@dataclass
class Loaded:
    regions: int
    domains: int
    departments: int


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise ReferenceDataError(gettext("缺少参考数据文件：%(path)s") % {"path": path})
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def read_prefixes(path: Path, root: str, districts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The region's code prefixes with their notes, checked; the root's code trimmed of trailing "00"
    pairs when the folder has no such file (620100 → 6201)."""
    if not path.exists():
        return [(regions.trimmed(root), "")]
    name = path.name
    seen: dict[str, int] = {}
    out = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if "prefix" not in [(h or "").strip() for h in reader.fieldnames or []]:
            raise ReferenceDataError(gettext("%(file)s 第 1 行：缺少 prefix 列（每行一个行政区划代码前缀）") % {"file": name})
        for row in reader:
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            prefix, line = row["prefix"], reader.line_num
            where = {"file": name, "line": line, "prefix": prefix}
            if not (prefix.isascii() and prefix.isdigit() and len(prefix) in (2, 4, 6)):
                raise ReferenceDataError(gettext("%(file)s 第 %(line)s 行：前缀“%(prefix)s”应为 2、4 或 6 位数字"
                                                 "（省 2 位、市 4 位、县 6 位）") % where)
            if prefix[:2] not in PROVINCE_CODES:
                raise ReferenceDataError(gettext("%(file)s 第 %(line)s 行：前缀“%(prefix)s”的前两位不是省级行政区划代码")
                                         % where)
            if regions.trimmed(prefix) != prefix:
                raise ReferenceDataError(gettext("%(file)s 第 %(line)s 行：前缀“%(prefix)s”不应以 00 结尾：它只匹配 "
                                                 "%(code)s 这一个代码；指整个区划时写作 %(trimmed)s")
                                         % {**where, "code": prefix.ljust(6, "0"), "trimmed": regions.trimmed(prefix)})
            if prefix in seen:
                raise ReferenceDataError(gettext("%(file)s 第 %(line)s 行：前缀“%(prefix)s”重复（已见于第 %(seen)s 行）")
                                         % {**where, "seen": seen[prefix]})
            seen[prefix] = line
            out.append((prefix, row.get("name", "")))
    if not out:
        raise ReferenceDataError(gettext("%(file)s 没有列出任何前缀；不需要时删除该文件，本区域即为代码以 %(root)s "
                                         "开头的区划") % {"file": name, "root": regions.trimmed(root)})
    listed = tuple(seen)
    if not root.startswith(listed):
        raise ReferenceDataError(gettext("%(file)s：本区域的代码 %(root)s（region.json）不以所列任何前缀开头")
                                 % {"file": name, "root": root})
    for district, code in districts:
        if not code.startswith(listed):
            raise ReferenceDataError(gettext("%(file)s：region.json 所列的 %(district)s（%(code)s）不以所列任何前缀开头")
                                     % {"file": name, "district": district, "code": code})
    return out


# A yes in departments.csv's flag columns, matched against its cells.
YES_WORDS = ("1", "是", "true")


@transaction.atomic
def load_reference(folder: Path) -> Loaded:
    """Create or update the region, domains and departments described in `folder`.

    Running it twice changes nothing; rows are matched by their codes.
    """
    spec = json.loads((folder / "region.json").read_text(encoding="utf-8"))
    code = str(spec["code"])
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise ReferenceDataError(gettext("region.json：code“%(code)s”应为 6 位行政区划代码") % {"code": code})
    districts = spec.get("districts", [])
    prefixes = read_prefixes(folder / PREFIXES_FILE, code, [(d["name"], str(d["code"])) for d in districts])
    other = Region.objects.filter(parent=None).exclude(code=code).first()
    if other is not None:
        raise ReferenceDataError(gettext("数据库中已加载另一区域 %(other)s，与 region.json 的 %(code)s 不同："
                                         "一个平台只服务一个区域，更换区域请使用新的数据库") % {"other": other, "code": code})
    city, _ = Region.objects.update_or_create(code=code, defaults={"name": spec["name"], "parent": None, "order": 0})
    for i, d in enumerate(districts, start=1):
        Region.objects.update_or_create(code=d["code"], defaults={"name": d["name"], "parent": city, "order": i})
    RegionPrefix.objects.exclude(prefix__in=[p for p, _ in prefixes]).delete()
    for prefix, name in prefixes:
        RegionPrefix.objects.update_or_create(prefix=prefix, defaults={"name": name})
    regions.forget()
    transaction.on_commit(regions.forget)  # a read before commit may have cached the old region

    domains = _rows(folder / "domains.csv")
    for row in domains:
        Domain.objects.update_or_create(code=row["code"], defaults={"name": row["name"], "order": int(row["order"])})

    by_domain = Domain.objects.by_code_or_name()
    known = {r.code: r for r in Region.objects.all()}
    departments = _rows(folder / "departments.csv")
    for n, row in enumerate(departments, start=2):
        domain = by_domain.get(row["default_domain"])
        region = known.get(row["region"])
        if domain is None or region is None:
            raise ReferenceDataError(gettext("departments.csv 第 %(line)s 行：未知的领域或区划（%(domain)s / %(region)s）")
                                     % {"line": n, "domain": row["default_domain"], "region": row["region"]})
        Department.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "credit_code": row["credit_code"].upper(),
                "region": region,
                "default_domain": domain,
                "is_central_vertical": row.get("central_vertical", "") in YES_WORDS,
                "is_court": row.get("court", "") in YES_WORDS,
                # Optional column: a data set without it keeps every department to its own decisions.
                "may_send_for_others": row.get("send_for_others", "") in YES_WORDS,
            },
        )
    return Loaded(regions=len(known), domains=len(domains), departments=len(departments))
