"""Reads of the vulnerability database: a vulnerability by any of its names, and the whole
database as the matching engine's `AdvisoryIndex`, rebuilt only when the database changed."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q

from renkei.software.models import Vulnerability


def vulnerability_by_name(name: str) -> Vulnerability | None:
    """The vulnerability an OSV ID or alias names."""
    name = name.strip()
    return (
        Vulnerability.objects.filter(Q(osv_id=name) | Q(alias_rows__alias=name)).distinct().first()
    )


_INDEX_CACHE: dict[str, Any] = {}


def database_version() -> tuple[int, str, str]:
    """(count, newest change, newest `modified`) of the database: the advisory index is rebuilt
    when it changes."""
    figures = Vulnerability.objects.aggregate(
        count=Count("pk"), changed=Max("updated_at"), modified=Max("modified")
    )
    changed, modified = figures["changed"], figures["modified"]
    return (
        figures["count"] or 0,
        changed.isoformat() if changed else "",
        modified.isoformat() if modified else "",
    )


def advisory_index() -> tuple[Any, dict[str, tuple[int, str]]]:
    """The `AdvisoryIndex` of every non-withdrawn vulnerability, and osv_id → (pk, severity).

    Cached in the process, keyed by `database_version()`, so a worker recomputing findings for
    many releases builds it once per database change.
    """
    version = database_version()
    cached = _INDEX_CACHE.get("entry")
    if cached is not None and cached[0] == version:
        return cached[1], cached[2]
    index, lookup = build_index(Vulnerability.objects.filter(withdrawn__isnull=True))
    _INDEX_CACHE["entry"] = (version, index, lookup)
    return index, lookup


def clear_index_cache() -> None:
    _INDEX_CACHE.clear()


def build_index(queryset: Any) -> tuple[Any, dict[str, tuple[int, str]]]:
    """Build an `AdvisoryIndex` from vulnerability rows (read as plain values, no model objects)."""
    from renkei.software.vulndb.matching import AdvisoryIndex
    from renkei.software.vulndb.osv import Advisory, AffectedSpec

    advisories = []
    lookup: dict[str, tuple[int, str]] = {}
    rows = queryset.values_list(
        "pk", "osv_id", "aliases", "severity", "cvss_score", "cvss_vector", "modified", "affected"
    )
    for pk, osv_id, aliases, severity, score, vector, modified, affected in rows.iterator(chunk_size=2000):
        lookup[osv_id] = (pk, severity)
        advisories.append(
            Advisory(
                id=osv_id,
                aliases=list(aliases or []),
                modified=modified,
                published=None,
                withdrawn=None,
                summary="",
                details="",
                severity=severity,
                cvss_score=score,
                cvss_vector=vector,
                affected=[
                    AffectedSpec(
                        ecosystem=a["ecosystem"],
                        name=a["name"],
                        ranges=list(a.get("ranges") or []),
                        versions=list(a.get("versions") or []),
                    )
                    for a in affected or []
                ],
                references=[],
            )
        )
    return AdvisoryIndex.build(advisories), lookup
