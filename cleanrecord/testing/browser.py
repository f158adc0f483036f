"""Driving Debian's Chromium with Playwright from pytest (browser tests of several apps)."""

import asyncio
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # Playwright is imported where a browser starts (see browser()), not by every test module
    from playwright.sync_api import ConsoleMessage, Page

# Debian's chromium (`make test` installs it); Playwright cannot download a browser of its own here.
CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags Chromium keeps calling Google's hosts, which this machine cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

# The pictures the README and the guides show (docs/screenshots/), rewritten by a browser test run with
# UPDATE_SCREENSHOTS=1; otherwise a test writes its picture under its own tmp_path only.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_screenshot(page: "Page", name: str, tmp_path: Path, *, colors: int = 128,
                    docs: Path = SCREENSHOTS) -> bytes:
    """The whole page as a small PNG (quantised to `colors`), written to tmp_path/name, and to docs/name when
    UPDATE_SCREENSHOTS is set; returns its bytes."""
    from PIL import Image  # Pillow: only the tests that take a picture load it

    shot = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB").quantize(colors=colors)
    out = io.BytesIO()
    shot.save(out, format="PNG", optimize=True)
    (tmp_path / name).write_bytes(out.getvalue())
    if os.environ.get("UPDATE_SCREENSHOTS"):
        docs.mkdir(parents=True, exist_ok=True)
        (docs / name).write_bytes(out.getvalue())
    return out.getvalue()


# axe-core, vendored for the tests only (cleanrecord/testing/axe/README.md: version, licence); never served.
AXE = Path(__file__).resolve().parent / "axe" / "axe.min.js"
# The impacts a page must not have (axe's scale: minor, moderate, serious, critical).
BLOCKING_IMPACTS = ("serious", "critical")

# Run in the page: axe's violations, each with the elements it found (their CSS path, HTML and what to fix).
_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                              summary: (n.failureSummary || "").replace(/\\s+/g, " ")})),
  }));
}"""


def axe_violations(page: "Page", impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict]:
    """axe-core's violations of the page as it is now, of the given impacts (serious and critical by default).

    The script is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    govern: a <script> tag added to the page (page.add_script_tag) would be refused by the site's CSP, and the
    site must not be weakened (nor the browser context told to bypass it) for a test."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    return [v for v in page.evaluate(_RUN_AXE) if v["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    """axe's violations as lines a person reads: rule, impact, what it asks for, and each element."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {n['target']}: {n['html']}\n      {n['summary']}" for n in v["nodes"][:8]]
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page: "Page", what: str = "") -> None:
    """Fail with a readable list when axe-core finds a serious or critical violation on the page."""
    violations = axe_violations(page)
    assert not violations, f"accessibility violations on {what or page.url}:\n{describe_violations(violations)}"


def assert_focus_visible(page: "Page") -> str:
    """The element that has the keyboard focus shows it (an outline of 2 px or more, or a box shadow); returns its
    id (or tag name) for the test's messages."""
    focus = page.evaluate("""() => {
      const e = document.activeElement, s = getComputedStyle(e);
      return {name: e.id || e.tagName.toLowerCase(), outline: s.outlineStyle,
              width: parseFloat(s.outlineWidth) || 0, shadow: s.boxShadow};
    }""")
    assert focus["name"] != "body", "nothing has the keyboard focus"
    assert (focus["outline"] != "none" and focus["width"] >= 2) or focus["shadow"] != "none", \
        f"the focus on {focus['name']} is not visible: {focus}"
    return focus["name"]


def tab_to(page: "Page", selector: str, most: int = 120) -> None:
    """Press Tab, as a keyboard user moves through the page, until the element `selector` finds has the focus; each
    element passed on the way shows its focus."""
    for _ in range(most):
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            assert_focus_visible(page)
            return
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement !== document.body"):
            assert_focus_visible(page)
    raise AssertionError(f"{selector} never got the focus by Tab")


needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="Chromium is not installed at /usr/bin/chromium (make test installs it)")


@contextmanager
def outside_the_browser_loop() -> Iterator[None]:
    """Playwright's sync API leaves its asyncio loop marked as running in this thread. While it is, Django would
    refuse the test's own queries as async-unsafe (or, allowed, open a second connection it never closes) and
    the report signer's asyncio.run() would fail. The test's database work is plain synchronous code: run it as such."""
    loop = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)
    try:
        yield
    finally:
        asyncio.events._set_running_loop(loop)


def collect_script_problems(page: "Page", problems: list[str]) -> None:
    """Append the page's script errors to `problems` from now on: console errors (but the favicon the site does
    not have) and uncaught exceptions. A browser test asserts that the list stays empty."""

    def console(message: "ConsoleMessage") -> None:
        if message.type == "error" and "favicon" not in message.location.get("url", ""):
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))


@pytest.fixture
def browser():
    """Headless Chromium; Playwright starts it with a fresh temporary profile, removed when it closes."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
