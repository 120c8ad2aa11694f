"""The one upload size limit (core.files.uploads) and its messages."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import translation

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import (
    REQUEST_OVERHEAD_BYTES,
    check_file,
    check_size,
    limit_mb,
    read_limited,
    refuse_large_body,
    request_too_large,
    upload_limit,
)


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def test_the_limit_comes_from_the_settings(settings):
    settings.RENKEI_MAX_UPLOAD_BYTES = 3 * 2**20
    assert upload_limit() == 3 * 2**20
    assert limit_mb() == 3
    # A small limit (tests, a strict deployment) is still shown as 1 MB, never as 0 MB.
    assert limit_mb(10) == 1


def test_a_size_over_the_limit_is_refused_with_413(settings):
    settings.RENKEI_MAX_UPLOAD_BYTES = 2 * 2**20
    check_size(2 * 2**20)
    check_size(None)
    with pytest.raises(RenkeiError) as exc:
        check_size(2 * 2**20 + 1)
    assert exc.value.status == 413
    assert exc.value.field_name == "file"
    assert exc.value.message == "The file is too large (limit 2 MB)."
    with pytest.raises(RenkeiError) as exc:
        check_size(11, 10, field="attachments")
    assert exc.value.field_name == "attachments"


class _Lying(io.BytesIO):
    """An upload that declares a smaller size than it has."""

    size = 1
    name = "report.pdf"


def test_the_bytes_read_count_not_the_declared_size():
    assert read_limited(io.BytesIO(b"x" * 10), 10) == b"x" * 10
    with pytest.raises(RenkeiError) as exc:
        read_limited(_Lying(b"%PDF-" + b"x" * 20), 10)
    assert exc.value.status == 413
    with pytest.raises(RenkeiError) as exc:
        check_file(_Lying(b"%PDF-" + b"x" * 20), allowed={"pdf"}, limit=10)
    assert exc.value.status == 413


def test_a_request_is_refused_by_its_declared_length(settings):
    settings.RENKEI_MAX_UPLOAD_BYTES = 1000
    factory = RequestFactory()
    small = factory.post("/", data=b"", content_type="application/octet-stream")
    small.META["CONTENT_LENGTH"] = str(1000 + REQUEST_OVERHEAD_BYTES)
    assert not request_too_large(small)
    refuse_large_body(small)
    small.META["CONTENT_LENGTH"] = str(1001 + REQUEST_OVERHEAD_BYTES)
    assert request_too_large(small)
    assert not request_too_large(small, limit=2000)
    with pytest.raises(RenkeiError) as exc:
        refuse_large_body(small)
    assert exc.value.status == 413
    small.META["CONTENT_LENGTH"] = "not a number"
    assert request_too_large(small)


def test_check_file_still_checks_the_type():
    checked = check_file(SimpleUploadedFile("a.pdf", b"%PDF-1.7 ..."), allowed={"pdf", "txt"}, limit=100)
    assert checked.extension == "pdf"
    with pytest.raises(RenkeiError) as exc:
        check_file(SimpleUploadedFile("a.pdf", b"<html>"), allowed={"pdf"}, limit=100)
    assert "not accepted" in exc.value.message
