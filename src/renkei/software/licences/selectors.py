"""Reads of licence compliance: the components of a release's current SBOM that break its group
company's policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from renkei.software.models import Component, LicencePolicy, Release
from renkei.software.selectors import scoped


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
