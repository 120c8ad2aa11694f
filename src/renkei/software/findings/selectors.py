"""Reads of findings: the filtered list, open findings by severity, and the release's VEX export.

Every function that takes a `user` restricts what it reads with `visible()`; the callers fetch
the release itself with `get_visible_or_404()`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from renkei.software.models import (
    Finding,
    Release,
    Severity,
    VexJustification,
    VexState,
    Vulnerability,
    VulnerabilityAlias,
)
from renkei.software.selectors import OPEN_STATES, SEVERITY_ORDER, SeverityCount, scoped
from renkei.software.vulndb.gate import gate_fails

# --- priority ------------------------------------------------------------------------------------

# What a security team works through first (among the open findings): known exploited (CISA KEV) before anything else, then
# severity, then the likelihood of exploitation (FIRST EPSS), then whether a fix exists. Unknown
# severity is its own bucket between high and medium: nothing rated it, so it must be looked at
# before the findings someone rated medium, but not ahead of the ones rated high.
PRIORITY_SEVERITY = (Severity.CRITICAL, Severity.HIGH, Severity.UNKNOWN, Severity.MEDIUM, Severity.LOW)


def priority_rank() -> Any:
    """An expression ordering findings by priority (smaller first), for `annotate` + `order_by`.

    KEV and EPSS come from `Vulnerability.known_exploited_since` and `epss_score`, which the
    enrichment imports fill in; until then every finding ranks as not known exploited, EPSS 0.
    """
    kev = Case(When(vulnerability__known_exploited_since__isnull=False, then=Value(0.0)), default=Value(1.0))
    severity = Case(
        *[When(severity=value, then=Value(float(rank))) for rank, value in enumerate(PRIORITY_SEVERITY)],
        default=Value(float(len(PRIORITY_SEVERITY))),
    )
    epss = Value(1.0) - Coalesce(F("vulnerability__epss_score"), Value(0.0), output_field=FloatField())
    fix = Case(When(fix_available=True, then=Value(0.0)), default=Value(1.0))
    # Findings already closed by triage (not affected, fixed) or no longer matched come after the open ones.
    closed = Case(When(resolved=False, state__in=OPEN_STATES, then=Value(0.0)), default=Value(1.0))
    return closed * Value(1e10) + kev * Value(1e9) + severity * Value(1e8) + epss * Value(1e6) + fix


def with_priority(qs: QuerySet[Finding]) -> QuerySet[Finding]:
    return qs.annotate(priority_rank=Coalesce(priority_rank(), Value(0.0), output_field=FloatField()))


def gate(qs: QuerySet[Finding], *, fail_on: str, unknown_as: str | None = None) -> dict[str, Any]:
    """Whether the open findings pass a `--fail-on` gate: the same rule as the CLI. One query."""
    counts = {s.value: 0 for s in SEVERITY_ORDER}
    for row in open_findings(qs).order_by().values("severity").annotate(n=Count("pk")):
        counts[row["severity"]] = row["n"]
    failing = {s: n for s, n in counts.items() if n and gate_fails(s, fail_on, unknown_as)}
    return {
        "fail_on": fail_on,
        "unknown_as": unknown_as,
        "failed": bool(failing),
        "failing": sum(failing.values()),
        "failing_unknown": failing.get(Severity.UNKNOWN, 0),
        "by_severity": counts,
    }


def upgrade_advice(*, release: Release) -> list[dict[str, Any]]:
    """Per component of the release with open findings: "upgrade to X fixes N of M findings". One query."""
    rows = (
        open_findings(Finding.objects.filter(release=release))
        .exclude(upgrade_version="")
        .order_by("component__name", "component_id")
        .values("component_id", "component__name", "component__version", "upgrade_version", "upgrade_fixes",
                "upgrade_total")
        .distinct()
    )
    return [
        {"component": r["component__name"], "version": r["component__version"], "upgrade_to": r["upgrade_version"],
         "fixes": r["upgrade_fixes"], "total": r["upgrade_total"]}
        for r in rows
    ]


def finding_list(
    *,
    user: Any,
    release_id: int | None = None,
    product_id: int | None = None,
    supplier_id: int | None = None,
    severity: str | None = None,
    state: str | None = None,
    vulnerability: str | None = None,
    include_resolved: bool = False,
    fix_available: bool | None = None,
    known_exploited: bool | None = None,
) -> QuerySet[Finding]:
    """Findings the user may see, filtered; with what a list shows fetched in the same query.
    `vulnerability` is an OSV ID or any alias (CVE, GHSA …)."""
    qs = scoped(Finding.objects.all(), user).select_related(
        "release__product__supplier", "component", "vulnerability"
    )
    if release_id is not None:
        qs = qs.filter(release_id=release_id)
    if product_id is not None:
        qs = qs.filter(release__product_id=product_id)
    if supplier_id is not None:
        qs = qs.filter(release__product__supplier_id=supplier_id)
    if severity:
        qs = qs.filter(severity=severity)
    if state:
        qs = qs.filter(state=state)
    if vulnerability:
        owner = VulnerabilityAlias.objects.filter(alias=vulnerability.strip()).values("vulnerability_id")
        qs = qs.filter(Q(vulnerability__osv_id=vulnerability.strip()) | Q(vulnerability_id__in=owner))
    if fix_available is not None:
        qs = qs.filter(fix_available=fix_available)
    if known_exploited is not None:
        qs = qs.filter(vulnerability__known_exploited_since__isnull=not known_exploited)
    if not include_resolved:
        qs = qs.filter(resolved=False)
    return qs


def advisory_findings(*, user: Any, vulnerability: str, release_id: int | None = None) -> QuerySet[Finding]:
    """Every open finding of one vulnerability (OSV ID or alias) the user may see: "all of advisory X"."""
    return finding_list(user=user, vulnerability=vulnerability, release_id=release_id)


def open_findings(qs: QuerySet[Finding]) -> QuerySet[Finding]:
    return qs.filter(resolved=False, state__in=OPEN_STATES)


def findings_by_severity(qs: QuerySet[Finding], *, by_release: bool = False) -> dict[int | None, list[SeverityCount]]:
    """Open findings counted per severity (critical first), per release or (key None) in total. One query."""
    group = ["release_id", "severity"] if by_release else ["severity"]
    rows = open_findings(qs).order_by().values(*group).annotate(n=Count("pk"))
    raw: dict[int | None, dict[str, int]] = {}
    for row in rows:
        key = row["release_id"] if by_release else None
        raw.setdefault(key, {})[row["severity"]] = row["n"]
    labels = dict(Severity.choices)
    return {
        key: [SeverityCount(s.value, str(labels[s.value]), counts[s.value]) for s in SEVERITY_ORDER if counts.get(s.value)]
        for key, counts in raw.items()
    }


# --- VEX -----------------------------------------------------------------------------------------

# Our VEX states (CISA/OpenVEX names) → CycloneDX 1.5 `analysis.state`.
VEX_STATE: dict[str, str] = {
    VexState.UNDER_INVESTIGATION: "in_triage",
    VexState.AFFECTED: "exploitable",
    VexState.NOT_AFFECTED: "not_affected",
    VexState.FIXED: "resolved",
}
# Our justifications (CISA's) → the closest CycloneDX 1.5 `analysis.justification`. CycloneDX has
# no "component not present"; the vulnerable code is then absent as well (code_not_present).
# "Cannot be controlled by an adversary" means the vulnerable input is not exposed in our
# environment (requires_environment); inline mitigations map to a mitigating control. The same
# mapping as OpenVEX ↔ CycloneDX converters (vexctl, Trivy) use.
VEX_JUSTIFICATION: dict[str, str] = {
    VexJustification.COMPONENT_NOT_PRESENT: "code_not_present",
    VexJustification.VULNERABLE_CODE_NOT_PRESENT: "code_not_present",
    VexJustification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH: "code_not_reachable",
    VexJustification.VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY: "requires_environment",
    VexJustification.INLINE_MITIGATIONS_ALREADY_EXIST: "protected_by_mitigating_control",
}


def _timestamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cvss_method(vector: str) -> str:
    if vector.startswith("CVSS:4"):
        return "CVSSv4"
    if vector.startswith("CVSS:3.1"):
        return "CVSSv31"
    if vector.startswith("CVSS:3"):
        return "CVSSv3"
    return "CVSSv2" if vector else "other"


def _osv_source(identifier: str) -> dict[str, str]:
    return {"name": "OSV", "url": f"https://osv.dev/vulnerability/{identifier}"}


def _ratings(vulnerability: Vulnerability) -> list[dict[str, Any]]:
    if vulnerability.severity == Severity.UNKNOWN and vulnerability.cvss_score is None:
        return []
    rating: dict[str, Any] = {"source": _osv_source(vulnerability.osv_id), "severity": vulnerability.severity}
    if vulnerability.cvss_score is not None:
        rating["score"] = vulnerability.cvss_score
    if vulnerability.cvss_vector:
        rating["method"] = _cvss_method(vulnerability.cvss_vector)
        rating["vector"] = vulnerability.cvss_vector
    return [rating]


def vex_document(*, release: Release) -> dict[str, Any]:
    """The release's current findings as a CycloneDX 1.5 VEX document (plain JSON-ready data).

    One `vulnerabilities[]` entry per vulnerability and analysis: components sharing a
    vulnerability and the same triage are listed together in `affects`; `affects[].ref` is the
    bom-ref the component had in the delivered SBOM (its SPDXID for SPDX), and the document lists
    those components so every ref resolves inside it. Findings no longer matched are left out.
    """
    release = Release.objects.select_related("product__supplier").get(pk=release.pk)
    findings = list(
        Finding.objects.filter(release=release, resolved=False)
        .select_related("component", "vulnerability")
        .order_by("vulnerability__osv_id", "component__name", "component__version", "pk")
    )
    refs: dict[int, str] = {}
    components: list[dict[str, Any]] = []
    used: set[str] = set()
    for finding in findings:
        component = finding.component
        if component.pk in refs:
            continue
        ref = component.ref or component.purl or f"component-{component.pk}"
        if ref in used:
            ref = f"{ref}#{component.pk}"
        used.add(ref)
        refs[component.pk] = ref
        entry: dict[str, Any] = {"type": "library", "bom-ref": ref, "name": component.name}
        if component.version:
            entry["version"] = component.version
        if component.purl:
            entry["purl"] = component.purl
        components.append(entry)

    grouped: dict[tuple[int, str, str, str], list[Finding]] = {}
    for finding in findings:
        key = (finding.vulnerability_id, finding.state, finding.justification, finding.comment)
        grouped.setdefault(key, []).append(finding)
    vulnerabilities: list[dict[str, Any]] = []
    for (_vid, state, justification, comment), group in grouped.items():
        vulnerability = group[0].vulnerability
        analysis: dict[str, Any] = {"state": VEX_STATE.get(state, "in_triage")}
        if state == VexState.NOT_AFFECTED and justification in VEX_JUSTIFICATION:
            analysis["justification"] = VEX_JUSTIFICATION[justification]
        if comment:
            analysis["detail"] = comment
        analysis["firstIssued"] = _timestamp(min(f.created_at for f in group))
        analysis["lastUpdated"] = _timestamp(max(f.updated_at for f in group))
        entry = {
            "bom-ref": f"vulnerability-{vulnerability.pk}-{len(vulnerabilities)}",
            "id": vulnerability.osv_id,
            "source": _osv_source(vulnerability.osv_id),
            "references": [{"id": alias, "source": _osv_source(alias)} for alias in vulnerability.aliases],
            "ratings": _ratings(vulnerability),
            "description": vulnerability.summary or vulnerability.details[:1000],
            "published": _timestamp(vulnerability.published),
            "updated": _timestamp(vulnerability.modified),
            "analysis": analysis,
            "affects": [{"ref": refs[f.component_id]} for f in group],
        }
        vulnerabilities.append({k: v for k, v in entry.items() if v not in (None, [], "")})
    product = release.product
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": _timestamp(timezone.now()),
            "tools": {"components": [{"type": "application", "name": "Renkei"}]},
            "component": {
                "type": "application",
                "bom-ref": f"release-{release.pk}",
                "name": product.name,
                "version": release.version,
                "supplier": {"name": product.supplier.name},
            },
        },
        "components": components,
        "vulnerabilities": vulnerabilities,
    }
