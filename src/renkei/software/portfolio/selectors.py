"""Reads of the portfolio: the search across current SBOMs, one release's overview, and what a
supplier delivered (for its registry page).

Every function that takes a `user` restricts what it reads with `visible()` (`user=None` means
the whole group: commands and tasks); the callers fetch the release itself with
`get_visible_or_404()`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.permissions import visible
from renkei.software.findings.selectors import findings_by_severity
from renkei.software.licences.selectors import licence_violations
from renkei.software.models import (
    Component,
    DeliveredFile,
    Finding,
    IntegrityState,
    Product,
    Release,
    Sbom,
    Severity,
    VexState,
)
from renkei.software.selectors import OPEN_STATES, SeverityCount, scoped

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
    from renkei.software.sbom.services import normalised_name
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


# --- suppliers -----------------------------------------------------------------------------------

@dataclass
class SupplierSoftware:
    """What a supplier delivered to us, for its registry page."""

    products: list[Any] = field(default_factory=list)  # Product rows annotated with counts
    release_count: int = 0
    severity_counts: list[SeverityCount] = field(default_factory=list)
    mismatched_files: list[DeliveredFile] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.products


def supplier_software(*, user: Any, organisation: Any) -> SupplierSoftware:
    """Products, releases, open findings by severity and integrity mismatches of one supplier (4 queries)."""
    products = list(
        visible(Product.objects.filter(supplier=organisation), user)
        .annotate(
            release_count=Count("releases", distinct=True),
            open_findings=Count(
                "releases__findings",
                filter=Q(releases__findings__resolved=False, releases__findings__state__in=OPEN_STATES),
                distinct=True,
            ),
        )
        .order_by("name")
    )
    if not products:
        return SupplierSoftware()
    findings = visible(Finding.objects.filter(release__product__supplier=organisation), user)
    mismatched = list(
        visible(
            DeliveredFile.objects.filter(release__product__supplier=organisation, integrity=IntegrityState.MISMATCH),
            user,
        ).select_related("release__product")
    )
    return SupplierSoftware(
        products=products,
        release_count=visible(Release.objects.filter(product__supplier=organisation), user).count(),
        severity_counts=findings_by_severity(findings).get(None, []),
        mismatched_files=mismatched,
    )
