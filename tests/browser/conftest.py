"""End-to-end tests in Debian's Chromium through Playwright (sync API) against pytest-django's live server.

Set-up: `npm ci && python scripts/vendor_assets.py`, and Debian's `chromium` (or RENKEI_CHROMIUM).
Playwright's own browser downloads are never used: the system Chromium is launched by path.

Without Chromium these tests are skipped with a clear message, except in CI (CI=true), where a
missing browser is a failure: a green CI run must have exercised the pages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an asyncio loop running in the main thread, so Django's "no ORM call
# from async context" guard would refuse the test's own database work. The guard protects async
# views, which these tests do not exercise. Set at import: the browser lives for the whole session.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO = Path(__file__).resolve().parents[2]
VENDOR_FILE = REPO / "src" / "renkei" / "static" / "vendor" / "cytoscape.min.js"
RESULTS_DIR = REPO / "test-results"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # root in containers and CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = "Chromium not found: install Debian's chromium to run browser tests"
TIMEOUT_MS = 15_000


def chromium_path() -> str:
    return os.environ.get("RENKEI_CHROMIUM", "/usr/bin/chromium")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keep each phase's report on the item, so the page fixture knows whether the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def _browser_requirements() -> None:
    """Chromium and the vendored front-end files must be there; say exactly what is missing."""
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        message = f"{NO_CHROMIUM} (looked for {path}; set RENKEI_CHROMIUM to use another path)"
        if _in_ci():
            pytest.fail(message + " — CI=true, so this is a failure, not a skip.", pytrace=False)
        pytest.skip(message)
    if not VENDOR_FILE.is_file():
        pytest.fail(
            f"{VENDOR_FILE.relative_to(REPO)} is missing: run `npm ci && python scripts/vendor_assets.py` "
            "in the repository root before the browser tests.",
            pytrace=False,
        )
    from django.contrib.staticfiles import finders

    if not finders.find("vendor/cytoscape.min.js"):
        pytest.fail(
            "The vendored files exist but Django's static finders do not see them: settings.STATICFILES_DIRS "
            "must include src/renkei/static (BASE_DIR / 'static').",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def browser(_browser_requirements: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


def _is_csp_violation(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text


def _safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:120]


@pytest.fixture
def page(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the live server, in Japanese like a first visit.

    On failure a full-page screenshot goes to test-results/<test name>.png.
    """
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1400, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    console_errors: list[str] = []
    tab.on("pageerror", lambda error: console_errors.append(str(error)))
    tab.console_errors = console_errors  # type: ignore[attr-defined]
    # A script or style the Content-Security-Policy blocks leaves a broken page and one console line.
    csp_violations: list[str] = []
    tab.on("console", lambda message: csp_violations.append(message.text) if _is_csp_violation(message.text) else None)
    tab.csp_violations = csp_violations  # type: ignore[attr-defined]
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.passed and csp_violations:
        context.close()
        pytest.fail("Content-Security-Policy violations:\n  " + "\n  ".join(csp_violations), pytrace=False)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        target = RESULTS_DIR / f"{_safe_name(request.node.nodeid)}.png"
        try:
            tab.screenshot(path=str(target), full_page=True)
            print(f"screenshot: {target}")
            if console_errors:
                print("page errors:", *console_errors, sep="\n  ")
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the real failure
            print(f"screenshot failed: {exc}")
    context.close()


@pytest.fixture
def demo(transactional_db: None) -> Any:
    """The demo data set, loaded into the live server's database; answers `renkei.demo.data` (its names)."""
    from renkei.demo import data as demo_module
    from renkei.demo.loader import load_demo_data

    summary = load_demo_data()
    assert summary.created, "the demo data set was not loaded into an empty database"
    return demo_module
