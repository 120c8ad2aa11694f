"""Checks on uploaded files that people attach (intake reports, assessment evidence).

The extension must be an allowed one and the content must look like that type, so a renamed
executable or HTML page is refused; the size is counted on the bytes actually read, never on the
size the client declares.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Protocol

from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError

ZIP_MAGIC = b"PK\x03\x04"
MAGIC: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "xlsx": (ZIP_MAGIC,),
    "docx": (ZIP_MAGIC,),
    "pptx": (ZIP_MAGIC,),
    "zip": (ZIP_MAGIC, b"PK\x05\x06"),
}
TEXT_TYPES = {"txt", "csv"}


class Upload(Protocol):
    """What the checks need of an uploaded file (Django's UploadedFile has it)."""

    name: str | None
    size: int | None

    def read(self, size: int = ...) -> bytes: ...

    def seek(self, offset: int, whence: int = ...) -> int: ...


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content: bytes


def looks_like_text(content: bytes) -> bool:
    if b"\x00" in content[:65536]:
        return False
    for encoding in ("utf-8-sig", "cp932"):
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def too_large(limit: int, field: str) -> RenkeiError:
    return RenkeiError(
        _("The file is too large (limit {limit} MB).").format(limit=max(1, limit // 2**20)), field_name=field, status=413
    )


def check_file(upload: Upload, *, allowed: Iterable[str], limit: int, field: str = "file") -> CheckedFile:
    """Read one upload (at most `limit` bytes) and check its type; RenkeiError names the problem."""
    allowed = tuple(sorted(allowed))
    name = PurePath(upload.name or "").name.strip()[:200] or "attachment"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    wrong_type = RenkeiError(
        _("{name}: this type of file is not accepted. Allowed: {types}.").format(name=name, types=", ".join(allowed)),
        field_name=field,
    )
    if extension not in allowed:
        raise wrong_type
    if upload.size is not None and upload.size > limit:
        raise too_large(limit, field)
    upload.seek(0)
    # Read one byte past the limit: the declared size of an upload is not to be trusted.
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise too_large(limit, field)
    if not content:
        raise RenkeiError(_("{name}: the file is empty.").format(name=name), field_name=field)
    if extension in TEXT_TYPES:
        if not looks_like_text(content):
            raise wrong_type
    elif not content.startswith(MAGIC[extension]):
        raise wrong_type
    return CheckedFile(name=name, extension=extension, content=content)
