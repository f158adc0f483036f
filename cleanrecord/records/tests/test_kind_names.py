"""One set of kind names: RecordKind (and the register beside it) is where every page, refusal, file and
report reads them."""

import re
from pathlib import Path

from django.utils import translation

from cleanrecord.records.models import KIND_LABELS, RecordKind, kind_text

PACKAGE = Path(__file__).resolve().parents[2]


def test_each_kind_has_one_name():
    assert {k: str(v) for k, v in KIND_LABELS.items()} == {
        "penalty": "行政处罚", "licence": "行政许可", "listing": "严重失信主体名单", "compulsion": "行政强制",
        "judgment": "刑事判决", "register": "经营主体登记信息"}
    assert list(KIND_LABELS)[:len(RecordKind)] == list(RecordKind.values)


def test_the_frozen_text_is_the_source_text_whatever_language_is_active():
    with translation.override("en"):
        assert [kind_text(k) for k in ("penalty", "listing", "judgment")] == ["行政处罚", "严重失信主体名单", "刑事判决"]
        assert [kind_text(k, short=True) for k in ("penalty", "compulsion", "listing")] == [
            "行政处罚", "行政强制", "严重失信"]


def test_no_module_keeps_its_own_table_of_kind_names():
    own_table = re.compile(r"""["'](penalty|listing|compulsion|judgment|licence)["']\s*:\s*["'](行政|严重失信|刑事)""")
    found = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
             if "tests" not in path.parts and "migrations" not in path.parts and own_table.search(path.read_text())]
    assert found == []
