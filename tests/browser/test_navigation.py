"""The grouped main menu, the help link and the favicon in a real browser (issue 13 §1)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import demo_login, login

pytestmark = pytest.mark.browser


def test_menu_groups_open_with_the_keyboard_one_at_a_time(page, demo):
    login(page, *demo_login(demo, "admin"))
    page.goto("/registry/organisations/")
    # The page's group is highlighted; the menus start closed.
    assert "current" in (page.get_attribute("#navgroup-registry", "class") or "")
    assert not page.is_visible("#nav-software")

    page.focus("#navgroup-software summary")
    page.keyboard.press("Enter")
    assert page.is_visible("#nav-software")
    page.keyboard.press("Tab")  # into the open menu: its first link
    assert page.evaluate("document.activeElement.id") == "nav-software"

    # Opening another group closes the first; Escape closes it and gives the focus back.
    page.click("#navgroup-incidents summary")
    page.wait_for_selector("#nav-software", state="hidden")  # the toggle event comes after the click
    page.keyboard.press("Escape")
    page.wait_for_selector("#navgroup-incidents .navmenu", state="hidden")
    assert page.evaluate("document.activeElement.closest('details').id") == "navgroup-incidents"

    page.click("#navgroup-software summary")
    page.click("#nav-findings")
    page.wait_for_url("**/software/findings/")
    assert "current" in (page.get_attribute("#navgroup-software", "class") or "")
    assert page.console_errors == []  # no CSP or script error from the menu


def test_help_link_opens_the_guide_at_the_pages_section(page, demo):
    login(page, *demo_login(demo))
    page.goto("/chain/map/")
    page.click("#help-link")
    page.wait_for_url("**/help/#s6")
    assert page.is_visible("#s6")
    assert page.locator("link[rel=icon]").count() == 1
