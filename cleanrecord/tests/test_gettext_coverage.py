"""Every user-facing string goes through gettext (issue 17, point 6): Chinese text outside gettext in the apps'
templates and Python code fails here (the stale catalogue is cleanrecord/tests/test_catalogue.py's).

Templates are read with Django's own lexer: a text node, a variable or a tag (but {% translate %}) holding Chinese
characters outside {% translate %} / {% blocktranslate %} fails. Python modules are read with `ast`: a string
literal holding Chinese characters fails unless it is the message argument of a gettext function, a docstring, or
compared with data (`"公司" in name`), the stored value of a choice, or covered by one of the exemptions below,
each with its reason. Tests, migrations and the test support package
(cleanrecord/testing) are not read: they are not shown to users.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from django.template.base import Lexer, TokenType

import cleanrecord

PACKAGE = Path(cleanrecord.__file__).resolve().parent
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# The gettext functions (and their usual alias), and which of their positional arguments are messages (or a
# message's context, for pgettext).
GETTEXT = {"_": (0,), "gettext": (0,), "gettext_lazy": (0,), "gettext_noop": (0,), "ngettext": (0, 1),
           "ngettext_lazy": (0, 1), "pgettext": (0, 1), "pgettext_lazy": (0, 1),
           "npgettext": (0, 1, 2), "npgettext_lazy": (0, 1, 2)}
# Calls whose arguments are not shown to users, and why.
EXEMPT_CALLS = {
    # re.compile(...), re.match(...), …: patterns that match the departments' Chinese input.
    "compile": "a regular expression matching Chinese input",
    "match": "a regular expression matching Chinese input",
    "fullmatch": "a regular expression matching Chinese input",
    "search": "a regular expression matching Chinese input",
    "sub": "a regular expression matching Chinese input",
    "split": "a regular expression (or separator) in Chinese input",
    # str methods on the departments' cells: the words taken off, replaced in or looked for in their input.
    "removeprefix": "a word taken off the departments' Chinese input",
    "removesuffix": "a word taken off the departments' Chinese input",
    "replace": "a word replaced in the departments' Chinese input",
    "startswith": "a word looked for in the departments' Chinese input",
    "endswith": "a word looked for in the departments' Chinese input",
}
# Keyword arguments not shown in the site's pages, and why.
EXEMPT_KEYWORDS = {
    "summary": "an API operation's summary in the OpenAPI schema (the API's documentation, one language)",
    "description": "an API operation's or schema field's description in the OpenAPI schema",
    "tags": "the API's operation groups in the OpenAPI schema",
}
# Whole modules whose Chinese text is data or the signed report's own words, not the site's interface.
EXEMPT_MODULES = {
    "reports/languages.py": "the signed report's labels in each of its languages (the report's text, chosen by the "
                            "report's recorded language, not by the reader's)",
    "reports/rules.py": "the report's rule wording (scope, notes, record labels such as 异议处理中), frozen into the "
                        "signed snapshot in Chinese; its refusals go through gettext",
    "reports/render.py": "the Chinese report's printed headings and field names (the signed PDF's text; an English "
                         "report prints reports/languages.py's)",
    "reports/snapshot.py": "words of the signed snapshot",
    "reports/example.py": "the sample report's made-up entity and records (docs/sample-report.pdf)",
    "demo/vocabulary.py": "made-up names, places and wording for the demo data",
    "demo/matters.py": "the demo's made-up matters of the catalogue (names, legal bases), stored in the database",
    "demo/generate.py": "the demo data generator's made-up records",
    "records/importing/layouts.py": "the departments' column headers and codes (the national data standard), "
                                    "matched against the Chinese headers of their files",
}
# Narrower: a module's constant (an assignment to NAME), function or class (def NAME, class NAME) or the arguments
# of its calls of NAME, whose Chinese text is not the site's interface, keyed "module:NAME", and why.
VOCABULARY = "vocabulary of department files, matched, not shown"


def _each(module: str, names: tuple[str, ...], reason: str) -> dict[str, str]:
    return {f"{module}:{name}": reason for name in names}


EXEMPT_NAMES: dict[str, str] = {
    "conf.py:SETTINGS": "the settings' defaults (the office's configurable wording printed in the signed report and the "
                        "footer, role names matched against the identity service's claims) and their help texts "
                        "(operator documentation in English, Chinese terms quoted as examples)",
    "conf.py:NATIONAL_LIST_TYPES": "the national lists' 名单类别, matched exactly against the listing records' data",
    "conf.py:NOT_COVERED": "the default of REPORT_NOT_COVERED, printed in the signed report's 说明",
    "quality/measures.py:FINED": "a penalty's 处罚类别 as stored (罚款), matched against the records' data",
    "quality/measures.py:CONFISCATED": "a penalty's 处罚类别 as stored (没收), matched against the records' data",
    "quality/measures.py:LICENCE_TAKEN": "a penalty's 处罚类别 as stored (暂扣, 吊销), matched against the records' data",
    "quality/measures.py:SENTENCED_TO_FINE": "the word 罚金 in a judgment's summary, matched against the records' data",
    "freshness/services.py:note": "a domain's data freshness note, printed in the signed report (frozen into its "
                                  "snapshot in Chinese)",
    "freshness/services.py:_date_zh": "a date in the freshness note of the signed report",
    "freshness/services.py:annotate_summary": "the signed report's freshness statement (frozen into its snapshot)",
    "workdays/services.py:HEADER_WORDS": "the header word of the office's calendar file, matched against its cells",
    "workdays/services.py:HOLIDAY_WORDS": "the words for a holiday in the office's calendar file, matched against its "
                                          "cells",
    "workdays/services.py:WORKDAY_WORDS": "the words for a make-up working day in the office's calendar file, matched "
                                          "against its cells",
    "workdays/management/commands/load_calendar.py:help": "the command's help (operator documentation in English, "
                                                           "quoting the calendar file's Chinese column names)",
    "workdays/management/commands/load_calendar.py:add_argument": "the options' help (operator documentation in "
                                                                   "English, quoting the file's Chinese column names "
                                                                   "and an example notice number)",
    "reference/loading.py:YES_WORDS": "the words for yes in departments.csv's flag columns, matched against its cells",
    "accounts/tokens.py:openapi_description": "the API token scheme's description in the OpenAPI schema (the API's "
                                              "documentation, one language)",
    "lib/text.py:EMPTY_MARKERS": "the words departments write in their files for \"nothing\" (无, 暂无, 空), matched "
                                 "against their cells",
    "settings.py:ImproperlyConfigured": "raised while the settings load, before translation can work (gettext needs "
                                        "the settings)",
    "reports/signing.py:LOCAL_ROOT_NAME": "the local root certificate's subject name, written into the certificate "
                                          "(signed data, read by PDF readers)",
    "demo/accounts.py:BANK_NAME": "the demo bank's made-up name, stored in the database",
    "demo/accounts.py:OBJECTION_STATEMENT": "the demo objection's made-up statement, stored in the database",
    "demo/management/commands/seed_demo.py:QUIET_NOTE": "the demo confirmations' note, stored in the database",
    "reports/groups.py:SUMMARY_TEXT": "signed group summary text: the group summary PDF's fixed words, printed in "
                                      "Chinese whatever the reader's language, as a report's content is",
    "reports/groups.py:summary_data": "signed group summary text: the group summary PDF's labels and notes (signed, "
                                      "its digest kept with the batch), not live translations",
    "verification/services.py:JUDGMENTS_NAME": "the 刑事 section's name where a change names its domain: matched "
                                               "with the snapshot's (Chinese) domain names, as the API gives them",
    # The records app's data words (gt1: the importer's vocabulary and stored values).
    **_each("records/importing/values.py", (
        "_OPEN_ENDED_WORDS", "_CATEGORIES", "_YES", "_NO", "_PUBLIC_YES", "_PUBLIC_NO", "_STATUS", "_ENTITY_STATUS",
        "_COMPULSION_TYPES", "_COMPULSION_NAMES", "_COMPULSION_OTHER", "_EXEMPT_WORDS", "_ACQUIT_WORDS",
        "_GUILTY_WORDS", "_ARGUMENT_WORDS"), VOCABULARY),
    "records/importing/values.py:as_text": "a spreadsheet's true/false cell read as the departments' own 是/否 (a "
                                           "cell's value)",
    **_each("records/importing/values.py", (
        "OTHER", "COMPULSION_IN_FORCE", "COMPULSION_LIFTED", "COMPULSION_REVOKED", "_COMPULSION_STATES"),
        "a compulsion's category or state as stored (records.models' values), matched in department files"),
    **_each("records/importing/rows.py", (
        "PENALTY_CATEGORIES", "_CATEGORY_SYNONYMS", "NOT_PENALISED", "split_categories", "_ORG_WORDS"), VOCABULARY),
    **_each("records/importing/rows.py", ("LISTING_COURT", "LICENCE_DOC_NAME", "ID_CARD", "COURT_LIST_BASIS"),
            "a value a row stores when its file leaves the cell empty (list type, document name, ID type, legal "
            "basis): the record's data, printed in the signed report"),
    "records/importing/rows.py:ERROR_FILE_LEVELS": "the level column of a batch's error file, read back when the file "
                                                   "is (records.services)",
    "records/management/commands/import_records.py:add_arguments": "the command's --help text (the operators' "
                                                                   "documentation, in English), naming a column of "
                                                                   "the department files (数据来源单位)",
    "records/management/commands/check_personal_ids.py:help": "the command's --help text (the operators' "
                                                              "documentation, one language; argparse takes no lazy "
                                                              "text)",
    "records/models.py:COMPULSION_CATEGORIES": "a compulsion's categories as the law names them: the values stored "
                                               "and matched",
    "records/models.py:_SHORT_KIND_TEXT": "kind_text()'s source-language name, frozen into the signed report's "
                                          "snapshot",
    **_each("records/importing/rejected.py", ("ROW_COLUMN", "REASON_COLUMN"),
            "the rejected-rows file's own columns, matched and left out when a corrected copy is imported again "
            "(layouts._EXPORT_COLUMNS)"),
}
# Files under the apps' templates/ folders whose Chinese text is not the site's interface.
EXEMPT_TEMPLATES = {
    "records/templates/records/import_profile_form.html": "an example import profile (JSON), whose keys are the "
                                                          "departments' Chinese column names",
}
TRANSLATE_TAGS = {"translate", "trans"}
BLOCK_TRANSLATE = {"blocktranslate", "blocktrans"}


def _python_modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or parts[0] == "testing":
            continue
        yield path


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _exempt_name(node: ast.AST, module: str | None) -> bool:
    """True for an assignment to, a function or class named, or a call of one of the module's EXEMPT_NAMES."""
    if module is None:
        return False
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names = [node.name]
    elif isinstance(node, ast.Assign):
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        names = [node.target.id]
    elif isinstance(node, ast.Call):
        names = [name for name in [_call_name(node)] if name]
    else:
        return False
    return any(f"{module}:{name}" in EXEMPT_NAMES for name in names)


