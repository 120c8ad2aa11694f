"""Steps the browser tests share: logging in, waiting for the map, reading the demo logins."""

from __future__ import annotations

from typing import Any


def login(page: Any, username: str, password: str) -> None:
    """Log in through the form, as a person would."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-button")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def demo_login(demo: Any, role: str = "analyst") -> tuple[str, str]:
    """Username and password of the demo user with this role and no company limit."""
    for login_ in demo.DEMO_LOGINS:
        if login_.role == role and not login_.limited_to:
            return login_.username, login_.password
    raise AssertionError(f"no demo login with role {role}")


def wait_for_map(page: Any) -> None:
    """Wait until map.js has drawn the graph (or failed, which the assertion then shows)."""
    page.wait_for_selector('#map[data-ready="true"], #map[data-ready="error"]', state="attached")
    assert page.get_attribute("#map", "data-ready") == "true", page.text_content("#map-status")
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]


def text(page: Any, selector: str) -> str:
    """An element's text with its white space collapsed, as a reader sees it."""
    return " ".join((page.text_content(selector) or "").split())


def nav_click(page: Any, selector: str) -> None:
    """Follow a main-menu link as a person would: open its group (a <details> menu), then click it."""
    link = page.locator(f"nav.mainnav {selector}" if not selector.startswith("nav.mainnav") else selector).first
    group = link.locator("xpath=ancestor::details[1]")
    if group.get_attribute("open") is None:
        group.locator("summary").click()
    link.click()
