"""Incident attachments and intake reports: only the named types, checked by content, and every
download an attachment that the browser never renders."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from renkei.core.errors import RenkeiError
from renkei.incidents.intake import services as intake_services
from renkei.incidents.intake.models import IntakeReport
from renkei.incidents.response.models import Attachment
from tests.incidents.incident_helpers import logged_in, open_incident

PDF = b"%PDF-1.4 report"
HTML_AS_PDF = b"<!doctype html><script>alert(1)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def csirt(csirt_user):  # type: ignore[no-untyped-def]
    return logged_in(csirt_user)


def assert_download_is_an_attachment(response: Any) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"), [("報告書.pdf", HTML_AS_PDF), ("画面.png", SVG), ("画面.svg", SVG), ("page.html", b"<html>")]
)
def test_incident_attachment_refuses_markup(own, csirt, name, content) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own)
    response = csirt.post(
        reverse("incidents:attachment_create", args=[incident.pk]),
        {"file": SimpleUploadedFile(name, content)},
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "この種類のファイルは受け付けていません" in page
    assert ".pdf" in page and ".eml" in page
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_incident_attachment_accepts_a_phishing_mail_and_serves_it_as_a_download(own, csirt) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own)
    mail = b"From: ceo@example.jp\r\nSubject: urgent\r\n\r\n<html><a href='http://x'>pay</a></html>"
    response = csirt.post(
        reverse("incidents:attachment_create", args=[incident.pk]), {"file": SimpleUploadedFile("phish.eml", mail)}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    download = csirt.get(reverse("incidents:attachment_download", args=[attachment.pk]))
    assert_download_is_an_attachment(download)
    assert b"".join(download.streaming_content) == mail


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content"), [("invoice.pdf", HTML_AS_PDF), ("photo.png", SVG), ("logo.svg", SVG)])
def test_intake_refuses_markup_under_any_name(own, name, content) -> None:  # type: ignore[no-untyped-def]
    with translation.override("ja"), pytest.raises(RenkeiError) as exc:
        intake_services.intake_submit(
            kind="tip", message="x", anonymous=True, files=[SimpleUploadedFile(name, content)]
        )
    assert "使用できる種類" in exc.value.message
    assert not IntakeReport.objects.exists()


@pytest.mark.django_db
def test_intake_accepts_a_screenshot_and_serves_it_as_a_download(own, csirt) -> None:  # type: ignore[no-untyped-def]
    gif = b"GIF89a\x01\x00\x01\x00"
    report, _code = intake_services.intake_submit(
        kind="tip", message="x", anonymous=True, files=[SimpleUploadedFile("画面.gif", gif)]
    )
    attachment = report.attachments.get()
    download = csirt.get(reverse("incidents:intake_attachment", args=[attachment.pk]))
    assert_download_is_an_attachment(download)
