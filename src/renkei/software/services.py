"""What the software sub-capabilities' services share: their permission action and upload handling.

The writes themselves live in each sub-package's `services.py` (portfolio, sbom, findings,
licences, vulndb); views, API, commands and tasks all come through those.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.permissions import Action

ACTION = Action.CHANGE_REGISTRY


def too_large(limit: int) -> RenkeiError:
    return RenkeiError(
        _("The file is too large (limit {limit} MB).").format(limit=max(1, limit // 2**20)),
        field_name="file",
        status=413,
    )


def read_limited(uploaded_file: Any, limit: int) -> bytes:
    """The whole upload, refused by its declared size before reading and by its real size after."""
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise too_large(limit)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    return bytes(data)


def upload_name(uploaded_file: Any, default: str) -> str:
    return PurePath(str(getattr(uploaded_file, "name", "") or default)).name[:255] or default
