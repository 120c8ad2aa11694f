"""Writes of the drafts' wording (報告・通知用の記載) on an incident."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.services import record_save
from renkei.incidents.documents.forms import REPORT_FIELDS
from renkei.incidents.response.models import Incident
from renkei.incidents.response.timeline import ACTION, check_incident, timeline_system


def incident_report_fields_update(*, user: Any, incident: Incident, loaded_version: str, via: str = "") -> Incident:
    """Save the report and notice wording; refuse when the incident changed since the form was loaded.

    `loaded_version` is the incident's `updated_at` (ISO) when the form was opened: if someone saved the
    incident since, the save is refused (409) rather than silently overwriting their changes. The changed
    items are listed on the timeline; the audit log records the save itself.
    """
    if incident.pk is None:
        raise RenkeiError(_("Open the incident first."))
    check_incident(user, incident)
    with transaction.atomic():
        current = Incident.objects.select_for_update().filter(pk=incident.pk).values(*REPORT_FIELDS, "updated_at").first()
        if current is None:
            raise RenkeiError(_("This incident no longer exists."), status=404)
        if loaded_version and current["updated_at"].isoformat() != loaded_version:
            raise RenkeiError(
                _("Someone else changed this incident while you were editing. Copy your text, reload the page "
                  "and enter your changes again."),
                status=409,
            )
        changed = [
            str(getattr(Incident._meta.get_field(name), "verbose_name", name))
            for name in REPORT_FIELDS
            if current[name] != getattr(incident, name)
        ]
        record_save(user=user, instance=incident, action=ACTION)
        if changed:
            timeline_system(
                incident=incident,
                text=_("Wording for the report and notice changed: {items}").format(items="、".join(changed)),
                user=user,
                via=via,
            )
    return incident
