"""Reads of the registry that join or filter across models."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from renkei.core.masking import party_ordering
from renkei.core.permissions import visible
from renkei.core.text import company_name_key
from renkei.registry.models import Certification, Organisation, Relationship

DUPLICATES_SHOWN = 10


def organisation_list(*, user: Any) -> QuerySet[Organisation]:
    """Organisations the user may see, with what list pages show fetched in a fixed number of queries."""
    return visible(Organisation.objects.all(), user).select_related("group_company").prefetch_related("tags")


@dataclass(frozen=True)
class PossibleDuplicates:
    """Organisations whose name is the same once legal forms, width, kana and spaces are ignored:
    the first of those the user may see, and how many exist outside the user's scope (counted,
    never named)."""

    shown: list[Organisation]
    hidden_count: int

    def __bool__(self) -> bool:
        return bool(self.shown) or self.hidden_count > 0


def possible_duplicates(*, user: Any, name: str, exclude_pk: int | None = None) -> PossibleDuplicates:
    """Possible duplicates of an organisation name (「株式会社みなとカード」 = 「ミナトカード（株）」).

    The same corporate number is not a possible duplicate but an error (a database constraint)."""
    key = company_name_key(name)
    if not key:
        return PossibleDuplicates(shown=[], hidden_count=0)
    matches = _other_than(Organisation.objects.filter(name_key=key), exclude_pk)
    total = matches.count()
    if not total:
        return PossibleDuplicates(shown=[], hidden_count=0)
    seen = visible(matches, user)
    return PossibleDuplicates(
        shown=list(seen.order_by("sort_key", "pk")[:DUPLICATES_SHOWN]), hidden_count=total - seen.count()
    )


def organisation_with_corporate_number(*, corporate_number: str, exclude_pk: int | None = None) -> Organisation | None:
    """The organisation already registered under a corporate number, if any."""
    if not corporate_number:
        return None
    return _other_than(Organisation.objects.filter(corporate_number=corporate_number), exclude_pk).first()


def _other_than(qs: QuerySet[Organisation], pk: int | None) -> QuerySet[Organisation]:
    return qs if pk is None else qs.exclude(pk=pk)


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
        # A party outside the user's scope is listed unnamed, last, its place not told by its name.
        "upstream": rels.filter(provider=organisation).order_by(*party_ordering(user, Relationship, "client__sort_key", "pk")),
        "downstream": rels.filter(client=organisation).order_by(*party_ordering(user, Relationship, "provider__sort_key", "pk")),
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
        "unconnected_list": orgs.filter(tier__isnull=True).order_by("sort_key", "pk")[:10],
    }
