"""Find resident ID numbers stored in clear in columns that public pages, reports or search read.

Imports refuse an ID number as a code and keep a person's number encrypted; this finds what older
imports, hand edits or free text left behind. Exit status 1 when anything is found, so a scheduler
or CI notices; the values are printed masked.
"""

import sys
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext

from cleanrecord.lib.identifiers import find_id_numbers, mask_id_number, mask_id_numbers_in

# Tables whose text reaches the public (entity page, search, reports and their verification pages, the
# record history they are explained from). Models are named, not imported: reports sits above records.
SCANNED = ("entities.Entity", "records.Penalty", "records.Licence", "records.Listing", "records.Compulsion",
           "records.Judgment", "records.RecordVersion", "reports.Report")
PREFILTER = r"[0-9]{15}"
# Columns where 15 digits are an old registration or tax number: only an 18-character ID number counts.
OLD_NUMBER_COLUMNS = frozenset({"reg_no", "tax_no", "org_code", "institution_no", "social_org_no"})  # every ID number holds 15 digits in a row; the database drops the other rows


@dataclass(frozen=True)
class Finding:
    table: str
    pk: str
    column: str
    masked: str


def _columns(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
            and not f.attname.endswith(("_encrypted", "_masked"))]


def scan() -> Iterator[Finding]:
    for label in SCANNED:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for field in _columns(model):
            if isinstance(field, models.JSONField):
                qs = model.objects.annotate(_text=Cast(field.attname, models.TextField())).filter(_text__regex=PREFILTER)
                rows = qs.values_list("pk", "_text")
            else:
                rows = model.objects.filter(**{f"{field.attname}__regex": PREFILTER}).values_list("pk", field.attname)
            for pk, text in rows.order_by("pk").iterator(chunk_size=2000):
                for number in dict.fromkeys(find_id_numbers(str(text))):
                    if len(number) == 15 and field.attname in OLD_NUMBER_COLUMNS:
                        continue
                    # An entity keyed by an ID number has it as its primary key: that is masked too.
                    yield Finding(model._meta.db_table, mask_id_numbers_in(str(pk)), field.attname, mask_id_number(number))


class Command(BaseCommand):
    help = "查找以明文存放在公开字段（主体代码、名称、记录内容、报告快照）中的居民身份证号码；发现即以状态 1 退出。"

    def handle(self, *args, **options):
        found = 0
        for f in scan():
            found += 1
            self.stdout.write(f"{f.table}\t{f.pk}\t{f.column}\t{f.masked}")
        if found:
            self.stderr.write(gettext("发现 %(found)s 处明文居民身份证号码（已遮蔽显示）：请更正为统一社会信用代码，或作为证件号码加密保存") % {"found": found})
            sys.exit(1)
        self.stdout.write(gettext("未发现明文存放的居民身份证号码"))
