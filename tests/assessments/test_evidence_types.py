"""Assessment evidence from the partner portal: only documents, images and archives, checked by
content; the download is an attachment the browser never renders."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from renkei.assessments.answering import handlers
from renkei.assessments.answering import services as answering
from renkei.assessments.models import Evidence
from renkei.core.errors import RenkeiError
from tests.assessments.factories import assignment

PARTNER = answering.Respondent(name="山田 太郎")


def _question(a):  # type: ignore[no-untyped-def]
    return a.framework.questions.get(ref="B-1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("設定画面.pdf", b"<!doctype html><script>alert(1)</script>"),
        ("設定画面.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("設定画面.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("設定画面.xhtml", b'<html xmlns="http://www.w3.org/1999/xhtml"/>'),
    ],
)
def test_markup_is_refused_with_the_allowed_types_named(own, name, content):
    a = assignment()
    with translation.override("ja"), pytest.raises(RenkeiError) as exc:
        answering.evidence_add(respondent=PARTNER, assignment=a, question_id=_question(a).pk,
                               upload=SimpleUploadedFile(name, content))
    assert "使用できる種類: .7z" in exc.value.message
    assert not Evidence.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [("画面.gif", b"GIF89a...."), ("画面.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 "), ("旧規程.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")],
)
def test_images_and_older_office_files_are_accepted_and_served_as_downloads(own, name, content):
    a = assignment()
    evidence = answering.evidence_add(respondent=PARTNER, assignment=a, question_id=_question(a).pk,
                                      upload=SimpleUploadedFile(name, content))
    response = handlers.evidence_file_response(evidence)
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
