"""Reference folders of other regions than the shipped city: a province, a county.

`other_region` replaces the session's region (兰州市) by a folder's inside the test's transaction, and
forgets the cached region at the end, so that the next test sees 兰州市 again.
"""

import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from cleanrecord.reference import regions
from cleanrecord.reference.loading import load_reference
from cleanrecord.reference.models import Department, Region, RegionPrefix

SHIPPED = Path(settings.BASE_DIR) / "cleanrecord/reference/data/lanzhou"
DEPARTMENT_COLUMNS = "code,name,credit_code,region,default_domain,central_vertical,court"

# 甘肃省 with two of its cities; no region_prefixes.csv: the region is every code starting with 62.
PROVINCE = {
    "region": {"code": "620000", "name": "甘肃省", "districts": [{"code": "620100", "name": "兰州市"},
                                                               {"code": "620200", "name": "嘉峪关市"}]},
    "departments": [
        "amr,甘肃省市场监督管理局,11620000MB00000010,620000,market-regulation,0,0",
        "court-intermediate,兰州市中级人民法院,12620100MB0000001N,620100,court-enforcement,0,1",
    ],
    "prefixes": None,
}
# 城关区 alone, its code given as the one prefix.
COUNTY = {
    "region": {"code": "620102", "name": "城关区", "districts": []},
    "departments": [
        "amr,兰州市城关区市场监督管理局,11620102MB00000016,620102,market-regulation,0,0",
        "court-intermediate,兰州市城关区人民法院,12620102MB0000002N,620102,court-enforcement,0,1",
    ],
    "prefixes": "prefix,name\n620102,城关区\n",
}


def write_folder(folder: Path, spec: dict) -> Path:
    """A reference folder: region.json, the shipped domains.csv, departments.csv, region_prefixes.csv if any."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "region.json").write_text(json.dumps(spec["region"], ensure_ascii=False), encoding="utf-8")
    shutil.copy(SHIPPED / "domains.csv", folder / "domains.csv")
    (folder / "departments.csv").write_text("\n".join([DEPARTMENT_COLUMNS, *spec["departments"]]) + "\n",
                                            encoding="utf-8")
    if spec.get("prefixes") is not None:
        (folder / "region_prefixes.csv").write_text(spec["prefixes"], encoding="utf-8")
    return folder


def clear_region() -> None:
    """Delete the loaded departments, regions and prefixes (a platform serves one region)."""
    Department.objects.all().delete()
    RegionPrefix.objects.all().delete()
    Region.objects.exclude(parent=None).delete()
    Region.objects.all().delete()
    regions.forget()


@pytest.fixture
def other_region(db, tmp_path):
    """Call with PROVINCE, COUNTY or a spec of your own: that folder becomes the platform's region."""

    def load(spec: dict) -> Path:
        folder = write_folder(tmp_path / spec["region"]["code"], spec)
        clear_region()
        load_reference(folder)
        return folder

    yield load
    regions.forget()
