"""The named sets of upload types and the content check: HTML, SVG, XHTML and scripts never pass,
whatever their name says."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import (
    EVIDENCE_TYPES,
    INCIDENT_ATTACHMENT_TYPES,
    INTAKE_TYPES,
    MAGIC,
    TEXT_TYPES,
    check_file,
)

GOOD = {
    "report.pdf": b"%PDF-1.7\n...",
    "規程.docx": b"PK\x03\x04word/document.xml",
    "一覧.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel",
    "screen.png": b"\x89PNG\r\n\x1a\n....",
    "photo.jpg": b"\xff\xd8\xff\xe0JFIF",
    "anim.gif": b"GIF89a....",
    "shot.webp": b"RIFF\x10\x00\x00\x00WEBPVP8 ",
    "logs.7z": b"7z\xbc\xaf\x27\x1c\x00\x04",
    "logs.gz": b"\x1f\x8b\x08\x00",
    "archive.zip": b"PK\x03\x04....",
    "notes.txt": "点検結果のメモ".encode("cp932"),
    "data.csv": "氏名,住所\n山田 太郎,東京都".encode(),
    "unicode.txt": "Excel の Unicode テキスト".encode("utf-16"),
    "euc.txt": "日本語の文書".encode("euc-jp"),
}

HOSTILE = {
    # A page or image a browser would run, under an accepted name.
    "report.pdf": b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    "screen.png": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "notes.txt": b"  <html><body><script>alert(document.cookie)</script></body></html>",
    "data.csv": b'\xef\xbb\xbf<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    "unicode.txt": "<script>alert(1)</script>".encode("utf-16"),
    "photo.jpg": b"MZ\x90\x00 renamed executable",
    "shot.webp": b"RIFF\x10\x00\x00\x00AVI LIST",
}


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


@pytest.mark.parametrize(("name", "content"), GOOD.items())
def test_documents_images_and_archives_are_evidence(name, content):
    checked = check_file(SimpleUploadedFile(name, content), allowed=EVIDENCE_TYPES, limit=1000)
    assert checked.content == content


@pytest.mark.parametrize(("name", "content"), HOSTILE.items())
def test_markup_or_an_executable_under_an_accepted_name_is_refused(name, content):
    with pytest.raises(RenkeiError) as exc:
        check_file(SimpleUploadedFile(name, content), allowed=INCIDENT_ATTACHMENT_TYPES, limit=1000)
    assert "not accepted" in exc.value.message


@pytest.mark.parametrize(
    "name", ["page.html", "page.htm", "image.svg", "page.xhtml", "run.js", "page.xml", "tool.exe", "noextension"]
)
def test_html_svg_xhtml_and_scripts_are_in_no_set(name):
    for allowed in (EVIDENCE_TYPES, INTAKE_TYPES, INCIDENT_ATTACHMENT_TYPES):
        with pytest.raises(RenkeiError):
            check_file(SimpleUploadedFile(name, b"hello"), allowed=allowed, limit=1000)


def test_every_allowed_type_has_a_content_check():
    for extension in EVIDENCE_TYPES | INTAKE_TYPES | INCIDENT_ATTACHMENT_TYPES:
        assert extension in MAGIC or extension in TEXT_TYPES, extension
    assert INTAKE_TYPES <= INCIDENT_ATTACHMENT_TYPES  # an intake report's files become the incident's


def test_incident_attachments_also_take_samples_and_mails():
    for name, content in {
        "dump.json": b'{"rows": []}',
        "leak.tsv": "氏名\t住所".encode(),
        "access.log": b"<34>Dec  7 10:00:00 host sshd[1]: ok",
        "phish.eml": b"From: a@example.jp\r\nSubject: x\r\n\r\n<html>body</html>",
    }.items():
        check_file(SimpleUploadedFile(name, content), allowed=INCIDENT_ATTACHMENT_TYPES, limit=1000)
    with pytest.raises(RenkeiError):
        check_file(SimpleUploadedFile("dump.json", b'{"x":1}'), allowed=EVIDENCE_TYPES, limit=1000)


def test_the_error_names_the_allowed_types_in_japanese():
    with translation.override("ja"), pytest.raises(RenkeiError) as exc:
        check_file(SimpleUploadedFile("page.html", b"<html>"), allowed=INTAKE_TYPES, limit=1000)
    message = exc.value.message
    assert message.startswith("page.html: この種類のファイルは受け付けていません。使用できる種類: ")
    assert ".pdf" in message and ".png" in message and ".zip" in message
    assert ".html" not in message.split("使用できる種類", 1)[1]


def test_the_upload_is_left_at_its_start_for_saving():
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.7 whole file")
    check_file(upload, allowed=EVIDENCE_TYPES, limit=1000)
    assert upload.read() == b"%PDF-1.7 whole file"
