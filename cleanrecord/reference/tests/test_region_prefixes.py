"""region_prefixes.csv: which administrative codes are of the region, checked when the folder is loaded."""

import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cleanrecord.reference import regions
from cleanrecord.reference.models import Region, RegionPrefix
from cleanrecord.testing.regions import COUNTY, PROVINCE, SHIPPED, other_region, write_folder  # noqa: F401


@pytest.mark.django_db
def test_the_shipped_city_is_every_code_starting_with_6201():
    assert list(RegionPrefix.objects.values_list("prefix", "name")) == [("6201", "兰州市（含兰州新区）")]
    assert regions.prefixes() == ("6201",)
    assert regions.contains("620171") and regions.contains("620100")
    assert not regions.contains("620200") and not regions.contains("") and not regions.contains("62")


@pytest.mark.django_db
def test_a_province_without_the_file_is_its_code_trimmed_of_trailing_zero_pairs(other_region):  # noqa: F811
    other_region(PROVINCE)
    assert regions.root().name == "甘肃省"
    assert list(RegionPrefix.objects.values_list("prefix", flat=True)) == ["62"]
    assert regions.contains("620200") and regions.contains("620000") and not regions.contains("610100")


@pytest.mark.django_db
def test_a_county_is_its_six_digit_code(other_region):  # noqa: F811
    other_region(COUNTY)
    assert regions.prefixes() == ("620102",)
    assert regions.contains("620102") and not regions.contains("620103") and not regions.contains("620100")


@pytest.mark.django_db
def test_a_city_whose_codes_changed_lists_several_prefixes_and_reloading_replaces_the_set(other_region):  # noqa: F811
    # 济南市 took in 莱芜市 (3712) in 2019: records still carry the old codes.
    spec = {"region": {"code": "370100", "name": "济南市", "districts": [{"code": "371202", "name": "莱芜区"}]},
            "departments": ["amr,济南市市场监督管理局,11370100MB00000010,370100,market-regulation,0,0"],
            "prefixes": "prefix,name\n3701,济南市\n3712,原莱芜市\n"}
    folder = other_region(spec)
    assert regions.contains("371202") and regions.contains("370102") and not regions.contains("371300")

    (folder / "region_prefixes.csv").write_text("prefix\n3701\n371202\n", encoding="utf-8")
    call_command("load_reference", dir=folder, verbosity=0)
    assert list(RegionPrefix.objects.values_list("prefix", flat=True)) == ["3701", "371202"]
    assert regions.prefixes() == ("371202", "3701")


def shipped_with(tmp_path, prefixes: str):
    """The shipped 兰州市 folder with another region_prefixes.csv."""
    folder = tmp_path / "lanzhou"
    shutil.copytree(SHIPPED, folder)
    (folder / "region_prefixes.csv").write_text(prefixes, encoding="utf-8")
    return folder


@pytest.mark.django_db
@pytest.mark.parametrize(("prefixes", "message"), [
    ("prefix\n6201\n62A1\n", "region_prefixes.csv 第 3 行：前缀“62A1”应为 2、4 或 6 位数字（省 2 位、市 4 位、县 6 位）"),
    ("prefix\n62011\n", "region_prefixes.csv 第 2 行：前缀“62011”应为 2、4 或 6 位数字"),
    ("prefix\n6201\n9901\n", "region_prefixes.csv 第 3 行：前缀“9901”的前两位不是省级行政区划代码"),
    ("prefix\n620100\n", "region_prefixes.csv 第 2 行：前缀“620100”不应以 00 结尾：它只匹配 620100 这一个代码；"
                         "指整个区划时写作 6201"),
    ("prefix,name\n6201,兰州市\n\n6201,重复\n", "region_prefixes.csv 第 4 行：前缀“6201”重复（已见于第 2 行）"),
    ("code\n6201\n", "region_prefixes.csv 第 1 行：缺少 prefix 列"),
    ("prefix\n", "region_prefixes.csv 没有列出任何前缀；不需要时删除该文件，本区域即为代码以 6201 开头的区划"),
    ("prefix\n620102\n", "region_prefixes.csv：本区域的代码 620100（region.json）不以所列任何前缀开头"),
    ("prefix\n6201\n", None),
])
def test_a_wrong_prefix_file_is_refused_with_file_and_line_and_changes_nothing(tmp_path, prefixes, message):
    folder = shipped_with(tmp_path, prefixes)
    if message is None:  # the shipped file's content loads
        call_command("load_reference", dir=folder, verbosity=0)
        assert regions.prefixes() == ("6201",)
        return
    RegionPrefix.objects.create(prefix="620171", name="兰州新区")  # state before the attempt
    with pytest.raises(CommandError) as refused:
        call_command("load_reference", dir=folder, verbosity=0)
    assert message in str(refused.value)
    assert set(RegionPrefix.objects.values_list("prefix", flat=True)) == {"6201", "620171"}


@pytest.mark.django_db
def test_a_district_outside_the_prefixes_is_refused(tmp_path):
    folder = shipped_with(tmp_path, "prefix\n6201\n")
    spec = (folder / "region.json").read_text(encoding="utf-8").replace('"620171"', '"620271"')
    (folder / "region.json").write_text(spec, encoding="utf-8")
    with pytest.raises(CommandError, match="region_prefixes.csv：region.json 所列的 兰州新区（620271）不以所列任何前缀开头"):
        call_command("load_reference", dir=folder, verbosity=0)
    assert not Region.objects.filter(code="620271").exists()


@pytest.mark.django_db
def test_a_second_region_is_refused_on_a_database_that_serves_one(tmp_path):
    folder = write_folder(tmp_path / "province", PROVINCE)
    with pytest.raises(CommandError, match="数据库中已加载另一区域 兰州市（620100），与 region.json 的 620000 不同"):
        call_command("load_reference", dir=folder, verbosity=0)
    assert list(Region.objects.filter(parent=None).values_list("code", flat=True)) == ["620100"]
    assert not Region.objects.filter(code="620000").exists()
