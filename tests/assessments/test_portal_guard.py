"""The portal's boundary, every page the same way (the portal's IDOR guard): with the link of party A,
every page and write naming an object of party B answers 404 and changes nothing; without a link
every page but the open ones answers 403 with the clear page. A new portal URL must be added here."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver
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
from tests.factories import own_company
from tests.idor import Row, assert_not_found, assert_refused, module_objects

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("objects")]

# Open without a link on purpose: the link entry, the home page (it explains that a link is needed),
# the respondent's name and leaving.
OPEN_PAGES = {"enter", "home", "name", "leave"}


ROWS = [
    Row("portal:assignment", args=lambda o: (o["b"].pk,)),
    Row("portal:answer_save", "POST", args=lambda o: (o["b"].pk, o["q"].pk), payload=lambda o: {"value": "yes"}),
    Row("portal:evidence_add", "POST", args=lambda o: (o["b"].pk, o["q"].pk), payload=lambda o: {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x")}),
    Row("portal:comment_add", "POST", args=lambda o: (o["b"].pk, o["q"].pk), payload=lambda o: {"body": "hello"}),
    Row("portal:confirm", "POST", args=lambda o: (o["b"].pk, o["q"].pk)),
    Row("portal:section_save", "POST", args=lambda o: (o["b"].pk, o["q"].section_id), payload=lambda o: {f"q{o['q'].pk}": "no"}),
    Row("portal:evidence_delete", "POST", args=lambda o: (o["b"].pk, o["evidence"].pk)),
    Row("portal:evidence_delete", "POST", args=lambda o: (o["a"].pk, o["evidence"].pk)),  # B's file through A's assessment
    Row("portal:confirm_all", "POST", args=lambda o: (o["b"].pk,)),
    Row("portal:comment", "POST", args=lambda o: (o["b"].pk,), payload=lambda o: {"body": "hello"}),
    Row("portal:submit", args=lambda o: (o["b"].pk,)),
    Row("portal:submit", "POST", args=lambda o: (o["b"].pk,)),
    Row("portal:declarations", args=lambda o: (o["b"].pk,)),
    Row("portal:declarations", "POST", args=lambda o: (o["b"].pk,), payload=lambda o: {"name": "侵入"}),
    Row("portal:declaration_delete", "POST", args=lambda o: (o["b"].pk, o["declaration"].pk)),
    Row("portal:declaration_delete", "POST", args=lambda o: (o["a"].pk, o["declaration"].pk)),
    Row("portal:followup", args=lambda o: (o["follow_up"].pk,)),
    Row("portal:followup", "POST", args=lambda o: (o["follow_up"].pk,), payload=lambda o: {"body": "done", "status": "party_done"}),
    Row("portal:evidence", args=lambda o: (o["evidence"].pk,)),
    Row("portal:excel_export", args=lambda o: (o["b"].pk,)),
    Row("portal:excel_import", args=lambda o: (o["b"].pk,)),
    Row("portal:excel_import", "POST", args=lambda o: (o["b"].pk,), payload=lambda o: {"file": SimpleUploadedFile("a.xlsx", b"PK\x03\x04")}),
]


def _build() -> dict[str, Any]:
    """Party A's and party B's assessments and B's records (built once for the module)."""
    own = own_company()
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


def _snapshot() -> tuple[Any, ...]:
    return (
        list(Answer.objects.values_list("pk", "value", "version")),
        list(Evidence.objects.values_list("pk", flat=True)),
        list(SubcontractorDeclaration.objects.values_list("pk", "status")),
        ReviewComment.objects.count(),
        FollowUpMessage.objects.count(),
        list(FollowUp.objects.values_list("status", flat=True)),
    )


_shared_objects, objects = module_objects(_build)


def test_every_portal_url_is_in_the_table() -> None:
    namespace = get_resolver().namespace_dict["portal"][1]
    names = {n for n in namespace.reverse_dict.keys() if isinstance(n, str)}  # noqa: SIM118
    assert {f"portal:{n}" for n in names} == {f"portal:{n}" for n in OPEN_PAGES} | {row.target for row in ROWS}


def test_another_partys_objects_are_not_found(objects: dict[str, Any], client: Client) -> None:
    enter(client, objects["org_a"])
    before = _snapshot()
    for row in ROWS:
        response = assert_not_found(client, row, objects)
        if not response.streaming:
            assert "乙社" not in response.content.decode(), row
    assert _snapshot() == before


def test_without_a_link_every_page_is_refused(objects: dict[str, Any], client: Client) -> None:
    before = _snapshot()
    for row in ROWS:
        assert_refused(client, row, objects)
    assert _snapshot() == before
