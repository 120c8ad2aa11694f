"""Reads of the NVD and JVN enrichment data: what is loaded (for the sources page), the NVD facts
of a vulnerability and the JVN iPedia texts of vulnerabilities (Japanese UI)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import get_language

from renkei.software.enrichment.models_nvd_jvn import (
    JvnCve,
    JvnEntry,
    NvdCve,
    NvdJvnImport,
    NvdJvnKind,
)
from renkei.software.models import Vulnerability, VulnerabilityAlias


def nvd_jvn_sources() -> list[dict[str, Any]]:
    """One entry per source: `name`, `kind`, `loaded_at` (the last successful import, or None),
    `records` (how many are stored), `file` and `file_name` (the name of the last imported file)
    and `import_url` (the import page), for the sources page (`selectors_kev_epss.other_sources`)."""
    counts = {NvdJvnKind.NVD: NvdCve.objects.count(), NvdJvnKind.JVN: JvnEntry.objects.count()}
    last = {
        run.kind: run
        for run in NvdJvnImport.objects.filter(status="done").order_by("finished_at", "pk")
    }
    sources = []
    for kind in (NvdJvnKind.NVD, NvdJvnKind.JVN):
        run = last.get(kind)
        sources.append(
            {
                "name": kind.label,
                "kind": kind.value,
                "loaded_at": run.finished_at if run is not None else None,
                "records": counts[kind],
                "file": run.source if run is not None else "",
                "file_name": run.source if run is not None else "",
                "import_url": reverse("software:nvd_jvn_import"),
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
    when several do). One query when none does, two otherwise, whatever the number of vulnerabilities."""
    ids = list(set(vulnerability_ids))
    if not ids:
        return {}
    newest = JvnCve.objects.filter(cve_id=OuterRef("alias")).order_by("-entry__jvndb_id").values("entry_id")[:1]
    pairs = list(
        VulnerabilityAlias.objects.filter(vulnerability_id__in=ids, alias__startswith="CVE-")
        .annotate(entry_id=Subquery(newest))
        .filter(entry_id__isnull=False)
        .order_by("vulnerability_id", "alias")
        .values_list("vulnerability_id", "entry_id")
    )
    if not pairs:
        return {}
    entries = {
        e.pk: JvnText(e.jvndb_id, e.title, e.summary, e.url)
        for e in JvnEntry.objects.filter(pk__in={entry for _v, entry in pairs}).only(
            "jvndb_id", "title", "summary", "url"
        )
    }
    found: dict[int, JvnText] = {}
    for vuln_id, entry_id in pairs:
        current = found.get(vuln_id)
        candidate = entries[entry_id]
        if current is None or candidate.jvndb_id > current.jvndb_id:
            found[vuln_id] = candidate
    return found


def attach_jvn(objects: Iterable[Any], *, attr: str = "vulnerability_id") -> None:
    """On the Japanese UI, set `jvn` on each object (a finding or a vulnerability) whose
    vulnerability a JVN iPedia record names; elsewhere `jvn` is None."""
    items = list(objects)
    texts = jvn_for(getattr(o, attr) for o in items) if japanese_ui() else {}
    for item in items:
        item.jvn = texts.get(getattr(item, attr))


