"""One domain exception: a service refuses with Refused and a Chinese sentence; the pages, the API and the
commands catch that and nothing broader, so any other exception is a fault that reaches the 500 page and the log.

The first tests walk the package's source (ast) and hold the rule; the others follow one refusal through the
web page, the API and the command line, and one fault through a page.
"""

import ast
import datetime as dt
import logging
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import gettext_lazy

import cleanrecord
from cleanrecord.freshness import services as freshness_services
from cleanrecord.lib.refusals import Refused
from cleanrecord.records.services import UploadTooLarge, import_file

ROOT = Path(cleanrecord.__file__).parent
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")

# Where a page, the API or a command may still catch ValueError (or Exception): each says why. A parse of the
# request's own text, turned into a message on the next line, is not a service's refusal.
ALLOWED_CATCHES = {
    ("quality/views.py", "_month"): "?month=YYYY-MM parsed, and refused right there",
    ("quality/views.py", "_date"): "?start=/?end= parsed; a bad one is no filter",
    ("reports/management/commands/issue_report.py", "_date"): "argparse's type for --from/--to",
    ("reference/management/commands/load_reference.py", "handle"):
        "the city's reference files: a malformed file (JSON, CSV, a date) is named, with what its parser said",
    ("quality/dashboard.py", "lines"):
        "a streamed response cannot turn into the 500 page once begun: the fault is logged, the page told in Chinese",
}

# Modules whose ValueError carries a Chinese sentence that their caller, right beside, turns into a message.
ALLOWED_CJK_VALUE_ERRORS = {
    "records/importing/values.py": "cell parsers: RowParser turns each ValueError into the row's issue in the error file",
}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "tests" in rel.parts or rel.parts[0] == "testing" or "migrations" in rel.parts:
            continue
        yield rel.as_posix(), ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_entry_point(rel: str) -> bool:
    """Pages, the API and the commands: where a refusal meets the user."""
    parts = rel.split("/")
    return (parts[-1] in ("views.py", "api.py", "portal.py", "dashboard.py", "admin.py")
            or "/management/commands/" in f"/{rel}")


def _caught(handler: ast.ExceptHandler) -> set[str]:
    if handler.type is None:
        return {"BaseException"}
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {t.attr if isinstance(t, ast.Attribute) else getattr(t, "id", "") for t in types}


