"""The incidents app's actions and the roles that grant them: incidents are the CSIRT's work,
so analysts and viewers do not see them."""

from __future__ import annotations

from renkei.core.permissions import Role, register_actions

VIEW_INCIDENTS = "incidents.view"
CHANGE_INCIDENTS = "incidents.change"

register_actions(
    {
        Role.ADMIN: {VIEW_INCIDENTS, CHANGE_INCIDENTS},
        Role.CSIRT: {VIEW_INCIDENTS, CHANGE_INCIDENTS},
    }
)
