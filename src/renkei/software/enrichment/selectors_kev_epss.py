"""Reads of the enrichment: the status of every source for the sources page, and the KEV entry of
a vulnerability for the finding page."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from renkei.software.enrichment.models_kev_epss import EnrichmentImport, EnrichmentKind, KevEntry
from renkei.software.models import OsvImport, Vulnerability

DEFAULT_MAX_AGE_DAYS = {EnrichmentKind.KEV: 7, EnrichmentKind.EPSS: 3}


def max_age_days(kind: str) -> int:
    """Older than this many days, the source is shown as stale (`RENKEI_ENRICHMENT_MAX_AGE_DAYS`)."""
    configured = getattr(settings, "RENKEI_ENRICHMENT_MAX_AGE_DAYS", {}) or {}
    return int(configured.get(kind, DEFAULT_MAX_AGE_DAYS.get(EnrichmentKind(kind), 7)))


def _age(when: dt.datetime | None, now: dt.datetime) -> int | None:
    return None if when is None else max(0, (now - when).days)


def kev_epss_sources(now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """One row per source: loaded or not, when, how many records, the file's own date and version,
    its age in days and whether it is older than the threshold."""
    now = now or timezone.now()
    rows = []
    for kind in (EnrichmentKind.KEV, EnrichmentKind.EPSS):
        last = (
            EnrichmentImport.objects.filter(kind=kind, status="done").order_by("-finished_at", "-pk").first()
        )
        limit = max_age_days(kind)
        row: dict[str, Any] = {"kind": kind.value, "name": kind.label, "loaded": last is not None, "max_age": limit}
        if last is not None:
            dated = last.file_date or last.finished_at
            age = _age(dated, now)
            row.update(
                loaded_at=last.finished_at, records=last.records, matched=last.matched, file_name=last.source,
                file_date=last.file_date, file_version=last.file_version, age_days=age,
                stale=age is not None and age > limit,
            )
        rows.append(row)
    return rows


def other_sources() -> list[dict[str, Any]]:
    """The NVD/JVN sources when that part is installed (`selectors_nvd_jvn.nvd_jvn_sources`)."""
    try:
        module = importlib.import_module("renkei.software.enrichment.selectors_nvd_jvn")
    except ImportError:
        return []
    function = getattr(module, "nvd_jvn_sources", None)
    return list(function()) if callable(function) else []


def osv_status() -> dict[str, Any]:
    """The OSV database: how many vulnerabilities, and the last finished import."""
    figures = Vulnerability.objects.aggregate(total=Count("pk"), modified=Max("modified"))
    last = OsvImport.objects.filter(status="done").order_by("-updated_at").first()
    return {"total": figures["total"] or 0, "modified": figures["modified"], "last": last}


def kev_entry_for(vulnerability: Vulnerability) -> KevEntry | None:
    """The catalogue entry of the vulnerability (by its ID or aliases), if it is listed."""
    if vulnerability.known_exploited_since is None:
        return None
    return KevEntry.objects.filter(cve_id__in=vulnerability.all_ids).order_by("date_added").first()
