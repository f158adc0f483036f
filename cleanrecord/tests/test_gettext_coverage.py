"""Every user-facing string goes through gettext (issue 17, point 6): Chinese text outside gettext in the apps'
templates and Python code fails here (the stale catalogue is cleanrecord/tests/test_catalogue.py's).

Templates are read with Django's own lexer: a text node, a variable or a tag (but {% translate %}) holding Chinese
characters outside {% translate %} / {% blocktranslate %} fails. Python modules are read with `ast`: a string
literal holding Chinese characters fails unless it is the message argument of a gettext function, a docstring, or
compared with data (`"公司" in name`), the stored value of a choice, or covered by one of the exemptions below,
each with its reason. Tests, migrations and the test support package
(cleanrecord/testing) are not read: they are not shown to users.

PENDING (cleanrecord/tests/gettext_pending.txt) lists, one per line, the literals found when this test was written
and not yet wrapped: a new one fails, and so does a listed one that is gone (remove its line when you wrap it).
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from django.template.base import Lexer, TokenType

import cleanrecord

PACKAGE = Path(cleanrecord.__file__).resolve().parent
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
PENDING = Path(__file__).with_name("gettext_pending.txt")

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
    "demo/generate.py": "the demo data generator's made-up records",
    "records/importing/layouts.py": "the departments' column headers and codes (the national data standard), "
                                    "matched against the Chinese headers of their files",
}
# Module-level (or class-level) constants and functions whose Chinese text is data, and why: the literals in the
# constant's value or in the function's body are exempt, the rest of the module is read.
VOCABULARY = "vocabulary of department files, matched, not shown"
EXEMPT_NAMES: dict[str, dict[str, str]] = {
    "records/importing/values.py": {
        **dict.fromkeys(("_OPEN_ENDED_WORDS", "_CATEGORIES", "_YES", "_NO", "_PUBLIC_YES", "_PUBLIC_NO", "_STATUS",
                         "_ENTITY_STATUS", "_COMPULSION_TYPES", "_COMPULSION_NAMES", "_COMPULSION_OTHER",
                         "_EXEMPT_WORDS", "_ACQUIT_WORDS", "_GUILTY_WORDS", "_ARGUMENT_WORDS"), VOCABULARY),
        "as_text": "a spreadsheet's true/false cell read as the departments' own 是/否 (a cell's value)",
        **dict.fromkeys(("OTHER", "COMPULSION_IN_FORCE", "COMPULSION_LIFTED", "COMPULSION_REVOKED", "_COMPULSION_STATES"),
                        "a compulsion's category or state as stored (records.models' values), matched in department files"),
    },
    "records/importing/rows.py": {
        **dict.fromkeys(("PENALTY_CATEGORIES", "_CATEGORY_SYNONYMS", "NOT_PENALISED", "split_categories", "_ORG_WORDS"),
                        VOCABULARY),
        **dict.fromkeys(("LISTING_COURT", "LICENCE_DOC_NAME", "ID_CARD", "COURT_LIST_BASIS"),
                        "a value a row stores when its file leaves the cell empty (list type, document name, ID type, "
                        "legal basis): the record's data, printed in the signed report"),
        "ERROR_FILE_LEVELS": "the level column of a batch's error file, read back when the file is (records.services)",
    },
    "records/management/commands/import_records.py": {
        "add_arguments": "the command's --help text (the operators' documentation, in English), naming a column of "
                         "the department files (数据来源单位)",
    },
    "records/management/commands/check_personal_ids.py": {
        "help": "the command's --help text (the operators' documentation, one language; argparse takes no lazy text)",
    },
    "records/models.py": {
        "COMPULSION_CATEGORIES": "a compulsion's categories as the law names them: the values stored and matched",
        "_SHORT_KIND_TEXT": "kind_text()'s source-language name, frozen into the signed report's snapshot",
    },
    "records/importing/rejected.py": {
        **dict.fromkeys(("ROW_COLUMN", "REASON_COLUMN"),
                        "the rejected-rows file's own columns, matched and left out when a corrected copy is imported "
                        "again (layouts._EXPORT_COLUMNS)"),
    },
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


def untranslated_literals(source: str, exempt_names: dict[str, str] | None = None) -> Iterator[str]:
    """The string literals of a module holding Chinese characters and not exempt (see the module's docstring);
    `exempt_names` are the module's constants and functions whose literals are data (EXEMPT_NAMES)."""
    tree = ast.parse(source)
    exempt: set[int] = set()
    for node in ast.walk(tree):
        if exempt_names and (
                isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in exempt_names
                or isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in exempt_names
                                                        for t in node.targets)
                or isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and node.target.id in exempt_names):
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
            source = path.read_text(encoding="utf-8")
            found += [f"{name}\t{value[:80]!r}" for value in untranslated_literals(source, EXEMPT_NAMES.get(name))]
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


def pending() -> list[str]:
    return [line for line in PENDING.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


def test_templates_translate_every_chinese_text():
    found = template_findings()
    assert not found, "Chinese text outside {% translate %}/{% blocktranslate %}:\n" + "\n".join(found)


def test_python_code_passes_every_chinese_string_through_gettext():
    found, known = python_findings(), pending()
    new = sorted(set(found) - set(known))
    gone = sorted(set(known) - set(found))
    assert not new, ("Chinese strings outside gettext (wrap them in gettext/gettext_lazy; a string stored in the "
                     "database or in a signed report stays as it is and goes into an exemption with its reason):\n"
                     + "\n".join(new))
    assert not gone, f"no longer found: remove these lines from {PENDING.name}:\n" + "\n".join(gone)


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
    vocabulary = 'WORDS = {"是": True}\nOTHER = "否"\ndef g():\n    return "词"\n'
    assert list(untranslated_literals(vocabulary, {"WORDS": "data", "g": "data"})) == ["否"]
    template = ('{% load i18n %}<h1>{% translate "标题" %}</h1>{# 注释 #}{% blocktranslate %}共 {{ n }} 条'
                '{% endblocktranslate %}{{ x|default:_("无") }}{% comment %}说明{% endcomment %}<p>未翻译</p>'
                '{% if x == "值" %}{% endif %}')
    assert [text for _, text in untranslated_template_text(template)] == ["<p>未翻译</p>", 'if x == "值"']
