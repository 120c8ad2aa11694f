"""The size limit of every upload, and the type checks on files that people attach.

Size: one limit (`RENKEI_MAX_UPLOAD_BYTES`, see `upload_limit`) for forms, views, the API and the
tabular imports. A caller passes another limit only for a documented reason (SBOM documents,
OSV archives, leaked samples and evidence have settings of their own). A request is refused by its
declared length before Django reads (and spools) the body; a file is then refused by its declared
size, and finally counted on the bytes actually read, never on what the client claims.

Type (`check_file`): each upload point that keeps a file for people to download again accepts one of
the named sets below (evidence, incident attachments, intake reports). The extension must be in the
set and the content must look like that type (its leading bytes, or text for text types), so a renamed
executable, HTML page or SVG image is refused. HTML, SVG, XHTML and scripts are in no set: a browser
would run them. Downloads are served as attachments (`core.files.downloads`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Protocol

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError

ZIP_MAGIC = b"PK\x03\x04"
# Word 97-2003, Excel 97-2003, PowerPoint 97-2003 and Outlook .msg files are OLE2 compound files.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAGIC: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),  # and "WEBP" at offset 8, checked in `_content_matches`
    "xlsx": (ZIP_MAGIC,),
    "docx": (ZIP_MAGIC,),
    "pptx": (ZIP_MAGIC,),
    "xls": (OLE2_MAGIC,),
    "doc": (OLE2_MAGIC,),
    "ppt": (OLE2_MAGIC,),
    "msg": (OLE2_MAGIC,),
    "zip": (ZIP_MAGIC, b"PK\x05\x06"),
    "7z": (b"7z\xbc\xaf\x27\x1c",),
    "gz": (b"\x1f\x8b",),
}
TEXT_TYPES = {"txt", "csv", "tsv", "json", "log", "sql", "eml"}

# The named sets of the upload points. Office documents, PDF and plain text; photos and screenshots;
# archives. Never HTML, SVG, XHTML or scripts.
DOCUMENT_TYPES = frozenset({"pdf", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "txt", "csv"})
IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "gif", "webp"})
ARCHIVE_TYPES = frozenset({"zip", "7z", "gz"})
# Assessment evidence (partners' answers) and certification evidence (a certificate, an audit report).
EVIDENCE_TYPES = DOCUMENT_TYPES | IMAGE_TYPES | ARCHIVE_TYPES
# The public intake form: anyone may post to it, so no archive format we cannot open with the standard
# library beyond zip. Every intake type is also an incident attachment type (reports become incidents).
INTAKE_TYPES = DOCUMENT_TYPES | IMAGE_TYPES | frozenset({"zip"})
# Incident attachments: evidence of every kind, plus the leaked samples and logs that are traced (data
# dumps, JSON, logs, SQL) and the phishing or notification e-mails themselves (.eml, Outlook .msg).
INCIDENT_ATTACHMENT_TYPES = EVIDENCE_TYPES | frozenset({"tsv", "json", "log", "sql", "eml", "msg"})
# What a browser would render or run if it ever opened the file: refused in text files too.
MARKUP_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<iframe", b"<?xml")


class Upload(Protocol):
    """What the checks need of an uploaded file (Django's UploadedFile has it)."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def read(self, size: int = ...) -> bytes: ...

    def seek(self, offset: int, whence: int = ...) -> int: ...


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content: bytes


def looks_like_text(content: bytes) -> bool:
    """Text in an encoding Japanese files come in: UTF-8, Shift_JIS (cp932), EUC-JP, or UTF-16 with its
    byte-order mark (Excel's "Unicode text")."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            content.decode("utf-16")
        except UnicodeDecodeError:
            return False
        return True
    if b"\x00" in content[:65536]:
        return False
    for encoding in ("utf-8-sig", "cp932", "euc-jp"):
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def looks_like_markup(content: bytes) -> bool:
    """Whether the file starts like an HTML page, an SVG image or another XML document, which a
    browser would render (and run its scripts) if it ever showed the file."""
    head = content[:1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return head.startswith(MARKUP_STARTS)


def _content_matches(extension: str, content: bytes) -> bool:
    if extension in TEXT_TYPES:
        return looks_like_text(content) and not looks_like_markup(content)
    if extension == "webp":
        return content.startswith(b"RIFF") and content[8:12] == b"WEBP"
    return content.startswith(MAGIC[extension])


# Slack for the multipart framing and the other form fields around the file.
REQUEST_OVERHEAD_BYTES = 64 * 1024


def upload_limit() -> int:
    """The largest upload accepted unless a caller documents another limit (`RENKEI_MAX_UPLOAD_BYTES`)."""
    return int(settings.RENKEI_MAX_UPLOAD_BYTES)


def limit_mb(limit: int | None = None) -> int:
    """The limit in whole megabytes as pages show it (never 0, even for a small test limit)."""
    return max(1, (upload_limit() if limit is None else limit) // 2**20)


def file_too_large_message(limit: int | None = None) -> str:
    return _("The file is too large (limit {limit} MB).").format(limit=limit_mb(limit))


def request_too_large_message(limit: int | None = None) -> str:
    """What a page says when the whole request (the form with its files) is over the limit."""
    return _("The upload is too large (limit {limit} MB).").format(limit=limit_mb(limit))


def too_large(limit: int | None = None, field: str = "file") -> RenkeiError:
    """The error (413) for a file over the limit."""
    return RenkeiError(file_too_large_message(limit), field_name=field, status=413)


def declared_length(request: HttpRequest) -> int:
    """The request body's declared length; an unreadable one counts as too large."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 2**62


def request_too_large(request: HttpRequest, limit: int | None = None) -> bool:
    """Whether the request is over the limit by its declared length, before Django reads the body."""
    return declared_length(request) > (upload_limit() if limit is None else limit) + REQUEST_OVERHEAD_BYTES


def refuse_large_body(request: HttpRequest, limit: int | None = None, field: str = "file") -> None:
    """Raise the 413 error when the request is over the limit by its declared length."""
    if request_too_large(request, limit):
        raise too_large(limit, field)


def check_size(size: int | None, limit: int | None = None, field: str = "file") -> None:
    """Raise the 413 error when a declared or counted size is over the limit."""
    if size is not None and size > (upload_limit() if limit is None else limit):
        raise too_large(limit, field)


def sha256_limited(upload: Any, limit: int | None = None, field: str = "file") -> tuple[str, int]:
    """The SHA-256 of an upload and its counted size, read in chunks (never whole in memory) and left at its start; with
    `limit`, refused as soon as the bytes counted pass it (the declared size is not to be trusted)."""
    digest = hashlib.sha256()
    total = 0
    if hasattr(upload, "seek"):
        upload.seek(0)
    chunks = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(2**20), b"")
    for chunk in chunks:
        total += len(chunk)
        if limit is not None:
            check_size(total, limit, field)
        digest.update(chunk)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return digest.hexdigest(), total


