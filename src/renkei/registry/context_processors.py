"""What the base template needs from the registry: whether to offer the import/export page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from renkei.core.permissions import can
from renkei.registry.permissions import CHANGE_REGISTRY


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"can_change_registry": can(getattr(request, "user", None), CHANGE_REGISTRY)}
