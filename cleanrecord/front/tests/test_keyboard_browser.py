"""The site's main forms filled and sent with the keyboard alone (issue 17, point 7): Tab to move, typing, arrow keys
in a list, Space on a file field, Enter to send. Every element the focus passes shows it, and axe finds no serious
or critical violation on the forms, their errors included.

The report request (with its domain picker) is done so in cleanrecord/reports/tests/test_request_browser.py.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, expect

from cleanrecord.accounts.models import Organisation, ReportGrant
from cleanrecord.accounts.tests.actors import Actors
from cleanrecord.objections.models import Objection
from cleanrecord.records.models import ImportBatch, Penalty
from cleanrecord.records.tests.uploads import penalty_csv
from cleanrecord.testing.browser import (
    assert_accessible,
    collect_script_problems,
    needs_chromium,
    outside_the_browser_loop,
    tab_to,
)

pytestmark = [pytest.mark.pdf, pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def _context(browser: Browser, base_url: str, actors: Actors | None = None, role: str = "") -> BrowserContext:
    context = browser.new_context(locale="zh-CN", base_url=base_url, viewport={"width": 1100, "height": 900})
    if actors is not None:
        with outside_the_browser_loop():
            session = actors.client(role).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])
    return context


def _page(context: BrowserContext, problems: list[str]) -> Page:
    page = context.new_page()
    collect_script_problems(page, problems)
    return page


def _unexpected(problems: list[str]) -> list[str]:
    """The page's script problems, but the 400 a form sent with errors answers (the browser logs it)."""
    return [p for p in problems if "status of 400" not in p]


def _type_date(page: Page, day: dt.date) -> None:
    """Into the focused date field, digits only: the headless Chromium here lays its parts out as month, day, year
    (the system's locale, not the page's), each part moving on to the next when full."""
    page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year:04d}")


def _choose(page: Page, selector: str, value: str, most: int = 30) -> None:
    """Arrow down through a focused list until `value` is chosen, as a keyboard user does."""
    tab_to(page, selector)
    for _ in range(most):
        if page.eval_on_selector(selector, "e => e.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not reached in {selector} by the arrow keys")


def test_sign_in_by_keyboard(browser: Browser, live_server, people: Actors) -> None:
    with outside_the_browser_loop():
        user = people.users["entity_a_user"]
        user.set_password("pw-keyboard-17")
        user.save()
    problems: list[str] = []
    page = _page(_context(browser, live_server.url), problems)
    page.goto("/accounts/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type("entity_a_user")
    tab_to(page, "input[name=password]")
    page.keyboard.type("a wrong password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    assert_accessible(page, "the sign-in page with its error")
    tab_to(page, "input[name=username]")
    page.keyboard.press("Control+A")
    page.keyboard.type("entity_a_user")
    tab_to(page, "input[name=password]")
    page.keyboard.type("pw-keyboard-17")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/my/")
    assert _unexpected(problems) == []


def test_an_objection_by_keyboard(browser: Browser, live_server, people: Actors) -> None:
    problems: list[str] = []
    page = _page(_context(browser, live_server.url, people, "entity_b_user"), problems)
    page.goto(f"/my/entities/{people.entity_b.credit_code}/objections/new/penalty/{people.penalty_tax.pk}/")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")  # nothing filled in: every error at once, next to its field
    expect(page.locator(".field-error").first).to_be_visible()
    assert_accessible(page, "the objection form with its errors")
    _choose(page, "select[name=reason]", "content_wrong")
    tab_to(page, "textarea[name=statement]")
    page.keyboard.type("罚款金额与决定书不一致，应为五千元")
    tab_to(page, "input[name=evidence]")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(files=FilePayload(name="决定书.pdf", mimeType="application/pdf",
                                              buffer=b"%PDF-1.4\n%keyboard\n"))
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_contain_text("异议")
    with outside_the_browser_loop():
        objection = Objection.objects.get(record_id=people.penalty_tax.pk)
        assert objection.statement == "罚款金额与决定书不一致，应为五千元" and objection.evidence.count() == 1
    assert _unexpected(problems) == []


def test_a_grant_by_keyboard(browser: Browser, live_server, people: Actors) -> None:
    with outside_the_browser_loop():
        agency = Organisation.objects.create(name="兰州键盘测试评审中心", kind=Organisation.Kind.AGENCY)
    problems: list[str] = []
    page = _page(_context(browser, live_server.url, people, "entity_a_user"), problems)
    page.goto("/my/")
    form = f"#grant-{people.entity_a.credit_code}-"
    _choose(page, f"{form}organisation", str(agency.pk))  # from the list of organisations, by the arrow keys
    today, until = timezone.localdate(), timezone.localdate() + dt.timedelta(days=90)
    tab_to(page, f"{form}valid_from")
    _type_date(page, today)
    tab_to(page, f"{form}valid_until")
    _type_date(page, until)
    tab_to(page, ".grant-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("兰州键盘测试评审中心")
    with outside_the_browser_loop():
        grant = ReportGrant.objects.get(organisation=agency)
        assert (grant.valid_from, grant.valid_until) == (today, until)
    assert _unexpected(problems) == []


def test_an_upload_and_its_import_by_keyboard(browser: Browser, live_server, people: Actors, tmp_path) -> None:
    with outside_the_browser_loop():
        upload = tmp_path / "税务处罚.csv"
        upload.write_bytes(penalty_csv(people.tax, {"code": people.entity_b.credit_code, "name": people.entity_b.name,
                                                    "no": "兰税罚〔2026〕88号"}))
        batches = ImportBatch.objects.count()
    problems: list[str] = []
    page = _page(_context(browser, live_server.url, people, "clerk_tax"), problems)
    page.goto("/imports/")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")  # no category, no file: both errors shown
    expect(page.locator(".field-error").first).to_be_visible()
    assert_accessible(page, "the upload form with its errors")
    _choose(page, "select[name=kind]", "penalty")
    tab_to(page, "input[name=file]")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(upload))
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    confirm = "button[name=action][value=import]"
    expect(page.locator(confirm)).to_be_visible()
    assert_accessible(page, "the import preview")
    tab_to(page, confirm)
    page.keyboard.press("Enter")
    expect(page.locator("#batch-status")).to_have_text("已完成", timeout=15_000)
    with outside_the_browser_loop():
        assert ImportBatch.objects.count() == batches + 1
        assert Penalty.objects.filter(decision_no="兰税罚〔2026〕88号").exists()
    assert_accessible(page, "the import's result")
    assert _unexpected(problems) == []


def test_a_correction_by_keyboard(browser: Browser, live_server, people: Actors) -> None:
    problems: list[str] = []
    page = _page(_context(browser, live_server.url, people, "clerk_tax"), problems)
    page.goto(f"/department/records/penalty/{people.penalty_tax.pk}/")
    tab_to(page, "#correct-form button[type=submit]")
    page.keyboard.press("Enter")  # no field, no reason: the errors beside them
    expect(page.locator("#correct-form .field-error").first).to_be_visible()
    assert_accessible(page, "the correction form with its errors")
    _choose(page, "#correct-form select[name=field]", "fine_wan")
    tab_to(page, "#correct-form input[name=value]")
    page.keyboard.press("Control+A")
    page.keyboard.type("0.8")
    tab_to(page, "#correct-form input[name=reason]")
    page.keyboard.type("罚款金额录入有误")
    tab_to(page, "#correct-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#history")).to_contain_text("罚款金额录入有误")
    with outside_the_browser_loop():
        record = Penalty.objects.get(pk=people.penalty_tax.pk)
        assert record.version == people.penalty_tax.version + 1
    assert _unexpected(problems) == []
