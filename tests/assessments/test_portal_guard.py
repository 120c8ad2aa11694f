"""The portal's boundary, every page the same way (the portal's IDOR guard): with the link of party A,
every page and write naming an object of party B answers 404 and changes nothing; without a link
every page but the open ones answers 403 with the clear page. A new portal URL must be added here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from renkei.assessments.answering import services as answering
from renkei.assessments.models import (
    Answer,
    Evidence,
    FollowUp,
    FollowUpMessage,
    ReviewComment,
    SubcontractorDeclaration,
)
from tests.assessments.factories import assignment, party, small_framework
from tests.assessments.portal.helpers import enter

pytestmark = pytest.mark.django_db

# Open without a link on purpose: the link entry, the home page (it explains that a link is needed),
# the respondent's name and leaving.
OPEN_PAGES = {"enter", "home", "name", "leave"}


@dataclass(frozen=True)
class Row:
    name: str
    args: Any  # objects -> URL arguments
    method: str = "get"
    data: Any = None  # objects -> POST data


ROWS = [
    Row("assignment", lambda o: (o["b"].pk,)),
    Row("answer_save", lambda o: (o["b"].pk, o["q"].pk), "post", lambda o: {"value": "yes"}),
    Row("evidence_add", lambda o: (o["b"].pk, o["q"].pk), "post", lambda o: {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x")}),
    Row("comment_add", lambda o: (o["b"].pk, o["q"].pk), "post", lambda o: {"body": "hello"}),
    Row("confirm", lambda o: (o["b"].pk, o["q"].pk), "post"),
    Row("section_save", lambda o: (o["b"].pk, o["q"].section_id), "post", lambda o: {f"q{o['q'].pk}": "no"}),
    Row("evidence_delete", lambda o: (o["b"].pk, o["evidence"].pk), "post"),
    Row("evidence_delete", lambda o: (o["a"].pk, o["evidence"].pk), "post"),  # B's file through A's assessment
    Row("confirm_all", lambda o: (o["b"].pk,), "post"),
    Row("comment", lambda o: (o["b"].pk,), "post", lambda o: {"body": "hello"}),
    Row("submit", lambda o: (o["b"].pk,)),
    Row("submit", lambda o: (o["b"].pk,), "post"),
    Row("declarations", lambda o: (o["b"].pk,)),
    Row("declarations", lambda o: (o["b"].pk,), "post", lambda o: {"name": "侵入"}),
    Row("declaration_delete", lambda o: (o["b"].pk, o["declaration"].pk), "post"),
    Row("declaration_delete", lambda o: (o["a"].pk, o["declaration"].pk), "post"),
    Row("followup", lambda o: (o["follow_up"].pk,)),
    Row("followup", lambda o: (o["follow_up"].pk,), "post", lambda o: {"body": "done", "status": "party_done"}),
    Row("evidence", lambda o: (o["evidence"].pk,)),
    Row("excel_export", lambda o: (o["b"].pk,)),
    Row("excel_import", lambda o: (o["b"].pk,)),
    Row("excel_import", lambda o: (o["b"].pk,), "post", lambda o: {"file": SimpleUploadedFile("a.xlsx", b"PK\x03\x04")}),
]


@pytest.fixture
def objects(own: Any) -> dict[str, Any]:
    framework = small_framework()
    org_a, org_b = party(name="甲社"), party(name="乙社")
    a = assignment(organisation=org_a, framework=framework)
    b = assignment(organisation=org_b, framework=framework)
    q = b.framework.questions.get(ref="B-1")
    respondent = answering.Respondent(name="乙社の担当")
    return {
        "org_a": org_a,
        "a": a,
        "b": b,
        "q": q,
        "evidence": answering.evidence_add(
            respondent=respondent, assignment=b, question_id=q.pk, upload=SimpleUploadedFile("b.pdf", b"%PDF-1.4 b")
        ),
        "declaration": answering.declaration_add(respondent=respondent, assignment=b, name="乙社の再委託先"),
        "follow_up": FollowUp.objects.create(
            group_company=own, organisation=org_b, assignment=b, title="乙社の課題", due_date=timezone.localdate() + dt.timedelta(days=9)
        ),
    }


def _request(client: Client, row: Row, objects: dict[str, Any]) -> Any:
    path = reverse(f"portal:{row.name}", args=row.args(objects))
    if row.method == "post":
        return client.post(path, row.data(objects) if row.data else {})
    return client.get(path)


def _snapshot() -> tuple[Any, ...]:
    return (
        list(Answer.objects.values_list("pk", "value", "version")),
        list(Evidence.objects.values_list("pk", flat=True)),
        list(SubcontractorDeclaration.objects.values_list("pk", "status")),
        ReviewComment.objects.count(),
        FollowUpMessage.objects.count(),
        list(FollowUp.objects.values_list("status", flat=True)),
    )


def test_every_portal_url_is_in_the_table() -> None:
    namespace = get_resolver().namespace_dict["portal"][1]
    names = {n for n in namespace.reverse_dict.keys() if isinstance(n, str)}  # noqa: SIM118
    assert names == OPEN_PAGES | {row.name for row in ROWS}


def test_another_partys_objects_are_not_found(objects: dict[str, Any], client: Client) -> None:
    enter(client, objects["org_a"])
    before = _snapshot()
    for row in ROWS:
        response = _request(client, row, objects)
        assert response.status_code == 404, row
        if not response.streaming:
            assert "乙社" not in response.content.decode(), row
    assert _snapshot() == before


def test_without_a_link_every_page_is_refused(objects: dict[str, Any], client: Client) -> None:
    before = _snapshot()
    for row in ROWS:
        assert _request(client, row, objects).status_code == 403, row
    assert _snapshot() == before