def untranslated_literals(source: str, module: str | None = None) -> Iterator[str]:
    """The string literals of a module holding Chinese characters and not exempt (see the module's docstring)."""
    tree = ast.parse(source)
    exempt: set[int] = set()
    for node in ast.walk(tree):
        if _exempt_name(node, module):
            exempt.update(id(n) for n in ast.walk(node))
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body \
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            exempt.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Call):
            name = _call_name(node)
            positions = GETTEXT.get(name or "", ()) if name not in EXEMPT_CALLS else range(len(node.args))
            for i in positions:
                if i < len(node.args):
                    exempt.update(id(n) for n in ast.walk(node.args[i]))
        if isinstance(node, ast.keyword) and node.arg in EXEMPT_KEYWORDS:
            exempt.update(id(n) for n in ast.walk(node.value))
        if isinstance(node, ast.Compare):
            # name == "个体工商户", "公司" in name: compared with (Chinese) data, not shown.
            exempt.update(id(n) for n in [node.left, *node.comparators] if isinstance(n, ast.Constant))
        if isinstance(node, ast.Tuple) and any(isinstance(e, ast.Call) and _call_name(e) in GETTEXT for e in node.elts):
            # ("stored value", _("label")): a choice's value, kept in the database; its label is translated.
            exempt.update(id(e) for e in node.elts)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and HAN.search(node.value) \
                and id(node) not in exempt:
            yield node.value


