"""Reads of the registry that join or filter across models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from renkei.core.permissions import visible
from renkei.registry.models import Certification, Organisation, Relationship


def organisation_list(*, user: Any) -> QuerySet[Organisation]:
    """Organisations the user may see, with what list pages show fetched in a fixed number of queries."""
    return visible(Organisation.objects.all(), user).select_related("group_company").prefetch_related("tags")


def expiry_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today, today + dt.timedelta(days=settings.RENKEI_CERT_EXPIRY_WARNING_DAYS)


def filter_by_certification_state(qs: QuerySet[Organisation], state: str) -> QuerySet[Organisation]:
    """Organisations with an expiring or expired certification, or none at all."""
    today, horizon = expiry_window()
    certs = Certification.objects.filter(organisation=OuterRef("pk"))
    if state == "expiring":
        return qs.filter(Exists(certs.filter(valid_until__gte=today, valid_until__lte=horizon)))
    if state == "expired":
        return qs.filter(Exists(certs.filter(valid_until__lt=today)))
    if state == "none":
        return qs.filter(~Exists(certs))
    return qs


def certification_state_filter(qs: QuerySet[Certification], state: str) -> QuerySet[Certification]:
    today, horizon = expiry_window()
    if state == "expired":
        return qs.filter(valid_until__lt=today)
    if state == "expiring":
        return qs.filter(valid_until__gte=today, valid_until__lte=horizon)
    if state == "valid":
        return qs.filter(Q(valid_until__gt=horizon))
    return qs


def return_overdue_holdings(qs: QuerySet[Any], today: dt.date | None = None) -> QuerySet[Any]:
    """Holdings whose return or erasure date has passed (today in Japan time): the dashboard's count
    and the holdings list's filter, one definition."""
    return qs.filter(return_due__lt=today or timezone.localdate())


def neighbours(*, user: Any, organisation: Organisation) -> dict[str, QuerySet[Relationship]]:
    """The parties directly above (clients) and below (providers) an organisation, within scope."""
    rels = visible(Relationship.objects.all(), user).select_related("client", "provider")
    return {
        "upstream": rels.filter(provider=organisation).order_by("client__name"),
        "downstream": rels.filter(client=organisation).order_by("provider__name"),
    }


def dashboard_figures(*, user: Any) -> dict[str, Any]:
    """Counts for the home page, each one aggregate query over what the user may see."""
    from django.db.models import Count

    from renkei.registry.models import DataHolding, InformationAsset, OrganisationStatus

    orgs = visible(Organisation.objects.filter(status=OrganisationStatus.ACTIVE), user)
    today, horizon = expiry_window()
    certs = visible(Certification.objects.all(), user)
    tiers = dict(orgs.values_list("tier").annotate(n=Count("pk")).order_by("tier"))
    return {
        "organisations": orgs.count(),
        "tiers": sorted(((k, v) for k, v in tiers.items() if k is not None), key=lambda kv: kv[0]),
        "unconnected": tiers.get(None, 0),
        "expired_certifications": certs.filter(valid_until__lt=today).count(),
        "expiring_certifications": certs.filter(valid_until__gte=today, valid_until__lte=horizon).count(),
        "assets": visible(InformationAsset.objects.all(), user).count(),
        "sensitive_holdings": visible(
            DataHolding.objects.filter(asset__has_sensitive_personal_info=True), user
        ).count(),
        "deep_holders": visible(DataHolding.objects.filter(holder__tier__gte=3), user)
        .values("holder")
        .distinct()
        .count(),
        "holdings_return_overdue": return_overdue_holdings(visible(DataHolding.objects.all(), user)).count(),
        "expiring_list": certs.filter(valid_until__lte=horizon).select_related("organisation").order_by("valid_until")[:10],
        "unconnected_list": orgs.filter(tier__isnull=True).order_by("name")[:10],
    }
