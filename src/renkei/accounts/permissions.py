"""The accounts app's own actions and the roles that grant them.

Portal links give a party access to its assessments; the roles that send assessments (the same
as `assessments.change`) manage them. Accounts sits below the capabilities, so it names its own
action instead of importing the assessments one.
"""

from __future__ import annotations

from renkei.core.permissions import Role, register_actions

MANAGE_PORTAL_LINKS = "accounts.portal_links"

register_actions({Role.ADMIN: {MANAGE_PORTAL_LINKS}, Role.ANALYST: {MANAGE_PORTAL_LINKS}})
