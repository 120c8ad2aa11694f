"""Findings: the current SBOM of each release matched against the vulnerability database.

One finding per (component, vulnerability). A finding is identified across SBOM versions by its
vulnerability and the package (ecosystem, normalised name, version): when a new SBOM of the
release lists the same package, the existing finding moves to the new component row and keeps
its triage, its history and its pk. Findings that no longer match are marked `resolved` (kept,
with their triage, and brought back if the match returns). Only findings that are new to the
release, and critical or high, are e-mailed to the product's responsible analyst.

Each finding also gets the versions that fix it for its package, and every finding of a component
the component's best upgrade ("upgrade to X fixes N of M"), both worked out with the same index
(`vulndb.remediation`).

The advisory index is built once per run (and cached per database version); each release costs
two queries to read, one match, and a few bulk writes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from renkei.software.findings import notifications
from renkei.software.models import Component, Finding, Release, Severity, VexState
from renkei.software.vulndb.selectors import advisory_index

NOTIFY_SEVERITIES = frozenset({Severity.CRITICAL, Severity.HIGH})
Identity = tuple[int, str, str, str]  # (vulnerability pk, ecosystem, normalised name, version)
# What the recomputation writes on a finding besides the match itself.
FACT_FIELDS = ("severity", "fixed_versions", "fix_available", "upgrade_version", "upgrade_fixes", "upgrade_total")


def _facts(index: Any, matches: dict[int, list[tuple[int, str, str]]], identities: dict[int, tuple[str, str, str]]
           ) -> dict[tuple[int, int], dict[str, Any]]:
    """(component pk, vulnerability pk) → the values of `FACT_FIELDS`."""
    from renkei.software.vulndb.remediation import fixed_versions, upgrade_advice

    facts: dict[tuple[int, int], dict[str, Any]] = {}
    for component_id, found in matches.items():
        eco, name, version = identities[component_id]
        fixed_by: dict[str, list[str]] = {}
        for _vuln_id, osv_id, _severity in found:
            advisory = index.advisory_by_id(osv_id)
            fixed_by[osv_id] = fixed_versions(advisory.affected, eco, name) if advisory is not None else []
        advice = upgrade_advice(
            index, ecosystem=eco, name=name, version=version,
            findings={osv_id: (osv_id,) for _v, osv_id, _s in found},
            candidates=[v for versions in fixed_by.values() for v in versions],
        ) if eco else None
        for vuln_id, osv_id, severity in found:
            facts[(component_id, vuln_id)] = {
                "severity": severity,
                "fixed_versions": fixed_by[osv_id],
                "fix_available": bool(fixed_by[osv_id]),
                "upgrade_version": advice.version[:200] if advice else "",
                "upgrade_fixes": advice.fixes if advice else 0,
                "upgrade_total": advice.total if advice else 0,
            }
    return facts


def recompute(*, release_ids: list[int] | None = None) -> dict[str, int]:
    """See `services.findings_recompute`."""
    from renkei.software.vulndb.matching import ComponentRef

    releases = Release.objects.filter(current_sbom__isnull=False).select_related(
        "product__responsible", "product__supplier"
    )
    if release_ids is not None:
        releases = releases.filter(pk__in=release_ids)
    totals = {"releases": 0, "created": 0, "moved": 0, "reopened": 0, "resolved": 0, "updated": 0,
              "not_checked": 0, "notified": 0}
    if not releases.exists():
        return totals  # nothing to match: do not build the index
    index, lookup = advisory_index()
    for release in releases.order_by("pk").iterator(chunk_size=200):
        rows = list(
            Component.objects.filter(sbom=release.current_sbom_id).values_list(
                "pk", "ecosystem", "normalised_name", "version", "purl"
            )
        )
        refs = [ComponentRef(key=pk, ecosystem=eco or None, name=name, version=version, purl=purl)
                for pk, eco, name, version, purl in rows]
        result = index.match(refs)
        by_component: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for match in result.matches:
            entry = lookup.get(match.advisory_id)
            if entry is not None:
                by_component[int(match.key)].append((entry[0], match.advisory_id, entry[1]))
        identities = {pk: (eco, name, version) for pk, eco, name, version, _purl in rows}
        matched = _facts(index, by_component, identities)
        with transaction.atomic():
            counts, new_findings = _apply(release=release, matched=matched, identities=identities)
            Release.objects.filter(pk=release.pk).update(findings_matched_at=timezone.now())
        for key, value in counts.items():
            totals[key] += value
        totals["not_checked"] += len(result.not_checked)
        totals["releases"] += 1
        urgent = [f for f in new_findings if f.severity in NOTIFY_SEVERITIES]
        if urgent and notifications.send_new_findings(release=release, findings=urgent):
            totals["notified"] += 1
    return totals


def _apply(
    *, release: Release, matched: dict[tuple[int, int], dict[str, Any]], identities: dict[int, tuple[str, str, str]]
) -> tuple[dict[str, int], list[Finding]]:
    counts = {"created": 0, "moved": 0, "reopened": 0, "resolved": 0, "updated": 0}
    existing = list(
        Finding.objects.filter(release=release).values_list(
            "pk", "component_id", "vulnerability_id", "resolved",
            "component__ecosystem", "component__normalised_name", "component__version", *FACT_FIELDS,
        )
    )
    on_current: dict[tuple[int, int], tuple[int, dict[str, Any], bool]] = {}
    elsewhere: dict[Identity, list[tuple[int, bool]]] = defaultdict(list)
    for pk, component_id, vuln_id, resolved, eco, name, version, *values in existing:
        if component_id in identities:
            on_current[(component_id, vuln_id)] = (pk, dict(zip(FACT_FIELDS, values, strict=True)), resolved)
        else:
            elsewhere[(vuln_id, eco, name, version)].append((pk, resolved))

    changes: dict[int, dict[str, Any]] = {}
    new: list[Finding] = []
    for (component_id, vuln_id), facts in sorted(matched.items()):
        found = on_current.get((component_id, vuln_id))
        if found is not None:
            pk, old_facts, resolved = found
            change: dict[str, Any] = {}
            if resolved:
                change["resolved"] = False
                counts["reopened"] += 1
            if old_facts != facts:
                change.update({k: v for k, v in facts.items() if old_facts[k] != v})
                counts["updated"] += 1
            if change:
                changes[pk] = change
            continue
        eco, name, version = identities[component_id]
        candidates = elsewhere.get((vuln_id, eco, name, version))
        if candidates:
            # The same package in a newer SBOM of the release: the finding (and its triage) moves.
            pk, _resolved = candidates.pop(0)
            changes[pk] = {"component_id": component_id, "resolved": False, **facts}
            counts["moved"] += 1
            continue
        new.append(
            Finding(
                release_id=release.pk,
                group_company_id=release.group_company_id,
                component_id=component_id,
                vulnerability_id=vuln_id,
                state=VexState.UNDER_INVESTIGATION,
                **facts,
            )
        )
    for (component_id, vuln_id), (pk, _severity, resolved) in on_current.items():
        if (component_id, vuln_id) not in matched and not resolved:
            changes[pk] = {"resolved": True}
            counts["resolved"] += 1
    for leftovers in elsewhere.values():
        for pk, resolved in leftovers:
            if not resolved:
                changes[pk] = {"resolved": True}
                counts["resolved"] += 1
    _write_changes(changes)
    Finding.objects.bulk_create(new, batch_size=1000)
    counts["created"] = len(new)
    if new:
        new = list(
            Finding.objects.filter(release=release, pk__in=[f.pk for f in new])
            .select_related("component", "vulnerability")
            .order_by("vulnerability__osv_id")
        )
    return counts, new


def _write_changes(changes: dict[int, dict[str, Any]]) -> None:
    """One bulk update per set of changed fields (findings of a release change in a few ways)."""
    now = timezone.now()
    groups: dict[tuple[str, ...], list[Finding]] = defaultdict(list)
    for pk, change in changes.items():
        finding = Finding(pk=pk, updated_at=now, **change)
        fields = tuple(sorted(name.removesuffix("_id") for name in change))
        groups[fields].append(finding)
    for fields, findings in groups.items():
        Finding.objects.bulk_update(findings, [*fields, "updated_at"], batch_size=1000)