def _with_functions(tree: ast.AST):
    """(node, name of the innermost function around it)."""
    def walk(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            yield child, inner
            yield from walk(child, inner)
    yield from walk(tree, "<module>")


def broad_catches(sources) -> list[str]:
    found = []
    for rel, tree in sources:
        if not _is_entry_point(rel):
            continue
        for node, function in _with_functions(tree):
            if isinstance(node, ast.ExceptHandler):
                broad = _caught(node) & {"ValueError", "Exception", "BaseException"}
                if broad and (rel, function) not in ALLOWED_CATCHES:
                    found.append(f"{rel}:{node.lineno} ({function}) catches {', '.join(sorted(broad))}")
    return found


def _texts(node: ast.AST):
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


def chinese_value_errors(sources) -> list[str]:
    found = []
    for rel, tree in sources:
        if rel in ALLOWED_CJK_VALUE_ERRORS:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name == "ValueError" and any(CJK.search(t) for a in node.exc.args for t in _texts(a)):
                    found.append(f"{rel}:{node.lineno}")
    return found


def test_pages_the_api_and_commands_catch_refused_not_value_error_or_exception():
    found = broad_catches(_sources())
    assert not found, ("catch Refused (cleanrecord/lib/refusals.py) instead, or add the place to ALLOWED_CATCHES "
                       "with the reason:\n  " + "\n  ".join(found))


def test_no_value_error_carries_chinese_text_to_the_user():
    found = chinese_value_errors(_sources())
    assert not found, "raise Refused for what the user reads:\n  " + "\n  ".join(found)


def test_every_allowed_place_still_exists_and_says_why():
    sources = dict(_sources())
    for (rel, function), reason in ALLOWED_CATCHES.items():
        assert reason.strip()
        assert any(f == function and isinstance(n, ast.ExceptHandler) for n, f in _with_functions(sources[rel])), (
            f"{rel} {function}: no longer catches anything; remove it from ALLOWED_CATCHES")
    for rel in ALLOWED_CJK_VALUE_ERRORS:
        assert rel in sources


def test_the_checks_find_what_they_are_for():
    views = ast.parse("def page(request):\n    try:\n        go()\n    except (KeyError, ValueError):\n        pass\n")
    command = ast.parse("def handle(self):\n    try:\n        go()\n    except Exception:\n        pass\n")
    fine = ast.parse("def page(request):\n    try:\n        go()\n    except Refused:\n        pass\n")
    assert broad_catches([("shop/views.py", views), ("shop/management/commands/sell.py", command),
                          ("shop/views.py", fine), ("shop/services.py", views)]) == [
        "shop/views.py:4 (page) catches ValueError", "shop/management/commands/sell.py:4 (handle) catches Exception"]
    service = ast.parse('def sell():\n    raise ValueError(f"库存不足：{n}")\n\n'
                        'def check(n):\n    raise ValueError(f"negative {n}")\n')
    assert chinese_value_errors([("shop/services.py", service)]) == ["shop/services.py:2"]


# -- Refused itself ---------------------------------------------------------------------------------


def test_refused_says_its_message_lazy_or_not():
    assert str(Refused("该记录已撤销")) == "该记录已撤销"
    lazy = Refused(gettext_lazy("至少选择一项权限范围"), field="scopes")
    assert str(lazy) == "至少选择一项权限范围" and lazy.field == "scopes" and lazy.status == 400
    assert isinstance(UploadTooLarge("文件过大"), Refused) and UploadTooLarge.status == 413
    assert not isinstance(Refused("x"), ValueError)  # an `except ValueError` left behind does not catch it


# -- one refusal, three ways in ---------------------------------------------------------------------

TODAY = timezone.localdate()
UNKNOWN_KIND = "数据类别“licence”无效，应为："  # the service's refusal (the form leaves the kind to it)


BAD_CALENDAR = "2027-13-01,放假\n"
BAD_DATE = "第 1 行：日期“2027-13-01”格式不正确，应为 YYYY-MM-DD"  # workdays.services.read_entries


@pytest.mark.django_db
def test_a_refusal_reaches_the_page_as_its_message(client, office_user):
    client.force_login(office_user)
    response = client.post("/office/calendar/", {
        "year": "2027", "file": SimpleUploadedFile("2027.csv", BAD_CALENDAR.encode(), "text/csv")})
    assert response.status_code == 400 and BAD_DATE in response.content.decode()


@pytest.mark.django_db
def test_a_refusal_reaches_the_api_as_detail_with_its_status(client, tax_clerk, amr_clerk, settings):
    client.force_login(tax_clerk)
    tomorrow = TODAY + dt.timedelta(days=1)
    response = client.post("/api/v1/nothing-new", {"as_of": tomorrow.isoformat()}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": f"数据截至日期（{tomorrow}）不能晚于今天（{TODAY}）"}
    response = client.post("/api/v1/nothing-new", {"as_of": TODAY.isoformat(), "kind": "licence"},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"].startswith(UNKNOWN_KIND)

    settings.CLEANRECORD = {**settings.CLEANRECORD, "IMPORT_MAX_BYTES": 10}
    client.force_login(amr_clerk)
    response = client.post("/api/v1/imports", {"kind": "penalty", "file": SimpleUploadedFile("a.csv", b"x" * 11)})
    assert response.status_code == 413
    assert response.json() == {"detail": "文件过大：0.0 MB，上限 0 MB"}


@pytest.mark.django_db
def test_a_refusal_reaches_the_command_line_as_a_command_error(tmp_path, office_user):
    with pytest.raises(CommandError, match="有效期应为 1 至 365 天"):
        call_command("create_api_token", office_user.username, "--name", "x", "--scopes", "verify", "--days", "400")
    bad = tmp_path / "2027.csv"
    bad.write_text(BAD_CALENDAR, encoding="utf-8")
    with pytest.raises(CommandError, match=BAD_DATE):
        call_command("load_calendar", str(bad), "--year", "2027", stdout=StringIO())


# -- a fault is not a refusal -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_fault_in_a_service_gives_the_500_page_with_the_request_id_not_its_text(
        client, tax_clerk, monkeypatch, settings, caplog):
    def broken(**kwargs):
        raise ValueError("internal: as_of has no tzinfo")

    monkeypatch.setattr(freshness_services, "confirm_nothing_new", broken)
    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(tax_clerk)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        page = client.post("/department/nothing-new/", {"as_of": TODAY.isoformat(), "kind": ""})
        api = client.post("/api/v1/nothing-new", {"as_of": TODAY.isoformat()},
                          content_type="application/json")
    for response in (page, api):
        assert response.status_code == 500
        body = response.content.decode()
        assert f"错误编号：{response['X-Request-ID']}" in body
        assert "internal" not in body and "ValueError" not in body
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert len(logged) == 2 and all(r.exc_info[0] is ValueError for r in logged)


@pytest.mark.django_db
def test_a_damaged_workbook_is_refused_in_chinese_and_the_parsers_words_go_to_the_log(tmp_path, amr, caplog):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00\x01" * 200)
    with caplog.at_level(logging.WARNING, logger="cleanrecord"):
        batch = import_file(path=path, kind="penalty", department=amr).batch
    assert batch.message == "无法打开 XLSX 文件：文件已损坏或不是 Excel 工作簿"  # no exception class for the clerk
    assert any("BadZipFile" in r.getMessage() and f"import batch {batch.pk} refused" in r.getMessage()
               for r in caplog.records)
