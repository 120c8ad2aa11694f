"""Certification evidence: documents, images and archives only (checked by content), kept whole, and
downloaded as an attachment that the browser never renders."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from renkei.registry.models import Certification
from tests import factories as f


def post(client, org, upload):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("registry:certification_create"),
        {"organisation": org.pk, "scheme": "iso27001", "number": "IS 123456", "evidence": upload},
        HTTP_ACCEPT_LANGUAGE="ja",
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("certificate.pdf", b"<!DOCTYPE html><script>alert(1)</script>"),  # an HTML page renamed .pdf
        ("certificate.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("certificate.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("certificate.html", b"<html></html>"),
    ],
)
def test_markup_is_refused_with_the_allowed_types_named(analyst_client, own, name, content):
    org = f.OrganisationFactory()
    response = post(analyst_client, org, SimpleUploadedFile(name, content))
    assert response.status_code == 400  # the form again, with its error
    page = response.content.decode()
    assert "この種類のファイルは受け付けていません" in page
    assert ".pdf" in page and ".docx" in page and ".png" in page
    assert not Certification.objects.exists()


def test_a_pdf_is_kept_whole_and_downloaded_as_an_attachment(analyst_client, own):
    org = f.OrganisationFactory()
    content = b"%PDF-1.7 ISMS certificate " + b"x" * 5000
    response = post(analyst_client, org, SimpleUploadedFile("ISMS認証.pdf", content))
    assert response.status_code == 302
    cert = Certification.objects.get()
    download = analyst_client.get(reverse("registry:certification_evidence", args=[cert.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"


def test_the_form_names_the_allowed_types(analyst_client, own):
    page = analyst_client.get(reverse("registry:certification_create"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "使用できる種類: .7z" in page
    assert 'accept=".7z,' in page
