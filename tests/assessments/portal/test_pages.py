"""The partner portal's pages: the respondent's name, autosave with conflicts, the page without
JavaScript, evidence, declared subcontractors, follow-up replies, read only after submission, query counts.
"""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from renkei.assessments.answering import services as answering
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.models import (
    Answer,
    AssignmentStatus,
    DeclarationStatus,
    Evidence,
    FollowUp,
    FollowUpStatus,
    ReviewState,
    SubcontractorDeclaration,
)
from renkei.assessments.review import services as review_services
from tests import factories as f
from tests.assessments.factories import assignment, party
from tests.assessments.portal.helpers import (
    NAME,
    _queries,
    answer_all,
    big_framework,
    enter,
    fill_some,
    qid,
    save,
)

# --- answering ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_write_without_the_respondents_name_is_refused(own, client):
    org = party()
    a = assignment(organisation=org)
    enter(client, org, name=None)
    page = client.get(f"/portal/a/{a.pk}/").content.decode()
    assert 'id="q-name-form"' in page and "disabled" in page
    response = save(client, f"/portal/a/{a.pk}/q/{qid(a, 'A-1')}/", "yes")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "name"
    response = client.post(f"/portal/a/{a.pk}/s/{a.framework.sections.get(ref='A').pk}/", {f"q{qid(a, 'A-1')}": "yes"})
    assert response.status_code == 400
    assert client.post(f"/portal/a/{a.pk}/q/{qid(a, 'A-1')}/comment/", {"body": "質問"}).status_code == 400
    assert client.post(f"/portal/a/{a.pk}/declarations/", {"name": "再委託先", "country": "JP"}).status_code == 400
    assert client.post("/portal/name/", {"name": "   "}).status_code == 400
    assert not Answer.objects.exists() and not SubcontractorDeclaration.objects.exists()
    # With the name given, the same save goes through and names the person.
    assert client.post("/portal/name/", {"name": NAME, "next": f"/portal/a/{a.pk}/"})["Location"] == f"/portal/a/{a.pk}/"
    assert save(client, f"/portal/a/{a.pk}/q/{qid(a, 'A-1')}/", "yes").status_code == 200
    assert Answer.objects.get().updated_by_name == NAME


@pytest.mark.django_db
def test_name_page_only_returns_into_the_portal(own, client):
    org = party()
    enter(client, org, name=None)
    response = client.post("/portal/name/", {"name": NAME, "next": "https://evil.example/"})
    assert response["Location"] == "/portal/"


