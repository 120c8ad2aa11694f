"""Reads of the software supply chain that join, aggregate or compute: the portfolio search, a
release's overview, licence violations, the VEX export and the advisory index.

Every function that takes a `user` restricts what it reads with `visible()` (`user=None` means
the whole group: commands and tasks); the callers fetch the release itself with
`get_visible_or_404()`.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.permissions import visible
from renkei.software.models import (
    Component,
    DeliveredFile,
    Finding,
    IntegrityState,
    LicencePolicy,
    Release,
    Sbom,
    Severity,
    VexJustification,
    VexState,
    Vulnerability,
    VulnerabilityAlias,
)


def scoped(queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """`visible()` for a user; everything for the system (`user=None`)."""
    return queryset if user is None else visible(queryset, user)


# --- portfolio search ----------------------------------------------------------------------------

_COMPARATOR = re.compile(r"^\s*(>=|<=|==|!=|>|<|=)?\s*([^\s<>=!,]+)\s*$")
Bound = tuple[str, str]


@dataclass(frozen=True)
class PortfolioHit:
    """One component of a release's current SBOM that the search found.

    `in_range` is True when the version is inside the requested range, None when it could not be
    compared (unsupported ecosystem or unparsable version: shown, never silently dropped), and
    True as well when no range was asked for.
    """

    component_id: int
    name: str
    version: str
    ecosystem: str
    purl: str
    release_id: int
    release_version: str
    product_id: int
    product_name: str
    supplier_id: int
    supplier_name: str
    group_company_id: int
    in_range: bool | None = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_version_range(text: str) -> list[Bound]:
    """">=1.0,<2.0" → [(">=", "1.0"), ("<", "2.0")]; a bare version means "==". Raises RenkeiError."""
    bounds: list[Bound] = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _COMPARATOR.match(part)
        if match is None:
            raise RenkeiError(
                _("Not a version range: {text}. Write it like >=1.0,<2.0").format(text=text), field_name="version_range"
            )
        op = match.group(1) or "=="
        bounds.append(("==" if op == "=" else op, match.group(2)))
    if not bounds:
        raise RenkeiError(_("Not a version range: {text}. Write it like >=1.0,<2.0").format(text=text),
                          field_name="version_range")
    return bounds


@lru_cache(maxsize=65536)
def _key(ecosystem: str, version: str) -> Any:
    """The ordering key of a version, or None when the ecosystem cannot order it."""
    from renkei.software.vulndb.versions import InvalidVersion, version_key

    try:
        return version_key(ecosystem, version)
    except (InvalidVersion, ValueError, KeyError):
        return None


_COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def version_in_range(ecosystem: str, version: str, bounds: list[Bound]) -> bool | None:
    """Whether `version` satisfies every bound, in the ecosystem's order; None when not comparable."""
    if not ecosystem or not version:
        return None
    key = _key(ecosystem, version)
    if key is None:
        return None
    for op, bound in bounds:
        bound_key = _key(ecosystem, bound)
        if bound_key is None:
            return None
        if not _COMPARE[op](key, bound_key):
            return False
    return True


def _canonical_ecosystem(ecosystem: str) -> str:
    from renkei.software.vulndb.versions import normalise_ecosystem

    canonical = normalise_ecosystem(ecosystem)
    if canonical is None:
        raise RenkeiError(_("Unknown ecosystem: {name}").format(name=ecosystem), field_name="ecosystem")
    return canonical


def _from_purl(text: str) -> tuple[str | None, str, str]:
    from renkei.software.sbom.document import SbomError, purl_identity

    try:
        ecosystem, name, version = purl_identity(text, component=text, location="name")
    except SbomError as exc:
        raise RenkeiError(exc.render(_), field_name="name") from exc
    if not name:
        raise RenkeiError(_("Unknown ecosystem: {name}").format(name=text), field_name="name")
    return ecosystem, name, version