def read_limited(upload: Any, limit: int | None = None, field: str = "file") -> bytes:
    """The whole upload, refused by its declared size before reading and by its real size after."""
    limit = upload_limit() if limit is None else limit
    check_size(getattr(upload, "size", None), limit, field)
    if hasattr(upload, "seek"):
        upload.seek(0)
    # Read one byte past the limit: the declared size of an upload is not to be trusted.
    content: bytes = upload.read(limit + 1)
    check_size(len(content), limit, field)
    return content


def allowed_list(allowed: Iterable[str]) -> str:
    """The allowed types as a page shows them: ".7z, .csv, .doc, …"."""
    return ", ".join(f".{extension}" for extension in sorted(allowed))


def accept_attribute(allowed: Iterable[str]) -> str:
    """The `accept` attribute of a file input for these types."""
    return ",".join(f".{extension}" for extension in sorted(allowed))


def check_file(upload: Upload, *, allowed: Iterable[str], limit: int, field: str = "file") -> CheckedFile:
    """Read one upload (at most `limit` bytes) and check its type; RenkeiError names the problem.
    The upload is left at its start, so a caller may still save it."""
    allowed = tuple(sorted(allowed))
    unknown = [extension for extension in allowed if extension not in MAGIC and extension not in TEXT_TYPES]
    if unknown:  # a programming error: a type without a content check would be taken on trust
        raise ValueError(f"no content check for {unknown}")
    name = PurePath((upload.name or "").replace("\\", "/")).name.strip()[:200] or "attachment"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    wrong_type = RenkeiError(
        _("{name}: this type of file is not accepted. Allowed: {types}.").format(name=name, types=allowed_list(allowed)),
        field_name=field,
    )
    if extension not in allowed:
        raise wrong_type
    content = read_limited(upload, limit, field)
    if hasattr(upload, "seek"):
        upload.seek(0)
    if not content:
        raise RenkeiError(_("{name}: the file is empty.").format(name=name), field_name=field)
    if not _content_matches(extension, content):
        raise wrong_type
    return CheckedFile(name=name, extension=extension, content=content)
