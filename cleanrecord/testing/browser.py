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
