"""Import profiles: a department's saved recipe for a file that does not fit the national layout.

A profile is a JSON spec with five optional parts, applied between the file's header and RowParser,
so the CLI, the web upload and the API share it:

    {"rename":    {"文件列名": "标准列名或列代码"},          # the --mapping format
     "constants": {"列入日期": "2024-01-01"},                 # fills the column's blank cells (or adds the column)
     "translate": {"主体类别": {"0": "法人及非法人组织"}},    # a cell equal to a key becomes its value
     "split":     {"处罚类别": ["|", "+"]},                   # these separators become the parser's "；"
     "ignore":    ["内部编号"]}                               # file columns nobody reads

Keys of constants, translate and split name a standard column (its Chinese name, code or alias, or a
file column that `rename` binds to one). Every value a profile supplies is checked with the column's
own cell parser when the profile is saved, so a typo is refused then, not on 1,203 rows later.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cleanrecord.records.models import KIND_LABELS

from . import values
from .layouts import LAYOUTS, AliasIndex, Field, header_key
from .rows import MappingError, RowParser

PARTS = ("rename", "constants", "translate", "split", "ignore")
PART_LABELS = {"rename": gettext_lazy("列名对应（rename）"), "constants": gettext_lazy("固定值（constants）"),
               "translate": gettext_lazy("值转换（translate）"), "split": gettext_lazy("多值拆分（split）"),
               "ignore": gettext_lazy("忽略列（ignore）")}
MULTI_SEPARATOR = "；"  # what RowParser splits 处罚类别 on, and joins several columns of one field with
MAX_ENTRIES = 200  # per part: a profile is a recipe, not a data file
MAX_TEXT = 2000  # any one name or value


class ProfileError(MappingError):
    """A spec that cannot be applied; the message is Chinese and says where."""


@dataclass(frozen=True)
class Spec:
    rename: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)  # field name → raw value
    translate: dict[str, dict[str, str]] = field(default_factory=dict)  # field name → {from: to}
    split: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field name → separators
    ignore: frozenset[str] = frozenset()  # header keys


def _cell_parser(f: Field):
    if f.parser == "text":
        return lambda v: values.text(v, max_length=f.max_length)
    if f.parser == "code":
        return lambda v: values.code(v, max_length=f.max_length or 18)
    if f.parser == "amount":
        return values.amount
    if f.parser == "id":
        return values.id_number
    return getattr(values, f.parser)


def _str(value, where: str) -> str:
    if not isinstance(value, str):
        raise ProfileError(_("%(where)s应为文本（用英文双引号括起）") % {"where": where})
    if len(value) > MAX_TEXT:
        raise ProfileError(_("%(where)s过长（最多 %(most)s 字）") % {"where": where, "most": MAX_TEXT})
    return value


def _object(spec: dict, part: str) -> dict:
    value = spec.get(part, {})
    if not isinstance(value, dict):
        raise ProfileError(_("%(part)s应为 JSON 对象：{\"列名\": …}") % {"part": PART_LABELS[part]})
    if len(value) > MAX_ENTRIES:
        raise ProfileError(_("%(part)s条目过多（最多 %(most)s 条）") % {"part": PART_LABELS[part], "most": MAX_ENTRIES})
    return value


def parse_spec(kind: str, spec) -> Spec:
    """Check a spec strictly for `kind` and return it resolved to fields; ProfileError says what is wrong."""
    if kind not in LAYOUTS:
        raise ProfileError(_("数据类别应为 %(kinds)s 之一") % {"kinds": "、".join(LAYOUTS)})
    if not isinstance(spec, dict):
        raise ProfileError(_("导入方案应为 JSON 对象，如 {\"rename\": {…}, \"constants\": {…}}"))
    unknown = [k for k in spec if k not in PARTS]
    if unknown:
        raise ProfileError(_("导入方案中有无法识别的部分“%(parts)s”（可用：%(known)s）")
                           % {"parts": "、".join(map(str, unknown)), "known": "、".join(PARTS)})
    index = AliasIndex.for_kind(kind)
    rename: dict[str, str] = {}
    renamed: dict[str, Field] = {}
    for source, target in _object(spec, "rename").items():
        where = _("%(part)s中“%(name)s”") % {"part": PART_LABELS["rename"], "name": source}
        _str(target, _("%(where)s对应的标准列名") % {"where": where})
        if not header_key(source):
            raise ProfileError(_("%(part)s中有空的文件列名") % {"part": PART_LABELS["rename"]})
        f = index.match(target)
        if f is None:
            raise ProfileError(_("%(where)s对应的“%(target)s”不是%(kind)s的标准列名或列代码")
                               % {"where": where, "target": target, "kind": KIND_LABELS[kind]})
        rename[source] = target
        renamed[header_key(source)] = f

    def column(name: str, part: str) -> Field:
        f = index.match(name) or renamed.get(header_key(name))
        if f is None:
            raise ProfileError(_("%(part)s中的“%(name)s”不是%(kind)s的标准列名，也不是“列名对应”中的文件列名")
                               % {"part": PART_LABELS[part], "name": name, "kind": KIND_LABELS[kind]})
        return f

    constants: dict[str, str] = {}
    for name, value in _object(spec, "constants").items():
        f = column(name, "constants")
        where = _("%(part)s中“%(name)s”的值") % {"part": PART_LABELS["constants"], "name": name}
        value = _str(value, where)
        if not value.strip():
            raise ProfileError(_("%(where)s为空") % {"where": where})
        _check_value(f, value, where)
        if f.name in constants:
            raise ProfileError(_("%(part)s中“%(name)s”与另一项指向同一列（%(column)s）")
                               % {"part": PART_LABELS["constants"], "name": name, "column": f.label})
        constants[f.name] = value
    translate: dict[str, dict[str, str]] = {}
    for name, table in _object(spec, "translate").items():
        f = column(name, "translate")
        if not isinstance(table, dict) or not table:
            raise ProfileError(_("%(part)s中“%(name)s”应为非空 JSON 对象：{\"原值\": \"新值\"}")
                               % {"part": PART_LABELS["translate"], "name": name})
        if len(table) > MAX_ENTRIES:
            raise ProfileError(_("%(part)s中“%(name)s”条目过多（最多 %(most)s 条）")
                               % {"part": PART_LABELS["translate"], "name": name, "most": MAX_ENTRIES})
        resolved = {}
        for old, new in table.items():
            where = _("%(part)s中“%(name)s”的“%(old)s”") % {"part": PART_LABELS["translate"], "name": name, "old": old}
            new = _str(new, _("%(where)s的新值") % {"where": where})
            _check_value(f, new, where + "→")
            resolved[old.strip()] = new
        translate.setdefault(f.name, {}).update(resolved)
    split: dict[str, tuple[str, ...]] = {}
    for name, seps in _object(spec, "split").items():
        f = column(name, "split")
        where = _("%(part)s中“%(name)s”") % {"part": PART_LABELS["split"], "name": name}
        if isinstance(seps, str):
            seps = [seps]
        if not isinstance(seps, list) or not seps or not all(isinstance(s, str) and s for s in seps):
            raise ProfileError(_("%(where)s应为分隔符列表，如 [\"|\", \"+\"]") % {"where": where})
        if f.parser not in ("text",):
            raise ProfileError(_("%(where)s：%(column)s一栏只能有一个值，不能拆分") % {"where": where, "column": f.label})
        split[f.name] = tuple(s[:10] for s in seps[:20])
    ignore = spec.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(h, str) and header_key(h) for h in ignore):
        raise ProfileError(_("%(part)s应为文件列名的列表，如 [\"内部编号\"]") % {"part": PART_LABELS["ignore"]})
    if len(ignore) > MAX_ENTRIES:
        raise ProfileError(_("%(part)s条目过多（最多 %(most)s 条）") % {"part": PART_LABELS["ignore"], "most": MAX_ENTRIES})
    both = [h for h in ignore if h in rename]
    if both:
        raise ProfileError(_("“%(name)s”既在“列名对应”中又在“忽略列”中") % {"name": both[0]})
    return Spec(rename, constants, translate, split, frozenset(header_key(h) for h in ignore))


def _check_value(f: Field, value: str, where: str) -> None:
    try:
        _cell_parser(f)(value)
    except ValueError as e:
        raise ProfileError(_("%(where)s“%(value)s”不是有效的%(column)s：%(error)s")
                           % {"where": where, "value": value, "column": f.label, "error": e}) from e


_SPACES = re.compile(r"\s+")


class Applied:
    """A profile bound to one file's header: the header and mapping RowParser sees, and per row the cells.

    Built in two steps around RowParser, since only its bindings tell which column feeds which field:
    `header_for_parser()` first (ignored columns blanked), then `bind(parser)` (constants for fields no
    column feeds become extra columns at the end, `parser_header()` then gives the final header).
    """

    def __init__(self, spec: Spec, header: list, mapping: dict[str, str] | None = None):
        self.spec = spec
        self.header = [str(h) if h is not None else "" for h in header]
        self.mapping = {**spec.rename, **(mapping or {})}
        self.ignored = [h for h in self.header if h.strip() and header_key(h) in spec.ignore]
        self._blanked = ["" if h.strip() and header_key(h) in spec.ignore else h for h in self.header]
        self._appended: list[tuple[str, str]] = []  # (header, value)
        self._fill: list[tuple[int, str, str]] = []  # (column, field name, value) for blank cells
        self._translate: list[tuple[int, str, dict[str, str]]] = []
        self._split: list[tuple[int, re.Pattern]] = []
        self.filled: Counter = Counter()  # field name → rows filled by a constant
        self.translated: Counter = Counter()  # (field name, from, to) → cells

    def header_for_parser(self) -> list[str]:
        return self._blanked + [h for h, _ in self._appended]

    def bind(self, parser, labels: dict[str, str]) -> bool:
        """Bind to a RowParser built on header_for_parser(); True when columns were appended and the
        parser must be built again on the new header."""
        by_field: dict[str, list[int]] = {}
        for b in parser.bindings:
            by_field.setdefault(b.field.name, []).append(b.index)
        width = len(self._blanked)
        if not self._appended:
            for name, value in self.spec.constants.items():
                if name not in by_field:
                    self._appended.append((labels[name], value))
            if self._appended:
                for h, _ in self._appended:  # an appended column binds to its field whatever the file's aliases
                    self.mapping[h] = h
                return True
        self._fill = [(i, name, value) for name, value in self.spec.constants.items()
                      for i in by_field.get(name, [])[:1] if i < width]
        self._const_cells = [(width + n, self._appended[n][1], name) for n, name in enumerate(
            [name for name in self.spec.constants if not any(i < width for i in by_field.get(name, []))])]
        self._translate = [(i, name, table) for name, table in self.spec.translate.items() for i in by_field.get(name, [])]
        self._split = [(i, re.compile("|".join(re.escape(s) for s in seps)))
                       for name, seps in self.spec.split.items() for i in by_field.get(name, [])]
        self._width = width + len(self._appended)
        return False

    def cells(self, cells: list) -> list:
        cells = list(cells)
        n = len(cells)
        if n < self._width:
            cells.extend([None] * (self._width - n))
        for i, value, name in self._const_cells:
            cells[i] = value
            self.filled[name] += 1
        for i, name, value in self._fill:
            if values.as_text(cells[i]).strip() == "":
                cells[i] = value
                self.filled[name] += 1
        for i, name, table in self._translate:
            old = values.as_text(cells[i]).strip()
            new = table.get(old)
            if new is not None:
                cells[i] = new
                self.translated[name, old, new] += 1
        for i, pattern in self._split:
            cell = cells[i]
            if isinstance(cell, str) and cell:
                cells[i] = MULTI_SEPARATOR.join(p.strip() for p in pattern.split(cell) if p.strip())
        return cells

    def summary(self, labels: dict[str, str]) -> str:
        """What the profile put in: "由方案填入：列入日期=2024-01-01（1,203 行）；…"."""
        parts = [_("%(column)s=%(value)s（%(rows)s 行）") % {"column": labels.get(name, name),
                                                            "value": self.spec.constants[name], "rows": f"{n:,}"}
                 for name, n in self.filled.items()]
        parts += [_("%(column)s：%(old)s→%(new)s（%(rows)s 行）") % {"column": labels.get(name, name), "old": old, "new": new,
                                                                 "rows": f"{n:,}"}
                  for (name, old, new), n in sorted(self.translated.items())]
        return _("由方案填入：%(parts)s") % {"parts": "；".join(parts)} if parts else ""


class ProfiledParser:
    """A RowParser behind a profile: each row's cells pass through the profile first."""

    def __init__(self, make_parser, spec: Spec, header: list, mapping: dict[str, str] | None = None):
        self.applied = Applied(spec, header, mapping)
        self.parser = make_parser(self.applied.header_for_parser(), self.applied.mapping)
        labels = {f.name: f.label for f in LAYOUTS[self.parser.kind]}
        if self.applied.bind(self.parser, labels):
            self.parser = make_parser(self.applied.header_for_parser(), self.applied.mapping)
            self.applied.bind(self.parser, labels)
        self.labels = labels

    def parse(self, row_no: int, cells: list):
        return self.parser.parse(row_no, self.applied.cells(cells))

    def summary(self) -> str:
        return self.applied.summary(self.labels)

    def __getattr__(self, name):  # recognised(), bindings, extra, present … as the parser has them
        return getattr(self.parser, name)


def row_parser(kind: str, header: list, context, mapping: dict[str, str] | None = None, spec: Spec | None = None):
    """The parser for a file: a plain RowParser, or one behind a profile."""
    if spec is None:
        return RowParser(kind, header, context, mapping)
    return ProfiledParser(lambda h, m: RowParser(kind, h, context, m), spec, header, mapping)