def python_findings() -> list[str]:
    found = []
    for path in _python_modules():
        name = path.relative_to(PACKAGE).as_posix()
        if name not in EXEMPT_MODULES:
            found += [f"{name}\t{value[:80]!r}" for value in untranslated_literals(path.read_text(encoding="utf-8"), name)]
    return found


def untranslated_template_text(text: str) -> Iterator[tuple[int | None, str]]:
    """(line, text) of the template's tokens holding Chinese outside {% translate %} and {% blocktranslate %}."""
    inside_block_translate = in_comment = False
    for token in Lexer(text).tokenize():
        if token.token_type == TokenType.COMMENT:
            continue
        if token.token_type == TokenType.BLOCK:
            tag = token.contents.split()[0] if token.contents else ""
            if tag == "comment":
                in_comment = True
            elif tag == "endcomment":
                in_comment = False
            elif tag in BLOCK_TRANSLATE:
                inside_block_translate = True
            elif tag in {f"end{t}" for t in BLOCK_TRANSLATE}:
                inside_block_translate = False
            elif tag not in TRANSLATE_TAGS and tag != "plural" and not in_comment and HAN.search(token.contents):
                yield token.lineno, token.contents
            continue
        if in_comment or inside_block_translate:
            continue
        contents = token.contents
        if token.token_type == TokenType.VAR:
            contents = re.sub(r'_\("[^"]*"\)', "", contents)  # {{ x|default:_("…") }} is translated
        if HAN.search(contents):
            yield token.lineno, contents.strip()


