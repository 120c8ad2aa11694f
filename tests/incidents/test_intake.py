"""The public intake under normal use and under abuse, and the CSIRT's triage of what comes in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from renkei.core.errors import RenkeiError
from renkei.core.permissions import Role
from renkei.core.tokens import hash_token
from renkei.incidents import intake
from renkei.incidents.models import Incident, IntakeAttachment, IntakeMessage, IntakeReport, IntakeStatus
from tests import factories as f

FORM = "intake:form"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


def pdf(name: str = "evidence.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "partner_report",
        "message": "当社の配送委託先で不正アクセスがありました。",
        "reporter_name": "山田太郎",
        "reporter_email": "yamada@example.jp",
        "reporter_organisation": "山田運輸株式会社",
    }
    data.update(overrides)
    return data


def submit(client: Client, **overrides: Any) -> Any:
    return client.post(reverse(FORM), form_data(**overrides))


def receipt_code(client: Client) -> str:
    page = client.get(reverse("intake:receipt"))
    assert page.status_code == 200
    match = re.search(r'id="receipt-code">([A-Z0-9-]+)<', page.content.decode())
    assert match
    return match.group(1)


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def open_status(client: Client, code: str) -> Any:
    response = client.post(reverse("intake:status"), {"code": code})
    assert response.status_code == 302, response.content[:500]
    return client.get(reverse("intake:status_detail"))


# --- the service ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submit_keeps_only_the_hash_of_the_receipt_code(own: Any) -> None:
    report, code = intake.intake_submit(kind="tip", message="不審なメール", anonymous=False, reporter_name="匿名希望")
    assert len(intake.normalise_receipt_code(code)) >= 16
    assert report.group_company == own
    assert report.status == IntakeStatus.NEW
    assert report.receipt_hash == hash_token(intake.normalise_receipt_code(code))
    assert report.receipt_prefix == intake.normalise_receipt_code(code)[:6]
    stored = " ".join(str(v) for v in IntakeReport.objects.values().get())
    assert intake.normalise_receipt_code(code) not in stored and code not in stored
    # A loosely typed code still matches; a wrong one does not.
    assert intake.intake_find(code=code.lower().replace("-", " ")) == report
    assert intake.intake_find(code="A" * 24) is None
    assert intake.intake_find(code="short") is None


@pytest.mark.django_db
def test_anonymous_report_stores_no_identity(own: Any) -> None:
    report, _code = intake.intake_submit(
        kind="tip", message="内部告発です", anonymous=True, reporter_name="山田", reporter_email="y@example.jp",
        reporter_organisation="山田運輸",
    )
    report.refresh_from_db()
    assert (report.reporter_name, report.reporter_email, report.reporter_organisation) == ("", "", "")
    assert report.anonymous


@pytest.mark.django_db
def test_codes_are_unique_and_random(own: Any) -> None:
    codes = {intake.new_receipt_code() for _i in range(200)}
    assert len(codes) == 200
    assert all(set(intake.normalise_receipt_code(c)) <= set(intake.RECEIPT_ALPHABET) for c in codes)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tool.exe", b"MZ\x90\x00"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("invoice.pdf", b"MZ\x90\x00 renamed executable"),
        ("photo.png", PDF),
        ("notes.txt", b"\x00\x01\x02binary"),
        ("noextension", b"hello"),
        ("empty.csv", b""),
    ],
)
def test_attachments_of_a_wrong_type_are_refused(own: Any, settings: Any, name: str, content: bytes) -> None:
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(RenkeiError) as exc:
        intake.intake_submit(kind="tip", message="x", anonymous=True, files=[pdf(), upload])
    assert exc.value.field_name == "attachments"
    assert IntakeReport.objects.count() == 0
    assert IntakeAttachment.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_allowed_types_are_accepted(own: Any) -> None:
    files = [
        pdf(),
        SimpleUploadedFile("screen.png", PNG),
        SimpleUploadedFile("ログ.csv", "日時,内容\n2025-04-01,不審な通信\n".encode("cp932")),
    ]
    report, _code = intake.intake_submit(kind="tip", message="証拠を添付します", anonymous=True, files=files)
    names = sorted(report.attachments.values_list("name", flat=True))
    assert names == ["evidence.pdf", "screen.png", "ログ.csv"]
    # Stored under random names, never the reporter's.
    assert all("evidence" not in a.file.name for a in report.attachments.all())


@pytest.mark.django_db
def test_more_than_three_attachments_are_refused(own: Any) -> None:
    with pytest.raises(RenkeiError):
        intake.intake_submit(kind="tip", message="x", anonymous=True, files=[pdf(f"{i}.pdf") for i in range(4)])
    assert IntakeReport.objects.count() == 0


@pytest.mark.django_db
def test_attachments_over_the_total_size_are_refused(own: Any, settings: Any) -> None:
    settings.RENKEI_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(RenkeiError) as exc:
        intake.intake_submit(kind="tip", message="x", anonymous=True,
                             files=[pdf("a.pdf", PDF + b"0" * 600), pdf("b.pdf", PDF + b"0" * 600)])
    assert exc.value.status == 413
    assert IntakeReport.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_a_lying_declared_size_does_not_help(own: Any, settings: Any) -> None:
    settings.RENKEI_MAX_UPLOAD_BYTES = 1000
    upload = pdf("big.pdf", PDF + b"0" * 5000)
    upload.size = 10  # what the client claimed
    with pytest.raises(RenkeiError):
        intake.intake_submit(kind="tip", message="x", anonymous=True, files=[upload])
    assert IntakeReport.objects.count() == 0


@pytest.mark.django_db
def test_without_an_own_company_the_form_is_unavailable() -> None:
    with pytest.raises(RenkeiError) as exc:
        intake.intake_submit(kind="tip", message="x", anonymous=True)
    assert exc.value.status == 503


# --- the public form --------------------------------------------------------------------------


@pytest.mark.django_db
def test_form_is_public_and_japanese_first(client: Client, own: Any) -> None:
    response = client.get(reverse(FORM))
    assert response.status_code == 200
    assert response["Content-Language"] == "ja"
    assert "no-store" in response["Cache-Control"]
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert reverse(FORM) == "/report/"


@pytest.mark.django_db
def test_lang_switch_for_anonymous_visitors(client: Client, own: Any) -> None:
    response = client.get(reverse(FORM) + "?lang=en")
    assert response["Content-Language"] == "en"
    assert "Report a security concern" in response.content.decode()
    # The choice sticks for the session.
    assert client.get(reverse("intake:status"))["Content-Language"] == "en"
    assert client.get(reverse(FORM) + "?lang=ja")["Content-Language"] == "ja"


@pytest.mark.django_db
def test_happy_path_receipt_is_shown_once(client: Client, own: Any) -> None:
    response = client.post(reverse(FORM), {**form_data(), "attachments": [pdf()]})
    assert response.status_code == 302
    assert response.url == reverse("intake:receipt")
    code = receipt_code(client)
    report = IntakeReport.objects.get()
    assert report.kind == "partner_report"
    assert report.reporter_email == "yamada@example.jp"
    assert report.attachments.count() == 1
    assert intake.intake_find(code=code) == report
    # Shown once: a second visit does not show it again.
    again = client.get(reverse("intake:receipt"))
    assert again.status_code == 302
    assert code not in again.content.decode()


@pytest.mark.django_db
def test_anonymous_checkbox_drops_the_identity(client: Client, own: Any) -> None:
    submit(client, anonymous="on")
    report = IntakeReport.objects.get()
    assert report.anonymous and report.reporter_name == "" and report.reporter_email == ""


@pytest.mark.django_db
def test_csrf_is_enforced_on_the_public_form(own: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse(FORM), form_data())
    assert response.status_code == 403
    assert IntakeReport.objects.count() == 0


@pytest.mark.django_db
def test_missing_message_is_a_clear_error(client: Client, own: Any) -> None:
    response = submit(client, message="   ")
    assert response.status_code == 400
    assert IntakeReport.objects.count() == 0
    assert 'class="error"' in response.content.decode()


@pytest.mark.django_db
def test_honeypot_pretends_success_and_stores_nothing(client: Client, own: Any, settings: Any) -> None:
    response = client.post(reverse(FORM), {**form_data(), "website": "http://spam.example", "attachments": [pdf()]})
    assert response.status_code == 302
    code = receipt_code(client)
    assert IntakeReport.objects.count() == 0
    assert stored_files(settings) == []
    assert intake.intake_find(code=code) is None


@pytest.mark.django_db
def test_honeypot_is_hidden_from_people(client: Client, own: Any) -> None:
    html = client.get(reverse(FORM)).content.decode()
    trap = re.search(r'<div class="intake-trap" aria-hidden="true">(.*?)</div>', html, re.S)
    assert trap and 'name="website"' in trap.group(1)
    assert 'tabindex="-1"' in trap.group(1)


@pytest.mark.django_db
def test_wrong_attachment_type_through_the_form(client: Client, own: Any) -> None:
    response = client.post(reverse(FORM), {**form_data(), "attachments": [SimpleUploadedFile("x.exe", b"MZ")]})
    assert response.status_code == 400
    assert 'id="attachment-error"' in response.content.decode()
    assert IntakeReport.objects.count() == 0


@pytest.mark.django_db
def test_oversized_request_is_refused_before_reading(client: Client, own: Any, settings: Any) -> None:
    settings.RENKEI_MAX_UPLOAD_BYTES = 1000
    response = client.post(reverse(FORM), {**form_data(), "attachments": [pdf("big.pdf", PDF + b"0" * 200_000)]})
    assert response.status_code == 413
    assert 'id="attachment-error"' in response.content.decode()
    assert IntakeReport.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_oversized_attachments_within_the_request_allowance(client: Client, own: Any, settings: Any) -> None:
    settings.RENKEI_MAX_UPLOAD_BYTES = 50_000
    files = [pdf("a.pdf", PDF + b"0" * 30_000), pdf("b.pdf", PDF + b"0" * 30_000)]  # 60 KB < limit + 64 KB
    response = client.post(reverse(FORM), {**form_data(), "attachments": files})
    assert response.status_code == 413
    assert IntakeReport.objects.count() == 0


@pytest.mark.django_db
def test_many_requests_from_one_address_get_429(client: Client, own: Any) -> None:
    for _i in range(5):
        assert submit(client).status_code == 302
    response = submit(client)
    assert response.status_code == 429
    assert response["Retry-After"]
    assert 'id="rate-limited"' in response.content.decode()
    assert IntakeReport.objects.count() == 5
    # Another address is not affected.
    other = Client(REMOTE_ADDR="192.0.2.77")
    assert other.post(reverse(FORM), form_data()).status_code == 302


@pytest.mark.django_db
def test_honeypot_and_invalid_posts_count_towards_the_limit(client: Client, own: Any) -> None:
    for _i in range(3):
        submit(client, website="spam")
    for _i in range(2):
        submit(client, message="")
    assert submit(client).status_code == 429
    assert IntakeReport.objects.count() == 0


@pytest.mark.django_db
def test_script_in_fields_is_escaped_everywhere(client: Client, own: Any, csirt_user: Any) -> None:
    script = "<script>alert('x')</script>"
    submit(client, message=f"本文{script}", reporter_name=script, reporter_organisation=script)
    code = receipt_code(client)
    public = open_status(client, code).content.decode()
    assert script not in public
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in public
    staff = Client()
    staff.force_login(csirt_user)
    report = IntakeReport.objects.get()
    page = staff.get(reverse("incidents:intake_detail", args=[report.pk])).content.decode()
    assert script not in page
    assert "&lt;script&gt;" in page
    listing = staff.get(reverse("incidents:intake_list")).content.decode()
    assert script not in listing


# --- the public status page -------------------------------------------------------------------


@pytest.mark.django_db
def test_status_page_shows_status_note_and_replies(client: Client, own: Any, csirt_user: Any) -> None:
    submit(client)
    code = receipt_code(client)
    report = IntakeReport.objects.get()
    intake.intake_set_status(user=csirt_user, report=report, status="triaged", public_status_note="調査を開始しました。")
    intake.intake_reply(user=csirt_user, report=report, text="ログの提供をお願いできますか。")
    page = open_status(client, code)
    html = page.content.decode()
    assert page.status_code == 200
    assert "調査を開始しました。" in html
    assert "ログの提供をお願いできますか。" in html
    assert "当社の配送委託先で不正アクセスがありました。" in html
    # Internals (the reporter's own identity is fine to omit; incident links are never shown).
    assert "incidents/" not in html


@pytest.mark.django_db
def test_reporter_adds_information_with_an_attachment(client: Client, own: Any) -> None:
    submit(client)
    code = receipt_code(client)
    open_status(client, code)
    response = client.post(reverse("intake:status_detail"), {"text": "追加のログです。", "attachments": [pdf("log.pdf")]})
    assert response.status_code == 302
    message = IntakeMessage.objects.get()
    assert message.from_reporter and message.text == "追加のログです。"
    assert IntakeReport.objects.get().attachments.count() == 1
    assert "追加のログです。" in client.get(reverse("intake:status_detail")).content.decode()


@pytest.mark.django_db
def test_closed_report_takes_no_more_information(client: Client, own: Any, csirt_user: Any) -> None:
    submit(client)
    code = receipt_code(client)
    report = IntakeReport.objects.get()
    intake.intake_set_status(user=csirt_user, report=report, status="closed", public_status_note="対応を終了しました。")
    open_status(client, code)
    response = client.post(reverse("intake:status_detail"), {"text": "まだあります"})
    assert response.status_code == 409
    assert 'id="followup-error"' in response.content.decode()
    assert IntakeMessage.objects.count() == 0


@pytest.mark.django_db
def test_form_without_an_own_company_says_so(client: Client) -> None:
    response = submit(client)
    assert response.status_code == 503
    assert 'role="alert"' in response.content.decode()
    assert IntakeReport.objects.count() == 0


@pytest.mark.django_db
def test_wrong_and_malformed_codes_get_the_same_answer(client: Client, own: Any) -> None:
    submit(client)
    code = receipt_code(client)
    wrong = "Z" * 6 + intake.normalise_receipt_code(code)[6:]  # right length, wrong code
    answers = []
    for attempt in (wrong, "nonsense", "", "A" * 60):
        response = client.post(reverse("intake:status"), {"code": attempt})
        answers.append((response.status_code, 'id="lookup-error"' in response.content.decode()))
    assert set(answers) == {(400, True)}
    assert client.get(reverse("intake:status_detail")).status_code == 302  # still locked


@pytest.mark.django_db
def test_code_lookups_are_rate_limited(client: Client, own: Any) -> None:
    submit(client)
    code = receipt_code(client)
    for _i in range(10):
        assert client.post(reverse("intake:status"), {"code": "WRONG-CODE"}).status_code == 400
    # Even the right code is refused once the address has used up its attempts.
    assert client.post(reverse("intake:status"), {"code": code}).status_code == 429


@pytest.mark.django_db
def test_status_page_needs_the_code_and_can_be_closed(client: Client, own: Any) -> None:
    assert client.get(reverse("intake:status_detail")).status_code == 302
    submit(client)
    code = receipt_code(client)
    assert open_status(client, code).status_code == 200
    client.post(reverse("intake:status_end"))
    assert client.get(reverse("intake:status_detail")).status_code == 302


@pytest.mark.django_db
def test_status_page_session_expires(client: Client, own: Any) -> None:
    from renkei.incidents import intake_views

    submit(client)
    open_status(client, receipt_code(client))
    session = client.session
    session[intake_views.REPORT_SESSION_KEY] = {**session[intake_views.REPORT_SESSION_KEY], "at": 0}
    session.save()
    assert client.get(reverse("intake:status_detail")).status_code == 302


# --- the CSIRT's side -------------------------------------------------------------------------


@pytest.fixture
def report(own: Any) -> IntakeReport:
    report, _code = intake.intake_submit(
        kind="partner_report", message="委託先でランサムウェア感染\n詳細は添付", anonymous=False,
        reporter_name="佐藤", files=[pdf()],
    )
    return report


@pytest.fixture
def csirt(client: Client, csirt_user: Any) -> Client:
    client.force_login(csirt_user)
    return client


@pytest.mark.django_db
def test_csirt_sees_the_intake_list_and_detail(csirt: Client, report: IntakeReport) -> None:
    listing = csirt.get(reverse("incidents:intake_list"))
    assert listing.status_code == 200
    assert report in list(listing.context["object_list"])
    detail = csirt.get(reverse("incidents:intake_detail", args=[report.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "委託先でランサムウェア感染" in html and "佐藤" in html and "evidence.pdf" in html
    assert 'id="triage-form"' in html


@pytest.mark.django_db
def test_list_filters_by_status(csirt: Client, report: IntakeReport, csirt_user: Any) -> None:
    other, _code = intake.intake_submit(kind="tip", message="別件", anonymous=True)
    intake.intake_set_status(user=csirt_user, report=other, status="closed", public_status_note="")
    listing = csirt.get(reverse("incidents:intake_list") + "?status=new")
    assert list(listing.context["object_list"]) == [report]


@pytest.mark.django_db
def test_csirt_changes_status_and_replies(csirt: Client, report: IntakeReport) -> None:
    response = csirt.post(reverse("incidents:intake_triage", args=[report.pk]),
                          {"status": "triaged", "public_status_note": "確認中です。"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.public_status_note) == ("triaged", "確認中です。")
    response = csirt.post(reverse("incidents:intake_reply", args=[report.pk]), {"text": "詳細を教えてください。"})
    assert response.status_code == 302
    assert IntakeMessage.objects.get(report=report).from_reporter is False


@pytest.mark.django_db
def test_linked_status_needs_an_incident(csirt: Client, report: IntakeReport) -> None:
    response = csirt.post(reverse("incidents:intake_triage", args=[report.pk]), {"status": "linked"})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == "new"


@pytest.mark.django_db
def test_create_incident_from_report(csirt: Client, report: IntakeReport, csirt_user: Any) -> None:
    response = csirt.post(reverse("incidents:intake_create_incident", args=[report.pk]), {"title": ""})
    assert response.status_code == 302
    incident = Incident.objects.get()
    report.refresh_from_db()
    assert report.incident == incident and report.status == "linked"
    assert incident.source == "partner_report"
    assert incident.description.startswith("委託先でランサムウェア感染")
    assert report.receipt_prefix in incident.title
    assert incident.timeline.filter(text__contains=report.receipt_prefix).exists()
    assert response.url == incident.get_absolute_url()
    # Twice is refused.
    again = csirt.post(reverse("incidents:intake_create_incident", args=[report.pk]), {"title": "x"})
    assert again.status_code == 400
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_attachment_downloads_as_a_file_never_inline(csirt: Client, report: IntakeReport) -> None:
    attachment = report.attachments.get()
    response = csirt.get(reverse("incidents:intake_attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_viewers_and_analysts_may_not_see_intake(client: Client, report: IntakeReport, role: str) -> None:
    client.force_login(f.UserFactory(role=role))
    attachment = report.attachments.get()
    assert client.get(reverse("incidents:intake_list")).status_code == 403
    assert client.get(reverse("incidents:intake_detail", args=[report.pk])).status_code == 403
    assert client.get(reverse("incidents:intake_attachment", args=[attachment.pk])).status_code == 403
    response = client.post(reverse("incidents:intake_triage", args=[report.pk]), {"status": "closed"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == "new"


@pytest.mark.django_db
def test_csirt_of_another_group_company_gets_404(client: Client, report: IntakeReport, subsidiary: Any) -> None:
    client.force_login(f.UserFactory(role=Role.CSIRT, companies=[subsidiary]))
    assert client.get(reverse("incidents:intake_detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("incidents:intake_attachment", args=[report.attachments.get().pk])).status_code == 404
    assert report not in list(client.get(reverse("incidents:intake_list")).context["object_list"])


@pytest.mark.django_db
def test_staff_pages_send_anonymous_visitors_to_login(client: Client, report: IntakeReport) -> None:
    for url in (reverse("incidents:intake_list"), reverse("incidents:intake_detail", args=[report.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
