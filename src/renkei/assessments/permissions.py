"""The assessments app's actions and the roles that grant them."""

from __future__ import annotations

from renkei.core.permissions import Role, register_actions

CHANGE_ASSESSMENTS = "assessments.change"

register_actions({Role.ADMIN: {CHANGE_ASSESSMENTS}, Role.ANALYST: {CHANGE_ASSESSMENTS}})
