"""Reads the software pages share with the registry: open findings by severity, a supplier's summary.

"Open" means still matched and not closed by triage (under investigation or affected). Every
function takes querysets already restricted by `visible()` or restricts them itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from renkei.core.permissions import visible
from renkei.software.models import (
    DeliveredFile,
    Finding,
    IntegrityState,
    Product,
    Release,
    Severity,
    VexState,
)

OPEN_STATES = (VexState.UNDER_INVESTIGATION, VexState.AFFECTED)
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.UNKNOWN)


@dataclass(frozen=True)
class SeverityCount:
    severity: str
    label: str
    count: int


def severity_rank(field_name: str = "severity") -> Case:
    """An expression ordering severities from critical (0) to unknown (4), for `order_by`."""
    return Case(
        *[When(**{field_name: value}, then=Value(rank)) for rank, value in enumerate(SEVERITY_ORDER)],
        default=Value(len(SEVERITY_ORDER)),
        output_field=IntegerField(),
    )


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
