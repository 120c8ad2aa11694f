"""What the software sub-capabilities' services share: their permission action and upload names.

The writes themselves live in each sub-package's `services.py` (portfolio, sbom, findings,
licences, vulndb); views, API, commands and tasks all come through those.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from renkei.software.permissions import CHANGE_SOFTWARE

ACTION = CHANGE_SOFTWARE


def upload_name(uploaded_file: Any, default: str) -> str:
    return PurePath(str(getattr(uploaded_file, "name", "") or default)).name[:255] or default
