"""Load a reference data set (region.json, domains.csv, departments.csv) idempotently."""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import Department, Domain, Region


class ReferenceDataError(Exception):
    pass


@dataclass
class Loaded:
    regions: int
    domains: int
    departments: int


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise ReferenceDataError(f"缺少参考数据文件：{path}")
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


@transaction.atomic
def load_reference(folder: Path) -> Loaded:
    """Create or update the region, domains and departments described in `folder`.

    Running it twice changes nothing; rows are matched by their codes.
    """
    spec = json.loads((folder / "region.json").read_text(encoding="utf-8"))
    city, _ = Region.objects.update_or_create(
        code=spec["code"], defaults={"name": spec["name"], "parent": None, "order": 0}
    )
    for i, d in enumerate(spec.get("districts", []), start=1):
        Region.objects.update_or_create(code=d["code"], defaults={"name": d["name"], "parent": city, "order": i})

    domains = _rows(folder / "domains.csv")
    for row in domains:
        Domain.objects.update_or_create(code=row["code"], defaults={"name": row["name"], "order": int(row["order"])})

    by_domain = Domain.objects.by_code_or_name()
    regions = {r.code: r for r in Region.objects.all()}
    departments = _rows(folder / "departments.csv")
    for n, row in enumerate(departments, start=2):
        domain = by_domain.get(row["default_domain"])
        region = regions.get(row["region"])
        if domain is None or region is None:
            raise ReferenceDataError(f"departments.csv 第 {n} 行：未知的领域或区划（{row['default_domain']} / {row['region']}）")
        Department.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "credit_code": row["credit_code"].upper(),
                "region": region,
                "default_domain": domain,
                "is_central_vertical": row.get("central_vertical", "") in ("1", "是", "true"),
                "is_court": row.get("court", "") in ("1", "是", "true"),
                # Optional column: a data set without it keeps every department to its own decisions.
                "may_send_for_others": row.get("send_for_others", "") in ("1", "是", "true"),
            },
        )
    return Loaded(regions=len(regions), domains=len(domains), departments=len(departments))
