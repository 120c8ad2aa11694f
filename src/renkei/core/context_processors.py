"""Navigation and permissions for the base template (each app adds its own links' permissions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from renkei.core.permissions import Action, can


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "can_view_audit": can(user, Action.VIEW_AUDIT),
        "is_administrator": can(user, Action.ADMINISTER),
    }
