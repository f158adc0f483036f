"""The office dashboard in Chromium: every chart drawn from demo-like data, no CSP violation, and recomputing.

UPDATE_SCREENSHOTS=1 also writes the page to docs/dashboard.png, the screenshot the README shows.
"""

import datetime as dt
import random
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from cleanrecord.entities.models import Entity
from cleanrecord.quality.measures import MEASURES
from cleanrecord.quality.models import Measure, QualityScore
from cleanrecord.reference.models import Department, Domain, Region
from cleanrecord.reports.models import Purpose, Report
from cleanrecord.reports.tests.factories import credit_code
from cleanrecord.testing.browser import needs_chromium, outside_the_browser_loop, save_screenshot
from cleanrecord.verification.models import Channel, VerificationLog

SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "dashboard.png"
CHARTS = ["chart-trend", "chart-domains", "chart-districts", "chart-quality"]

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def seed_demo_figures(seed: int = 2026) -> None:
    """Ninety days of reports and verifications across the districts, and a day of quality scores for every
    department: made straight in the database (no PDFs), the same on every run."""
    draw = random.Random(seed)
    today = timezone.localdate()
    districts = list(Region.objects.exclude(parent=None))
    entities = [Entity.objects.create(credit_code=credit_code(f"91{r.code}MA71DB{i:03d}"[:17]), name=f"兰州看板演示{i}号有限公司",
                                      kind="company", region_code=r.code, from_register=True)
                for i, r in enumerate(districts * 3)]
    domains = list(Domain.objects.values_list("code", flat=True))
    weights = [len(districts) - i for i in range(len(districts))] * 3  # the central districts issue more
    reports: list[Report] = []
    for back in range(90):
        day = today - dt.timedelta(days=back)
        busy = 4 + (90 - back) // 12 + (0 if day.weekday() >= 5 else 6)  # rollout grows; quiet weekends
        for _ in range(draw.randint(busy // 2, busy)):
            full = draw.random() < 0.6
            chosen = domains if full else draw.sample(domains[:12], draw.randint(1, 3)) + draw.sample(domains, 1)
            issued = timezone.make_aware(dt.datetime.combine(day, dt.time(draw.randint(8, 17), draw.randint(0, 59))))
            n = len(reports) + 1
            reports.append(Report(
                number=f"DEMO{n:06d}", verification_code=f"DEMOV{n:06d}", entity=draw.choices(entities, weights)[0],
                domains=sorted(set(chosen)), all_domains=full, period_start=day - dt.timedelta(days=3 * 365),
                period_end=day, purpose=draw.choice(list(Purpose)), snapshot={}, snapshot_hash="", pdf_path="",
                pdf_sha256="", issued_at=issued, valid_until=day + dt.timedelta(days=30)))
    reports = Report.objects.bulk_create(reports)
    logs = [VerificationLog(report=r, channel=draw.choice(list(Channel)), result="authentic", client="demo")
            for r in reports for _ in range(draw.randint(0, 3))]
    logs = VerificationLog.objects.bulk_create(logs)
    for log in logs:  # auto_now_add: verified a day or two after issue
        assert log.report is not None
        log.at = log.report.issued_at + dt.timedelta(hours=draw.randint(1, 60))
    VerificationLog.objects.bulk_update(logs, ["at"])

    now = timezone.now()
    scores = []
    for dept in Department.objects.filter(is_active=True):
        quality = draw.uniform(0.55, 1.0)  # some departments are simply better at it than others
        for code, m in MEASURES.items():
            if code == Measure.SILENT_DOMAIN:
                continue
            den = 1 if code == Measure.SILENT_DEPARTMENT else draw.randint(200, 5000)
            good = min(1.0, max(0.0, draw.gauss(quality, 0.12)))
            if code == Measure.SILENT_DEPARTMENT:
                good = 1.0 if good > 0.35 else 0.0
            bad = round(den * (1 - good) * (1 if m.better == "higher" else 0.2))
            num = den - bad if m.better == "higher" else bad
            scores.append(QualityScore(as_of=today, department=dept, domain=dept.default_domain, kind="",
                                       measure=code, numerator=num, denominator=den, value=num / den, computed_at=now))
    QualityScore.objects.bulk_create(scores)


@pytest.fixture
def office_page(browser, live_server):
    """A page signed in as the credit office, with the demo figures in the database."""
    with outside_the_browser_loop():
        call_command("load_reference", verbosity=0)  # transactional tests flush the session's reference data
        seed_demo_figures()
        user = User.objects.create_user("alice", password="pw-alice-1")
        user.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
    context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    page.problems = []
    # Errors and CSP refusals, except the favicon the site does not have.
    page.on("console", lambda m: m.type == "error" and "favicon" not in m.location.get("url", "")
            and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


DRAWN_PIXELS = """id => {
  const canvas = document.querySelector('#' + id + ' canvas');
  if (!canvas) return -1;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) drawn++;
  return drawn;
}"""


def test_the_dashboard_draws_every_chart_and_recomputes_the_scores(office_page, live_server, tmp_path):
    page = office_page
    page.goto(f"{live_server.url}/office/dashboard/")
    expect(page.locator("#dashboard")).to_have_attribute("data-state", "ready")
    expect(page.locator("#dashboard-status")).to_contain_text(f"数据截至 {timezone.localdate().isoformat()}")
    for chart in CHARTS:
        drawn = page.evaluate(DRAWN_PIXELS, chart)
        assert drawn > 2000, f"{chart}: {drawn} pixels drawn"
    expect(page.locator("#quality-status")).to_contain_text("指标日期")
    # The heat map's legend runs over the same 0–100 marks its cells print.
    legend, marks = page.evaluate("""() => {
      const option = echarts.getInstanceByDom(document.getElementById('chart-quality')).getOption();
      return [[option.visualMap[0].min, option.visualMap[0].max], option.series[0].data.map(c => c[2])];
    }""")
    assert legend == [0, 100] and marks and all(0 <= m <= 100 for m in marks) and max(marks) > 1
    assert page.problems == []

    assert len(save_screenshot(page, SCREENSHOT.name, tmp_path, docs=SCREENSHOT.parent)) < 300_000

    with outside_the_browser_loop():
        seeded = set(QualityScore.objects.values_list("pk", flat=True))
    page.get_by_role("button", name="重新计算质量指标").click()
    expect(page.locator("#quality-status")).to_contain_text("已重新计算")
    expect(page.get_by_role("button", name="重新计算质量指标")).to_be_enabled()
    with outside_the_browser_loop():
        assert not QualityScore.objects.filter(pk__in=seeded).exists()  # today's demo figures were replaced
    assert page.evaluate(DRAWN_PIXELS, "chart-quality") > 2000
    assert page.problems == []
