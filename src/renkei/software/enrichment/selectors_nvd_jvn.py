"""Reads of the NVD and JVN enrichment data: what is loaded (for the sources page), the NVD facts
of a vulnerability and the JVN iPedia texts of vulnerabilities (Japanese UI)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language

from renkei.software.enrichment.models_nvd_jvn import EnrichmentImport, EnrichmentKind, JvnCve, NvdCve
from renkei.software.models import Vulnerability, VulnerabilityAlias


def nvd_jvn_sources() -> list[dict[str, Any]]:
    """One entry per source: `name`, `kind`, `loaded_at` (the last successful import, or None),
    `records` (how many are stored) and `file` (the name of the last imported file)."""
    from renkei.software.enrichment.models_nvd_jvn import JvnEntry

    counts = {EnrichmentKind.NVD: NvdCve.objects.count(), EnrichmentKind.JVN: JvnEntry.objects.count()}
    last = {
        run.kind: run
        for run in EnrichmentImport.objects.filter(status="done").order_by("finished_at", "pk")
    }
    sources = []
    for kind in (EnrichmentKind.NVD, EnrichmentKind.JVN):
        run = last.get(kind)
        sources.append(
            {
                "name": kind.label,
                "kind": kind.value,
                "loaded_at": run.finished_at if run is not None else None,
                "records": counts[kind],
                "file": run.source if run is not None else "",
            }
        )
    return sources


def nvd_records(vulnerability: Vulnerability) -> list[NvdCve]:
    """The NVD records of the vulnerability's CVE ids (CWE, published date, NVD's own rating)."""
    cves = [name for name in vulnerability.all_ids if name.startswith("CVE-")]
    return list(NvdCve.objects.filter(cve_id__in=cves).order_by("cve_id")) if cves else []


@dataclass(frozen=True, slots=True)
class JvnText:
    jvndb_id: str
    title: str
    summary: str
    url: str


def japanese_ui() -> bool:
    return (get_language() or "").split("-")[0] == "ja"


def jvn_for(vulnerability_ids: Iterable[int]) -> dict[int, JvnText]:
    """Vulnerability pk → the JVN iPedia record naming one of its CVE ids (the newest JVNDB id
    when several do). Two queries whatever the number of vulnerabilities."""
    ids = list(set(vulnerability_ids))
    if not ids:
        return {}
    owners: dict[str, int] = dict(
        VulnerabilityAlias.objects.filter(vulnerability_id__in=ids, alias__startswith="CVE-").values_list(
            "alias", "vulnerability_id"
        )
    )
    if not owners:
        return {}
    found: dict[int, JvnText] = {}
    rows = (
        JvnCve.objects.filter(cve_id__in=list(owners))
        .select_related("entry")
        .order_by("-entry__jvndb_id")
        .only("cve_id", "entry__jvndb_id", "entry__title", "entry__summary", "entry__url")
    )
    for row in rows:
        entry = row.entry
        found.setdefault(owners[row.cve_id], JvnText(entry.jvndb_id, entry.title, entry.summary, entry.url))
    return found


def attach_jvn(objects: Iterable[Any], *, attr: str = "vulnerability_id") -> None:
    """On the Japanese UI, set `jvn` on each object (a finding or a vulnerability) whose
    vulnerability a JVN iPedia record names; elsewhere `jvn` is None."""
    items = list(objects)
    texts = jvn_for(getattr(o, attr) for o in items) if japanese_ui() else {}
    for item in items:
        item.jvn = texts.get(getattr(item, attr))


