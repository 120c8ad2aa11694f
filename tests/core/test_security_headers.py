"""Browser security: the Content-Security-Policy and the other headers on every kind of page, and no
template that the policy would break (inline scripts, event handlers, style attributes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import renkei

TEMPLATES = sorted(Path(renkei.__file__).parent.rglob("templates/**/*.html"))


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def _assert_secure_headers(response, page: bool = True) -> None:  # type: ignore[no-untyped-def]
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    if page:  # static files are answered by WhiteNoise before the clickjacking middleware
        assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",  # the login page
        "/portal/",  # the partner portal (no account)
        "/report/",  # the public intake form
        "/api/v1/ping",  # the API (401 JSON)
    ],
)
def test_anonymous_pages_carry_the_policy(client, db, path):
    response = client.get(path, follow=True)
    _assert_secure_headers(response)


@pytest.mark.parametrize("path", ["/", "/api/v1/docs", "/chain/map/", "/static/renkei/app.css"])
def test_staff_pages_and_files_carry_the_policy(analyst_client, path):
    response = analyst_client.get(path)
    assert response.status_code == 200, path
    _assert_secure_headers(response, page=not path.startswith("/static/"))


def test_hsts_only_over_https_and_when_configured(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    assert "Strict-Transport-Security" not in client.get("/accounts/login/")
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("templates/", 1)[-1])
def test_no_template_has_code_the_policy_blocks(template):
    html = template.read_text(encoding="utf-8")
    for attributes in re.findall(r"<script\b([^>]*)>", html):
        # A file (src=) or a JSON data block, which the browser does not run.
        assert "src=" in attributes or 'type="application/json"' in attributes, f"inline script: {attributes}"
    assert not re.search(r"<style\b", html), "inline <style>: put it in a .css file"
    assert not re.search(r"\sstyle=", html), "style attribute: use a class"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler: use addEventListener in a .js file"
    assert "javascript:" not in html