def portfolio_search(
    *, user: Any, name: str, ecosystem: str | None = None, version_range: str | None = None
) -> list[PortfolioHit]:
    """Which releases, products and suppliers contain a package, looking only at each release's
    current SBOM, optionally within a version range (">=1.0,<2.0", compared in the component's
    ecosystem's order). `name` may also be a package URL (`pkg:pypi/django@4.2`; its version, if
    any, becomes the range). One query; names compare as the ecosystem does (PEP 503 for PyPI …)."""
    from renkei.software.services import normalised_name
    from renkei.software.vulndb.versions import SUPPORTED_ECOSYSTEMS

    text = (name or "").strip()
    if not text:
        raise RenkeiError(_("This field is required."), field_name="name")
    if text.startswith("pkg:"):
        purl_ecosystem, text, purl_version = _from_purl(text)
        ecosystem = ecosystem or purl_ecosystem
        if purl_version and not version_range:
            version_range = f"=={purl_version}"
    bounds = parse_version_range(version_range) if version_range else None
    if ecosystem:
        canonical = _canonical_ecosystem(ecosystem)
        condition = Q(ecosystem=canonical, normalised_name=normalised_name(canonical, text))
    else:
        forms = {normalised_name(e, text) for e in SUPPORTED_ECOSYSTEMS} | {normalised_name(None, text)}
        condition = Q(normalised_name__in=forms)
    rows = (
        scoped(Component.objects.filter(condition, sbom__release__current_sbom=F("sbom")), user)
        .order_by(
            "sbom__release__product__supplier__name", "sbom__release__product__name", "sbom__release__version",
            "name", "version", "pk",
        )
        .values_list(
            "pk", "name", "version", "ecosystem", "purl", "normalised_name",
            "sbom__release_id", "sbom__release__version",
            "sbom__release__product_id", "sbom__release__product__name",
            "sbom__release__product__supplier_id", "sbom__release__product__supplier__name",
            "sbom__group_company_id",
        )
    )
    hits = []
    for (pk, comp_name, version, eco, purl, stored_name, release_id, release_version, product_id,
         product_name, supplier_id, supplier_name, company_id) in rows:
        # Without an ecosystem the query matched every ecosystem's spelling; keep the ones whose
        # own ecosystem spells the searched name this way.
        if not ecosystem and stored_name != normalised_name(eco or None, text):
            continue
        in_range: bool | None = True
        if bounds is not None:
            in_range = version_in_range(eco, version, bounds)
            if in_range is False:
                continue
        hits.append(PortfolioHit(
            component_id=pk, name=comp_name, version=version, ecosystem=eco, purl=purl,
            release_id=release_id, release_version=release_version, product_id=product_id,
            product_name=product_name, supplier_id=supplier_id, supplier_name=supplier_name,
            group_company_id=company_id, in_range=in_range,
        ))
    return hits


def portfolio_summary(hits: Iterable[PortfolioHit]) -> dict[str, int]:
    """How many suppliers, products, releases and components the hits span."""
    hits = list(hits)
    return {
        "suppliers": len({h.supplier_id for h in hits}),
        "products": len({h.product_id for h in hits}),
        "releases": len({h.release_id for h in hits}),
        "components": len(hits),
    }


# --- releases ------------------------------------------------------------------------------------


def not_checked_reason(ecosystem: str, version: str) -> str | None:
    """Why a component cannot be checked against the database (None when it can); the same
    reasons as the matching engine gives."""
    from renkei.software.vulndb.matching import (
        REASON_BAD_VERSION,
        REASON_NO_ECOSYSTEM,
        REASON_NO_VERSION,
        REASON_UNSUPPORTED,
    )
    from renkei.software.vulndb.versions import normalise_ecosystem

    if not ecosystem:
        return _(REASON_NO_ECOSYSTEM)
    if normalise_ecosystem(ecosystem) is None:
        return _(REASON_UNSUPPORTED)
    if not version:
        return _(REASON_NO_VERSION)
    if _key(ecosystem, version) is None:
        return _(REASON_BAD_VERSION)
    return None


@dataclass
class NotChecked:
    component_id: int
    name: str
    version: str
    ecosystem: str
    reason: str


