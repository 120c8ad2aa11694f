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


def incident_report_fields_update(*, user: Any, incident: Incident, via: str = "") -> Incident:
    """Save the report and notice wording. The changed items are listed on the timeline; the audit
    log records the save itself. A save based on an old version of the incident is refused like
    every edit (core.concurrency: the edit view sets the expected version on `incident`)."""
    if incident.pk is None:
        raise RenkeiError(_("Open the incident first."))
    check_incident(user, incident)
    with transaction.atomic():
        current = Incident.objects.filter(pk=incident.pk).values(*REPORT_FIELDS).first()
        if current is None:
            raise RenkeiError(_("This incident no longer exists."), status=404)
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
