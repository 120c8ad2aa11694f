"""The registry's actions and the roles that grant them."""

from __future__ import annotations

from renkei.core.permissions import Role, register_actions

CHANGE_REGISTRY = "registry.change"

register_actions({Role.ADMIN: {CHANGE_REGISTRY}, Role.ANALYST: {CHANGE_REGISTRY}})
