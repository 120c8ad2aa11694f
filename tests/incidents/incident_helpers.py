"""Shared helpers of the incident tests (core of the incidents app)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from renkei.incidents.response import services
from renkei.incidents.response.models import Incident


def open_incident(company: Any = None, *, parties: Any = (), user: Any = None, **fields: Any) -> Incident:
    """An incident opened through the service (system context unless a user is given)."""
    values: dict[str, Any] = {
        "title": "委託先からの漏えい報告",
        "learned_at": timezone.now() - dt.timedelta(hours=1),
        "source": "partner_report",
        "category": "leak",
    }
    values.update(fields)
    incident = Incident(**values)
    if company is not None:
        incident.group_company = company
    return services.incident_open(user=user, incident=incident, parties=list(parties))


def confirm_all_proposals(incident: Incident) -> None:
    """Add every asset the registry proposes for the parties, as a user ticking them all would."""
    from renkei.incidents.response import asset_proposals

    ids = [p.asset_id for p in asset_proposals.asset_proposals(incident)]
    if ids:
        asset_proposals.incident_assets_confirm(user=None, incident=incident, asset_ids=ids)
    incident.refresh_from_db()


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
