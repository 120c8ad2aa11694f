"""Reads the software sub-capabilities share: the system scope, severity order, open findings.

"Open" means still matched and not closed by triage (under investigation or affected). The reads
of each sub-capability live in its own `selectors.py`; every function that takes a `user`
restricts what it reads with `visible()` (`user=None` means the whole group: commands and tasks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from renkei.core.permissions import visible
from renkei.registry.models import Organisation
from renkei.software.models import Product, Severity, VexState

OPEN_STATES = (VexState.UNDER_INVESTIGATION, VexState.AFFECTED)
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.UNKNOWN)


def scoped(queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """`visible()` for a user; everything for the system (`user=None`)."""
    return queryset if user is None else visible(queryset, user)


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


def product_suppliers(user: Any) -> Any:
    """Organisations that delivered at least one product the user may see."""
    products = visible(Product.objects.all(), user)
    return visible(Organisation.objects.filter(pk__in=products.values("supplier_id")), user).order_by("name")
