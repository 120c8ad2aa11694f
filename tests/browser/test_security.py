"""The Content-Security-Policy in a real browser: the API documentation (Swagger UI from our static
files) and the partner-portal pages work with no inline code, and no page reports a violation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.urls import reverse

from renkei.registry.models import Organisation
from tests.browser.helpers import demo_login, login


def test_api_docs_render_swagger_ui_under_the_policy(page: Any, demo: Any) -> None:
    page.goto("/api/v1/docs")
    assert "/accounts/login/" in page.url  # anonymous: the login page first
    login(page, *demo_login(demo))
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Renkei API" in (page.text_content(".swagger-ui .info .title") or "")
    page.wait_for_selector(".opblock-tag")  # the operations, read from /api/v1/openapi.json
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]
    assert page.csp_violations == [], page.csp_violations  # type: ignore[attr-defined]


def test_a_new_portal_link_is_copied_and_leaving_the_portal_clears_the_browser(page: Any, demo: Any) -> None:
    # The two pages whose scripts were inline before the policy: link_issued.html and portal/leave.html.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(page, *demo_login(demo))
    party = Organisation.objects.get(name=demo.CLOUD_CONTRACTOR_NAME)
    page.goto(reverse("assessments:party_links", args=[party.pk]))
    page.click("#issue-link")
    page.click("#copy-link")
    page.wait_for_function("document.getElementById('copy-link').textContent === 'コピーしました'")
    link = page.input_value("#new-link")
    assert page.evaluate("navigator.clipboard.readText()") == link

    page.goto(urlsplit(link).path)  # the link names RENKEI_BASE_URL; the live server has another port
    page.wait_for_url(lambda url: url.endswith("/portal/"))
    page.evaluate("localStorage.setItem('renkei:/portal/a/1/q/1/', 'unsent answer')")
    page.goto("/portal/leave/")
    page.click("#portal-leave-confirm")
    page.wait_for_selector("#portal-left")
    page.wait_for_function("Object.keys(localStorage).length === 0")
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]
    assert page.csp_violations == [], page.csp_violations  # type: ignore[attr-defined]