def template_findings() -> list[str]:
    found = []
    for path in sorted(PACKAGE.glob("*/templates/**/*")):
        name = path.relative_to(PACKAGE).as_posix()
        if path.suffix in (".html", ".txt") and name not in EXEMPT_TEMPLATES:
            found += [f"{name}:{line}: {text[:80]!r}"
                      for line, text in untranslated_template_text(path.read_text(encoding="utf-8"))]
    return found


def test_templates_translate_every_chinese_text():
    found = template_findings()
    assert not found, "Chinese text outside {% translate %}/{% blocktranslate %}:\n" + "\n".join(found)


def test_python_code_passes_every_chinese_string_through_gettext():
    found = python_findings()
    assert not found, ("Chinese strings outside gettext (wrap them in gettext/gettext_lazy; a string stored in the "
                       "database or in a signed report stays as it is and goes into an exemption with its reason):\n"
                       + "\n".join(found))


def test_the_checks_find_what_they_look_for():
    source = '''
"""模块说明"""
from django.utils.translation import gettext as _, pgettext
import re

class Kind:
    A = "甲", _("甲类")

def f():
    """函数说明"""
    re.compile("^第(\\\\d+)号$")
    print(pgettext("上下文", "消息"), _("已翻译"))
    return "未翻译"
'''
    assert list(untranslated_literals(source)) == ["未翻译"]
    assert list(untranslated_literals('BANK_NAME = "数据"\ndef f():\n    return "未翻译"\n', "demo/accounts.py")) \
        == ["未翻译"]
    vocabulary = 'EMPTY_MARKERS = {"是": True}\nOTHER = "否"\ndef g():\n    return "词"\n'
    assert list(untranslated_literals(vocabulary, "lib/text.py")) == ["否", "词"]
    template = ('{% load i18n %}<h1>{% translate "标题" %}</h1>{# 注释 #}{% blocktranslate %}共 {{ n }} 条'
                '{% endblocktranslate %}{{ x|default:_("无") }}{% comment %}说明{% endcomment %}<p>未翻译</p>'
                '{% if x == "值" %}{% endif %}')
    assert [text for _, text in untranslated_template_text(template)] == ["<p>未翻译</p>", 'if x == "值"']


def test_a_named_exemption_covers_only_its_constant_function_or_call():
    source = '''
EMPTY_MARKERS = {"无", "暂无"}
OTHER = "未翻译"
'''
    assert list(untranslated_literals(source, "lib/text.py")) == ["未翻译"]
    assert sorted(untranslated_literals(source, "lib/other.py")) == sorted(["无", "暂无", "未翻译"])
    assert list(untranslated_literals('ImproperlyConfigured("只读副本")\nprint("未翻译")', "settings.py")) == ["未翻译"]