@pytest.mark.django_db
def test_autosave_happy_path_with_audit_trail(own, client):
    org = party(name="株式会社委託先")
    a = assignment(organisation=org)
    enter(client, org)
    page = client.get(f"/portal/a/{a.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "責任者を決めていますか" in html and 'id="questionnaire"' in html
    assert "設定画面" in html and "★4" in html  # evidence hint and level tags
    response = save(client, f"/portal/a/{a.pk}/q/{qid(a, 'A-1')}/", "yes", note="情報システム部長")
    body = response.json()
    assert response.status_code == 200
    assert body["version"] == 1 and body["value"] == "yes" and body["label"] and body["updated_by"] == NAME
    assert body["answered"] == 1 and body["total"] == 5 and body["updated_at"]
    answer = Answer.objects.get(assignment=a)
    assert answer.note == "情報システム部長" and answer.updated_by_name == NAME
    a.refresh_from_db()
    assert a.status == AssignmentStatus.IN_PROGRESS
    entry = LogEntry.objects.get_for_model(Answer).latest("pk")
    assert entry.additional_data == {"via": f"portal: 株式会社委託先 / {NAME}"}
    # Multiple choice, number and date values too; the next save starts from the returned version.
    assert save(client, f"/portal/a/{a.pk}/q/{qid(a, 'B-2')}/", "1,200").json()["value"] == 1200
    assert save(client, f"/portal/a/{a.pk}/q/{qid(a, 'A-1')}/", "no", base_version=1).json()["version"] == 2


@pytest.mark.django_db
def test_autosave_bad_value_is_refused_and_nothing_saved(own, client):
    org = party()
    a = assignment(organisation=org)
    enter(client, org)
    response = save(client, f"/portal/a/{a.pk}/q/{qid(a, 'B-2')}/", "たくさん")
    assert response.status_code == 400 and response.json()["message"] and response.json()["errors"]
    response = save(client, f"/portal/a/{a.pk}/q/{qid(a, 'A-1')}/", "maybe")
    assert response.status_code == 400
    response = client.post(f"/portal/a/{a.pk}/q/{qid(a, 'A-1')}/", data="not json", content_type="application/json")
    assert response.status_code == 400
    response = save(client, f"/portal/a/{a.pk}/q/{qid(a, 'A-1')}/", "yes", base_version="1")  # type: ignore[arg-type]
    assert response.status_code == 400
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_concurrent_edit_is_a_conflict_with_the_other_persons_answer(own):
    org = party()
    a = assignment(organisation=org)
    yamada, sato = enter(Client(), org, name=NAME), enter(Client(), org, name="佐藤 花子")
    url = f"/portal/a/{a.pk}/q/{qid(a, 'A-1')}/"
    # Both loaded the page at version 0; 山田 saves first.
    assert save(yamada, url, "yes", note="山田の補足").status_code == 200
    response = save(sato, url, "no")
    body = response.json()
    assert response.status_code == 409 and NAME in body["message"]
    current = body["current"]
    assert current["value"] == "yes" and current["note"] == "山田の補足" and current["updated_by"] == NAME
    assert current["version"] == 1 and current["label"] and current["time"]
    answer = Answer.objects.get(assignment=a)
    assert answer.value == "yes" and answer.updated_by_name == NAME
    # 佐藤 chooses "keep mine": sent again on top of 山田's version.
    response = save(sato, url, "no", base_version=current["version"])
    assert response.status_code == 200 and response.json()["updated_by"] == "佐藤 花子"


@pytest.mark.django_db
def test_section_form_without_javascript(own, client):
    org = party()
    a = assignment(organisation=org)
    enter(client, org)
    section = a.framework.sections.get(ref="B")
    url = f"/portal/a/{a.pk}/s/{section.pk}/"
    b1, b2, b3 = qid(a, "B-1"), qid(a, "B-2"), qid(a, "B-3")
    # One bad value: nothing saved, the page shows the error and keeps what was typed.
    response = client.post(url, {f"q{b1}": "yes", f"q{b2}": "たくさん", f"q{b3}": "full", f"q{b1}-note": "MFA 導入済み"})
    html = response.content.decode()
    assert response.status_code == 400 and "B-2" in html and "たくさん" in html and "MFA 導入済み" in html
    assert not Answer.objects.exists()
    response = client.post(url, {f"q{b1}": "yes", f"q{b2}": "12", f"q{b3}": "full", f"q{b1}-note": "MFA 導入済み", f"q{b1}-version": "0"})
    assert response.status_code == 302 and response["Location"].endswith(f"#s-{section.pk}")
    assert Answer.objects.filter(assignment=a).count() == 3
    assert Answer.objects.get(question_id=b1).note == "MFA 導入済み"
    # Somebody else changed B-1 after this page was loaded (at version 1): a conflict, nothing saved.
    answering.answer_save(respondent=answering.Respondent(name="佐藤 花子"), assignment=a, question_id=b1, value="partly")
    response = client.post(url, {f"q{b1}": "no", f"q{b1}-version": "1", f"q{b2}": "13", f"q{b2}-version": "1", f"q{b3}": "full", f"q{b3}-version": "1"})
    assert response.status_code == 409 and "佐藤 花子" in response.content.decode()
    assert Answer.objects.get(question_id=b1).value == "partly" and Answer.objects.get(question_id=b2).value == 12


@pytest.mark.django_db
def test_carried_over_answers_are_confirmed_or_changed(own, analyst, client):
    org = party()
    first = assignment(organisation=org)
    answer_all(first)
    answering.assignment_submit(respondent=answering.Respondent(name=NAME), assignment=first)
    review_services.assignment_accept(user=analyst, assignment=first)
    second = campaign_services.assignment_create(
        user=analyst, organisation=org, framework=first.framework, due_date=timezone.localdate() + dt.timedelta(days=20)
    )
    enter(client, org)
    html = client.get(f"/portal/a/{second.pk}/").content.decode()
    assert html.count('class="q-carried-note"') == 4 and 'id="q-confirm-all"' in html
    # The submit page lists what is unconfirmed, with links to the questions.
    html = client.get(f"/portal/a/{second.pk}/submit/").content.decode()
    assert f"#q-{qid(second, 'A-1')}" in html and "submit-carried" in html
    assert client.post(f"/portal/a/{second.pk}/q/{qid(second, 'A-1')}/confirm/")["Location"].endswith(f"#q-{qid(second, 'A-1')}")
    assert second.answers.filter(carried_over=True).count() == 3
    client.post(f"/portal/a/{second.pk}/confirm/")
    assert second.answers.filter(carried_over=True).count() == 0
    response = client.post(f"/portal/a/{second.pk}/submit/")
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == AssignmentStatus.SUBMITTED and second.submitted_by_name == NAME


@pytest.mark.django_db
def test_submission_refused_until_complete_then_read_only(own, client):
    org = party()
    a = assignment(organisation=org)
    enter(client, org)
    html = client.get(f"/portal/a/{a.pk}/submit/").content.decode()
    assert "submit-missing" in html and f"#q-{qid(a, 'A-1')}" in html and "disabled" in html
    response = client.post(f"/portal/a/{a.pk}/submit/")
    assert response.status_code == 400 and "A-1" in response.content.decode()
    answer_all(a)
    response = client.post(f"/portal/a/{a.pk}/submit/")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    a.refresh_from_db()
    assert a.status == AssignmentStatus.SUBMITTED
    response = save(client, f"/portal/a/{a.pk}/q/{qid(a, 'A-1')}/", "no", base_version=1)
    assert response.status_code == 409 and response.json()["message"]
    assert Answer.objects.get(assignment=a, question_id=qid(a, "A-1")).value == "yes"
    html = client.get(f"/portal/a/{a.pk}/").content.decode()
    assert 'id="q-readonly"' in html and NAME in html
    for control in ('type="radio"', 'type="file"', "q-section-save", 'name="q'):
        assert control not in html
    response = client.post(
        f"/portal/a/{a.pk}/q/{qid(a, 'B-1')}/evidence/", {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x")}
    )
    assert response.status_code == 409 and not Evidence.objects.exists()
    assert client.post(f"/portal/a/{a.pk}/declarations/", {"name": "再委託先", "country": "JP"}).status_code == 409


@pytest.mark.django_db
def test_changes_requested_are_highlighted(own, analyst, client):
    org = party()
    a = assignment(organisation=org)
    answer_all(a)
    answering.assignment_submit(respondent=answering.Respondent(name=NAME), assignment=a)
    answer = Answer.objects.get(assignment=a, question__ref="B-1")
    review_services.answer_review(user=analyst, answer=answer, state=ReviewState.CHANGE_REQUESTED, comment="設定画面を添付してください")
    review_services.assignment_return(user=analyst, assignment=a, message="全体として概ね良好です")
    enter(client, org)
    html = client.get(f"/portal/a/{a.pk}/").content.decode()
    top = html[html.index('id="q-change-requests"') : html.index('class="q-summary"')]
    assert f'href="#q-{answer.question_id}"' in top and "設定画面を添付してください" in top and "全体として概ね良好です" in top
    assert html.count("q-change-note") == 1 and 'type="radio"' in html
    # Changing the answer takes it off the list.
    save(client, f"/portal/a/{a.pk}/q/{answer.question_id}/", "partly", base_version=answer.version)
    html = client.get(f"/portal/a/{a.pk}/").content.decode()
    assert "q-change-note" not in html


# --- evidence -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_evidence_upload_download_delete_and_limits(own, client, settings):
    org = party()
    a = assignment(organisation=org)
    enter(client, org)
    q = qid(a, "B-1")
    url = f"/portal/a/{a.pk}/q/{q}/evidence/"
    response = client.post(url, {"file": SimpleUploadedFile("設定画面.pdf", b"%PDF-1.4 evidence")})
    assert response.status_code == 302 and response["Location"].endswith(f"#q-{q}")
    evidence = Evidence.objects.get(assignment=a)
    assert evidence.name == "設定画面.pdf" and evidence.uploaded_by_name == NAME
    html = client.get(f"/portal/a/{a.pk}/").content.decode()
    assert f"/portal/evidence/{evidence.pk}/" in html and "10 MB" in html and "pdf" in html
    download = client.get(f"/portal/evidence/{evidence.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    # A renamed executable and a file over the limit are refused, with the reason on the page.
    response = client.post(url, {"file": SimpleUploadedFile("tool.pdf", b"MZ\x90\x00")})
    assert response.status_code == 400 and "tool.pdf" in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00")})
    assert response.status_code == 400
    settings.RENKEI_MAX_EVIDENCE_BYTES = 10
    response = client.post(url, {"file": SimpleUploadedFile("big.txt", b"x" * 11)})
    assert response.status_code == 413
    settings.RENKEI_MAX_UPLOAD_BYTES = 10
    response = client.post(url, {"file": SimpleUploadedFile("huge.pdf", b"%PDF-" + b"x" * 100_000)})
    assert response.status_code == 413
    assert Evidence.objects.filter(assignment=a).count() == 1
    response = client.post(f"/portal/a/{a.pk}/evidence/{evidence.pk}/delete/")
    assert response.status_code == 302 and not Evidence.objects.exists()


# --- declared subcontractors ----------------------------------------------------------------------


@pytest.mark.django_db
def test_declarations_add_remove_and_only_the_partys_assets(own, analyst, client):
    org = party()
    a = assignment(organisation=org)
    shared = f.InformationAssetFactory(name="顧客名簿")
    f.DataHoldingFactory(asset=shared, holder=org, received_from=own)
    secret = f.InformationAssetFactory(name="設計図面")  # not shared with this party
    enter(client, org)
    url = f"/portal/a/{a.pk}/declarations/"
    html = client.get(url).content.decode()
    assert "顧客名簿" in html and "設計図面" not in html
    response = client.post(url, {"name": "再委託株式会社", "country": "JP", "assets": [str(secret.pk)]})
    assert response.status_code == 400 and not SubcontractorDeclaration.objects.exists()
    response = client.post(url, {"name": "再委託株式会社", "country": "JP", "corporate_number": "12345", "assets": [str(shared.pk)]})
    assert response.status_code == 400 and not SubcontractorDeclaration.objects.exists()
    response = client.post(
        url, {"name": "再委託株式会社", "country": "jp", "service": "データ入力", "assets": [str(shared.pk)]}
    )
    assert response.status_code == 302
    declaration = SubcontractorDeclaration.objects.get()
    assert declaration.declared_by_name == NAME and declaration.country == "JP" and list(declaration.assets.all()) == [shared]
    html = client.get(url).content.decode()
    assert "再委託株式会社" in html and "データ入力" in html
    assert client.post(f"{url}{declaration.pk}/delete/").status_code == 302
    assert not SubcontractorDeclaration.objects.exists()
    # Once our analyst has decided, the party can no longer delete it.
    kept = answering.declaration_add(respondent=answering.Respondent(name=NAME), assignment=a, name="別の再委託先")
    SubcontractorDeclaration.objects.filter(pk=kept.pk).update(status=DeclarationStatus.REJECTED)
    assert client.post(f"{url}{kept.pk}/delete/").status_code == 409
    assert SubcontractorDeclaration.objects.filter(pk=kept.pk).exists()


# --- follow-up items ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_follow_up_reply_and_the_party_cannot_close(own, client):
    org = party()
    a = assignment(organisation=org)
    item = FollowUp.objects.create(
        group_company=own, organisation=org, assignment=a, title="多要素認証の導入", due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    enter(client, org)
    home = client.get("/portal/").content.decode()
    assert "多要素認証の導入" in home and f"/portal/followups/{item.pk}/" in home and "status-overdue" in home
    url = f"/portal/followups/{item.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"body": "来月導入します", "status": "in_progress"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == FollowUpStatus.IN_PROGRESS
    message = item.messages.get()
    assert message.from_party and message.author_name == NAME and "来月導入します" in message.body
    response = client.post(url, {"body": "完了しました", "status": "resolved"})
    assert response.status_code == 403 and "完了しました" in response.content.decode()
    item.refresh_from_db()
    assert item.status == FollowUpStatus.IN_PROGRESS and item.messages.count() == 1
    response = client.post(url, {"body": "導入しました", "status": "party_done"})
    item.refresh_from_db()
    assert item.status == FollowUpStatus.PARTY_DONE
    html = client.get(url).content.decode()
    assert "導入しました" in html and "来月導入します" in html


@pytest.mark.django_db
def test_portal_page_query_count_does_not_grow_with_questions(own, client):
    org = party()
    small = assignment(organisation=org, framework=big_framework(5, "five"))
    large = assignment(organisation=org, framework=big_framework(60, "sixty"))
    fill_some(small, 3)
    fill_some(large, 40)
    enter(client, org)
    assert _queries(client, f"/portal/a/{small.pk}/") == _queries(client, f"/portal/a/{large.pk}/")
