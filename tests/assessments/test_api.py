"""The assessments API as a whole (/api/v1/assessments/): query counts of the lists and the schema.
The behaviours of each endpoint, with a token and with a session, are in the sub-packages' test_api.py;
anonymous, viewer and other-company behaviour is in test_api_permissions.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from renkei.accounts.services import api_token_create
from renkei.assessments.answering import services as answer_services
from renkei.assessments.models import (
    Assignment,
    Campaign,
    FollowUp,
)
from renkei.registry.models import Criticality
from tests import factories as f
from tests.assessments.api_helpers import API, PARTNER, today
from tests.assessments.factories import assignment, party, small_framework

pytestmark = pytest.mark.django_db

@pytest.fixture
def token_client(analyst: Any) -> Client:
    _token, raw = api_token_create(user=analyst, name="CI", days=30)
    return Client(headers={"Authorization": f"Bearer {raw}"})

# --- query counts --------------------------------------------------------------------------------


def add_rows(own: Any, count: int, start: int) -> Assignment:
    """`count` rows of every list, each with its own related objects."""
    framework = small_framework()
    last = None
    for i in range(start, start + count):
        org = party(name=f"行{i:03d}株式会社", criticality=Criticality.CRITICAL if i % 2 else Criticality.LOW)
        f.DataHoldingFactory(holder=org)
        f.SystemAccessFactory(organisation=org)
        campaign = Campaign.objects.create(name=f"点検{i}", framework=framework, group_company=own, due_date=today())
        campaign.parties.add(org)
        last = assignment(org, framework=framework)
        answer_services.answers_save_many(respondent=PARTNER, assignment=last, values={"A-1": ("no", f"注{i}")})
        answer_services.comment_add(respondent=PARTNER, assignment=last, body="質問", question_id=last.framework.questions.get(ref="A-1").pk)
        FollowUp.objects.create(organisation=org, group_company=own, title=f"是正{i}", due_date=today(), assignment=last)
        answer_services.declaration_add(respondent=PARTNER, assignment=last, name=f"再委託{i}")
    assert last is not None
    return last


def test_query_counts_do_not_grow_with_rows(analyst_client: Client, own: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lists = ["/frameworks", "/parties", "/campaigns", "/assignments", "/follow-ups", "/policies"]

    def counts(one: Assignment) -> dict[str, int]:
        result = {}
        for path in [*lists, f"/assignments/{one.pk}/answers", f"/assignments/{one.pk}/declarations"]:
            analyst_client.get(API + path)  # warm the session and caches
            with CaptureQueriesContext(connection) as queries:
                assert analyst_client.get(API + path).status_code == 200
            result[path.replace(str(one.pk), "{pk}")] = len(queries)
        return result

    few = counts(add_rows(own, 2, 0))
    many = counts(add_rows(own, 6, 2))
    assert few == many


# --- the schema ----------------------------------------------------------------------------------


def test_openapi_lists_the_assessment_endpoints(analyst_client: Client) -> None:
    response = analyst_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        f"{API}/frameworks": {"get", "post"},
        f"{API}/frameworks/{{pk}}": {"get", "delete"},
        f"{API}/frameworks/{{pk}}/active": {"post"},
        f"{API}/parties": {"get"},
        f"{API}/parties/{{org_id}}/override": {"put", "delete"},
        f"{API}/policies/{{company_id}}": {"get", "put"},
        f"{API}/campaigns": {"get", "post"},
        f"{API}/campaigns/{{pk}}": {"get", "patch", "delete"},
        f"{API}/campaigns/{{pk}}/parties": {"get", "put"},
        f"{API}/campaigns/{{pk}}/launch": {"post"},
        f"{API}/campaigns/{{pk}}/close": {"post"},
        f"{API}/assignments": {"get", "post"},
        f"{API}/assignments/{{pk}}": {"get", "delete"},
        f"{API}/assignments/{{pk}}/answers": {"get", "put"},
        f"{API}/assignments/{{pk}}/answers/{{question_ref}}": {"patch"},
        f"{API}/assignments/{{pk}}/answers/{{question_ref}}/review": {"post"},
        f"{API}/assignments/{{pk}}/submit": {"post"},
        f"{API}/assignments/{{pk}}/accept": {"post"},
        f"{API}/assignments/{{pk}}/return": {"post"},
        f"{API}/assignments/{{pk}}/proposed-follow-ups": {"get"},
        f"{API}/assignments/{{pk}}/follow-ups": {"post"},
        f"{API}/assignments/{{pk}}/declarations": {"get"},
        f"{API}/declarations/{{pk}}/accept": {"post"},
        f"{API}/declarations/{{pk}}/reject": {"post"},
        f"{API}/follow-ups": {"get", "post"},
        f"{API}/follow-ups/{{pk}}": {"get", "put", "patch", "delete"},
        f"{API}/follow-ups/{{pk}}/messages": {"get", "post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths.get(path, {})), path
    conflict = paths[f"{API}/assignments/{{pk}}/answers/{{question_ref}}"]["patch"]["responses"]["409"]
    assert "ConflictOut" in str(conflict)
    upload = paths[f"{API}/frameworks"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
