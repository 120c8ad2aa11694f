"""Navigation and permissions for the base template."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from renkei.core.permissions import Action, can


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "can_change_registry": can(user, Action.CHANGE_REGISTRY),
        "can_change_assessments": can(user, Action.CHANGE_ASSESSMENTS),
        "can_view_audit": can(user, Action.VIEW_AUDIT),
        "is_administrator": can(user, Action.ADMINISTER),
    }