@dataclass
class ReleaseOverview:
    """What the release page and the API show about one release (a fixed number of queries)."""

    release: Release
    sbom: Sbom | None
    sbom_count: int
    component_count: int
    open_by_severity: dict[str, int]
    findings_total: int
    findings_open: int
    findings_resolved: int
    files: list[DeliveredFile]
    mismatched_files: list[DeliveredFile]
    not_checked: list[NotChecked] = field(default_factory=list)
    licence_violation_count: int = 0

    @property
    def integrity_ok(self) -> bool:
        return not self.mismatched_files


def release_overview(*, user: Any, release: Release) -> ReleaseOverview:
    """Current SBOM, finding counts, delivered files and their integrity, components that could
    not be checked, and the number of licence violations of one (visible) release."""
    sbom = release.current_sbom
    findings = scoped(Finding.objects.filter(release=release), user)
    counts = Counter(
        (severity, resolved, state) for severity, resolved, state in findings.values_list("severity", "resolved", "state")
    )
    open_states = {VexState.UNDER_INVESTIGATION, VexState.AFFECTED}
    open_by_severity = {s.value: 0 for s in Severity}
    for (severity, resolved, state), n in counts.items():
        if not resolved and state in open_states:
            open_by_severity[severity] += n
    files = list(scoped(DeliveredFile.objects.filter(release=release), user).order_by("name", "pk"))
    not_checked: list[NotChecked] = []
    component_count = 0
    if sbom is not None:
        rows = Component.objects.filter(sbom=sbom).order_by("name", "pk").values_list("pk", "name", "version", "ecosystem")
        for pk, name, version, ecosystem in rows:
            component_count += 1
            reason = not_checked_reason(ecosystem, version)
            if reason:
                not_checked.append(NotChecked(pk, name, version, ecosystem, reason))
    return ReleaseOverview(
        release=release,
        sbom=sbom,
        sbom_count=scoped(Sbom.objects.filter(release=release), user).count(),
        component_count=component_count,
        open_by_severity=open_by_severity,
        findings_total=sum(counts.values()),
        findings_open=sum(open_by_severity.values()),
        findings_resolved=sum(n for (_s, resolved, _st), n in counts.items() if resolved),
        files=files,
        mismatched_files=[f for f in files if f.integrity == IntegrityState.MISMATCH],
        not_checked=not_checked,
        licence_violation_count=len(licence_violations(user=user, release=release)),
    )


@dataclass(frozen=True)
class LicenceViolation:
    component_id: int
    name: str
    version: str
    licences: str
    violations: list[str]


def _identifiers(text: str) -> set[str]:
    return {line.strip() for line in (text or "").splitlines() if line.strip()}


def licence_violations(*, user: Any, release: Release) -> list[LicenceViolation]:
    """Components of the release's current SBOM whose licences break its group company's policy
    (none without a policy). Each distinct expression is evaluated once."""
    from renkei.software.licences.expressions import licence_violations as violations_of

    if release.current_sbom_id is None:
        return []
    policy = scoped(LicencePolicy.objects.filter(group_company_id=release.group_company_id), user).first()
    if policy is None:
        return []
    allowed, denied = _identifiers(policy.allowed), _identifiers(policy.denied)
    if not allowed and not denied:
        return []
    rows = (
        Component.objects.filter(sbom_id=release.current_sbom_id)
        .order_by("name", "version", "pk")
        .values_list("pk", "name", "version", "licences")
    )
    verdicts: dict[str, list[str]] = {}
    result = []
    for pk, name, version, licences in rows:
        if licences not in verdicts:
            verdicts[licences] = violations_of(licences, allowed, denied)
        if verdicts[licences]:
            result.append(LicenceViolation(pk, name, version, licences, verdicts[licences]))
    return result


# --- findings ------------------------------------------------------------------------------------


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
    if not include_resolved:
        qs = qs.filter(resolved=False)
    return qs


def vulnerability_by_name(name: str) -> Vulnerability | None:
    """The vulnerability an OSV ID or alias names."""
    name = name.strip()
    return (
        Vulnerability.objects.filter(Q(osv_id=name) | Q(alias_rows__alias=name)).distinct().first()
    )


def advisory_index() -> Any:
    """The matching engine's index of the whole database, rebuilt only when the database changed."""
    from renkei.software.vulndb.importing import advisory_index as cached_index

    return cached_index()[0]


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
