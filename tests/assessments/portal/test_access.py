"""The partner portal's entry: link entry and its clear pages, leaving, the party's boundary (another
party's objects answer 404) and the language.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from renkei.accounts.services import portal_link_issue, portal_link_revoke
from renkei.assessments.answering import services as answering
from renkei.assessments.models import (
    Answer,
    Assignment,
    Evidence,
    FollowUp,
    FollowUpMessage,
    FollowUpStatus,
    SubcontractorDeclaration,
)
from tests.assessments.factories import assignment, party, small_framework
from tests.assessments.portal.helpers import (
    NAME,
    enter,
    qid,
    save,
)

# --- the link -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_link_opens_the_partys_home(own, client):
    org = party(name="株式会社委託先")
    a = assignment(organisation=org)
    enter(client, org)
    response = client.get("/portal/")
    html = response.content.decode()
    assert response.status_code == 200
    assert own.name in html and "株式会社委託先" in html and a.framework.name_ja in html
    assert f"/portal/a/{a.pk}/" in html and "0 / 5" in html
    assert response["Cache-Control"].count("no-store") and response["Referrer-Policy"] == "same-origin"
    assert "Asia/Tokyo" in html
    # The token is no longer in the URL after entering.
    assert "/portal/t/" not in html


@pytest.mark.django_db
def test_unknown_token_and_no_link_show_a_clear_page(own, client):
    response = client.get("/portal/t/rp_unknown-token/")
    assert response.status_code == 404 and 'data-state="unknown"' in response.content.decode()
    response = client.get("/portal/")
    assert response.status_code == 403 and 'data-state="missing"' in response.content.decode()
    a = assignment()
    assert client.get(f"/portal/a/{a.pk}/").status_code == 403
    response = save(client, f"/portal/a/{a.pk}/q/{qid(a, 'A-1')}/", "yes")
    assert response.status_code == 403 and response.json()["message"]
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_expired_link_shows_a_clear_page(own, client):
    org = party()
    link, raw = portal_link_issue(user=None, organisation=org, expires_at=timezone.now() + dt.timedelta(days=1))
    type(link).objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(f"/portal/t/{raw}/")
    assert response.status_code == 403 and 'data-state="expired"' in response.content.decode()
    assert own.name in response.content.decode()  # "ask your contact at <company>"


@pytest.mark.django_db
def test_link_revoked_after_entering_is_refused_at_once(own, analyst, client):
    org = party()
    a = assignment(organisation=org)
    link, raw = portal_link_issue(user=None, organisation=org, expires_at=timezone.now() + dt.timedelta(days=5))
    client.get(f"/portal/t/{raw}/")
    client.post("/portal/name/", {"name": NAME})
    assert client.get("/portal/").status_code == 200
    portal_link_revoke(user=analyst, link=link)
    response = client.get("/portal/")
    assert response.status_code == 403 and 'data-state="revoked"' in response.content.decode()
    assert client.get(f"/portal/a/{a.pk}/").status_code == 403
    response = save(client, f"/portal/a/{a.pk}/q/{qid(a, 'A-1')}/", "yes")
    assert response.status_code == 403
    assert not Answer.objects.exists()
    # The expiry moving past while the browser is inside works the same way.
    link2, raw2 = portal_link_issue(user=None, organisation=org, expires_at=timezone.now() + dt.timedelta(days=5))
    client.get(f"/portal/t/{raw2}/")
    assert client.get("/portal/").status_code == 200
    type(link2).objects.filter(pk=link2.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/portal/").status_code == 403


@pytest.mark.django_db
def test_leaving_forgets_the_link_in_this_browser(own, client):
    org = party()
    enter(client, org)
    assert client.get("/portal/leave/").status_code == 200
    response = client.post("/portal/leave/")
    assert response.status_code == 200 and 'id="portal-left"' in response.content.decode()
    assert client.get("/portal/").status_code == 403


# --- the party's boundary -------------------------------------------------------------------------


@pytest.mark.django_db
def test_link_of_one_party_cannot_reach_another_partys_objects(own, analyst, client):
    org_a, org_b = party(name="甲社"), party(name="乙社")
    framework = small_framework()
    a = assignment(organisation=org_a, framework=framework)
    b = assignment(organisation=org_b, framework=framework)
    q = qid(b, "B-1")
    b_respondent = answering.Respondent(name="乙社の担当")
    evidence = answering.evidence_add(respondent=b_respondent, assignment=b, question_id=q, upload=SimpleUploadedFile("b.pdf", b"%PDF-1.4 b"))
    declaration = answering.declaration_add(respondent=b_respondent, assignment=b, name="乙社の再委託先")
    follow_up = FollowUp.objects.create(
        group_company=own, organisation=org_b, assignment=b, title="乙社の課題", due_date=timezone.localdate() + dt.timedelta(days=30)
    )
    enter(client, org_a)
    assert client.get(f"/portal/a/{a.pk}/").status_code == 200
    for url in (
        f"/portal/a/{b.pk}/",
        f"/portal/a/{b.pk}/submit/",
        f"/portal/a/{b.pk}/declarations/",
        f"/portal/evidence/{evidence.pk}/",
        f"/portal/followups/{follow_up.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "乙社" not in response.content.decode()
    response = save(client, f"/portal/a/{b.pk}/q/{q}/", "yes")
    assert response.status_code == 404
    posts = [
        (f"/portal/a/{b.pk}/q/{q}/evidence/", {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x")}),
        (f"/portal/a/{b.pk}/q/{q}/comment/", {"body": "hello"}),
        (f"/portal/a/{b.pk}/evidence/{evidence.pk}/delete/", {}),
        (f"/portal/a/{a.pk}/evidence/{evidence.pk}/delete/", {}),  # B's evidence through A's assessment
        (f"/portal/a/{b.pk}/declarations/", {"name": "侵入"}),
        (f"/portal/a/{b.pk}/declarations/{declaration.pk}/delete/", {}),
        (f"/portal/a/{a.pk}/declarations/{declaration.pk}/delete/", {}),
        (f"/portal/a/{b.pk}/submit/", {}),
        (f"/portal/a/{b.pk}/confirm/", {}),
        (f"/portal/followups/{follow_up.pk}/", {"body": "done", "status": "party_done"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    # A question of another framework through the party's own assessment is not found either.
    other = small_framework(key="other-small")
    assert save(client, f"/portal/a/{a.pk}/q/{other.questions.first().pk}/", "yes").status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert SubcontractorDeclaration.objects.filter(assignment=b).count() == 1
    assert not Answer.objects.exists() and not FollowUpMessage.objects.exists()
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.OPEN


# --- language -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_japanese_by_default_english_with_lang_and_from_the_assignment(own, client):
    org = party()
    a = assignment(organisation=org)
    enter(client, org)
    response = client.get(f"/portal/a/{a.pk}/")
    assert response["Content-Language"] == "ja" and "責任者を決めていますか" in response.content.decode()
    response = client.get(f"/portal/a/{a.pk}/?lang=en")
    html = response.content.decode()
    assert response["Content-Language"] == "en" and '<html lang="en">' in html and "Is someone responsible?" in html
    assert 'id="portal-lang"' in html and "?lang=ja" in html
    # The choice stays for the next pages of this visit.
    assert "Is someone responsible?" in client.get(f"/portal/a/{a.pk}/").content.decode()
    # An assessment sent in English opens in English in a fresh browser.
    Assignment.objects.filter(pk=a.pk).update(language="en")
    fresh = enter(Client(), org)
    assert fresh.get(f"/portal/a/{a.pk}/")["Content-Language"] == "en"
