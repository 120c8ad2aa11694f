"""The framework library API (/api/v1/assessments/frameworks/). Anonymous, viewer and other-company
behaviour is in tests/assessments/test_api_permissions.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from renkei.assessments.models import (
    Framework,
)
from tests.assessments.api_helpers import API, send
from tests.assessments.factories import SMALL_FRAMEWORK, assignment, small_framework

pytestmark = pytest.mark.django_db


# --- frameworks ----------------------------------------------------------------------------------


def test_framework_list_and_detail_with_a_token(token_client: Client) -> None:
    framework = small_framework()
    page = token_client.get(f"{API}/frameworks", {"q": "test-small"}).json()
    assert (page["count"], page["limit"], page["offset"]) == (1, 50, 0)
    item = page["items"][0]
    assert (item["key"], item["version"], item["name_ja"], item["question_count"], item["origin"]) == (
        "test-small", "1", "小さな確認", 5, "uploaded"
    )
    builtin = token_client.get(f"{API}/frameworks", {"origin": "builtin", "active": "true"}).json()
    assert builtin["count"] == 4 and "test-small" not in {i["key"] for i in builtin["items"]}

    detail = token_client.get(f"{API}/frameworks/{framework.pk}").json()
    assert detail["in_use"] is False and detail["levels"] == ["★3", "★4"]
    assert [s["ref"] for s in detail["sections"]] == ["A", "B"]
    a1, a2 = detail["sections"][0]["questions"]
    assert (a1["ref"], a1["section"], a1["text_en"], a1["answer_type"], a1["weight"], a1["levels"]) == (
        "A-1", "A", "Is someone responsible?", "yesno", 2.0, ["★3", "★4"]
    )
    b1, b2, b3 = detail["sections"][1]["questions"]
    assert (b1["evidence_ja"], b1["evidence_en"], b2["required"]) == ("設定画面", "Settings screen", False)
    assert [(c["value"], c["en"], c["score"]) for c in b3["choices"]] == [
        ("none", "None", 0), ("partial", "Partial", 1), ("full", "Full", 2)
    ]
    assert token_client.get(f"{API}/frameworks/999999").status_code == 404


def yaml_file(text: str, name: str = "framework.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="application/x-yaml")


def test_framework_upload(analyst_client: Client, own: Any) -> None:
    text = SMALL_FRAMEWORK.replace("key: test-small", "key: uploaded-check")
    response = analyst_client.post(f"{API}/frameworks", {"file": yaml_file(text)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["key"], body["origin"], body["group_company_id"], body["question_count"]) == (
        "uploaded-check", "uploaded", None, 5
    )
    assert sum(len(s["questions"]) for s in body["sections"]) == 5
    # For one group company only.
    text2 = SMALL_FRAMEWORK.replace("key: test-small", "key: company-check")
    response = analyst_client.post(f"{API}/frameworks", {"file": yaml_file(text2), "group_company_id": str(own.pk)})
    assert response.status_code == 201 and response.json()["group_company_id"] == own.pk


def test_framework_upload_with_schema_errors_lists_every_problem(analyst_client: Client) -> None:
    broken = """
schema: renkei-framework/1
key: Broken Key
version: "1"
name: 壊れた枠組み
sections:
  - id: A
    title: 管理
    questions:
      - {id: A-1, text: 責任者は, type: maybe}
      - {id: A-1, type: yesno}
"""
    response = analyst_client.post(f"{API}/frameworks", {"file": yaml_file(broken, "broken.yaml")})
    assert response.status_code == 400
    body = response.json()
    assert "broken.yaml" in body["message"]
    fields = [e["field"] for e in body["errors"]]
    assert len(body["errors"]) >= 4, body
    assert "key" in fields and any("questions[0]" in f and f.endswith(".type") for f in fields)
    assert any("questions[1]" in f and f.endswith(".text") for f in fields)
    assert all(e["message"].startswith("broken.yaml: ") for e in body["errors"])
    assert not Framework.objects.filter(name_ja="壊れた枠組み").exists()

    not_yaml = analyst_client.post(f"{API}/frameworks", {"file": yaml_file("a: [b", "bad.yaml")})
    assert not_yaml.status_code == 400 and not_yaml.json()["errors"][0]["field"] == "file"
    missing = analyst_client.post(f"{API}/frameworks", {"other": "x"})
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "file"
    huge = analyst_client.post(f"{API}/frameworks", {"file": yaml_file("a: b")}, CONTENT_LENGTH=str(50 * 2**20))
    assert huge.status_code == 413
    unknown_company = analyst_client.post(f"{API}/frameworks", {"file": yaml_file(SMALL_FRAMEWORK), "group_company_id": "999999"})
    assert unknown_company.status_code == 400 and unknown_company.json()["errors"][0]["field"] == "group_company_id"


def test_framework_retire_and_delete(token_client: Client, own: Any) -> None:
    framework = small_framework()
    response = send(token_client, "post", f"{API}/frameworks/{framework.pk}/active", {"active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert framework.pk not in {i["id"] for i in token_client.get(f"{API}/frameworks", {"active": "true"}).json()["items"]}
    send(token_client, "post", f"{API}/frameworks/{framework.pk}/active", {"active": True})

    assignment(framework=framework)
    used = token_client.delete(f"{API}/frameworks/{framework.pk}")
    assert used.status_code == 409 and used.json()["message"]
    assert Framework.objects.filter(pk=framework.pk).exists()
    assert token_client.get(f"{API}/frameworks/{framework.pk}").json()["in_use"] is True

    unused = small_framework(key="unused-check")
    assert token_client.delete(f"{API}/frameworks/{unused.pk}").status_code == 204
    assert not Framework.objects.filter(pk=unused.pk).exists()


def test_deeply_nested_yaml_answers_400_on_the_api_and_the_page(analyst_client: Client) -> None:
    nested = "[" * 5000 + "]" * 5000
    response = analyst_client.post(f"{API}/frameworks", {"file": yaml_file(nested, "deep.yaml")})
    assert response.status_code == 400
    assert "deep.yaml" in response.json()["message"]
    page = analyst_client.post(reverse("assessments:framework_upload"), {"file": yaml_file(nested, "deep.yaml")})
    assert page.status_code == 400
    assert "deep.yaml" in page.content.decode()
    assert not Framework.objects.filter(origin="uploaded").exists()
