"""The software app's actions and the roles that grant them (the same roles that change the registry)."""

from __future__ import annotations

from renkei.core.permissions import Role, register_actions

CHANGE_SOFTWARE = "software.change"

register_actions({Role.ADMIN: {CHANGE_SOFTWARE}, Role.ANALYST: {CHANGE_SOFTWARE}})
