"""The API documentation page (/api/v1/docs): behind login, Swagger UI from our own static files."""

from __future__ import annotations

import re

from renkei.accounts.services import api_token_create

DOCS = "/api/v1/docs"
SCHEMA = "/api/v1/openapi.json"


def test_anonymous_visitor_of_the_docs_is_sent_to_the_login_page(client, db):
    response = client.get(DOCS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/api/v1/docs" in response["Location"]


def test_anonymous_schema_request_gets_401_and_no_schema(client, db):
    response = client.get(SCHEMA)
    assert response.status_code == 401
    assert "paths" not in response.json()


def test_logged_in_user_gets_swagger_ui_from_our_static_files(analyst_client):
    response = analyst_client.get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/swagger-ui-bundle.js" in sources
    assert "/static/vendor/swagger-ui.css" in sources
    assert all(source.startswith("/static/") for source in sources), sources
    assert "cdn" not in html.lower()
    # Every executable script is a file: the Content-Security-Policy allows no inline script.
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert 'src="' in attributes or 'type="application/json"' in attributes, attributes
        assert 'src="' not in attributes or not body.strip()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert analyst_client.get(SCHEMA).json()["info"]["title"] == "Renkei API"


def test_the_vendored_swagger_files_are_served(analyst_client):
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "../core/api_docs.js"):
        path = f"/static/vendor/{name}".replace("vendor/../", "")
        response = analyst_client.get(path)
        assert response.status_code == 200, path
        response.close()


def test_a_machine_reads_the_schema_with_its_api_token(client, analyst):
    _, secret = api_token_create(user=analyst, name="ci", days=1)
    response = client.get(SCHEMA, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert "/api/v1/ping" in response.json()["paths"]
    assert client.get(SCHEMA, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401

