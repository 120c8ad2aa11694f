"""What fixes a finding: the fixed versions of a package, and the upgrade that fixes the most.

A pure engine (no Django), shared by `renkei sbom scan` and the findings recomputation.

- `fixed_versions(affected, ecosystem, name)`: every version an advisory's ranges name as `fixed`
  for the package, in the ecosystem's order.
- `upgrade_advice(index, ...)`: for one component and the vulnerabilities matched to it, the
  smallest version above the current one that fixes the most of them ("upgrade to X fixes N of
  M"). Each candidate (a fixed version of one of the vulnerabilities) is checked with the same
  matching engine the findings come from, so a version fixed on one branch but vulnerable on
  another is not counted as a fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from renkei.software.vulndb.versions import InvalidVersion, version_key

MAX_CANDIDATES = 50


@dataclass(frozen=True, slots=True)
class UpgradeAdvice:
    """Upgrading the component to `version` fixes `fixes` of its `total` findings."""

    version: str
    fixes: int
    total: int


def _key(ecosystem: str, version: str) -> Any:
    try:
        return version_key(ecosystem, version)
    except (InvalidVersion, ValueError):
        return None


def sort_versions(ecosystem: str, versions: Iterable[str]) -> list[str]:
    """Distinct versions in the ecosystem's order; unparsable ones last, as written."""
    keyed: list[tuple[Any, str]] = []
    other: list[tuple[Any, str]] = []
    for version in dict.fromkeys(v for v in versions if v):
        key = _key(ecosystem, version)
        (other if key is None else keyed).append((key, version))
    keyed.sort(key=lambda kv: kv[0])
    return [v for _k, v in keyed] + sorted(v for _k, v in other)


def fixed_versions(affected: Iterable[Any], ecosystem: str, name: str) -> list[str]:
    """The `fixed` events of the ranges of `affected` entries (dicts or `AffectedSpec`) for the package."""
    found: list[str] = []
    for entry in affected:
        eco = entry.get("ecosystem") if isinstance(entry, Mapping) else entry.ecosystem
        pkg = entry.get("name") if isinstance(entry, Mapping) else entry.name
        if eco != ecosystem or pkg != name:
            continue
        ranges = entry.get("ranges") if isinstance(entry, Mapping) else entry.ranges
        for spec in ranges or []:
            if spec.get("type") == "GIT":
                continue  # commit hashes, not versions
            found += [event["fixed"] for event in spec.get("events", []) if "fixed" in event]
    return sort_versions(ecosystem, found)


def upgrade_advice(
    index: Any,
    *,
    ecosystem: str,
    name: str,
    version: str,
    findings: Mapping[str, Sequence[str]],
    candidates: Iterable[str],
) -> UpgradeAdvice | None:
    """The smallest version above `version` that fixes the most `findings`.

    `findings` maps each finding to the advisory IDs that name it (one vulnerability may be known
    to the index under several records); a finding is fixed at a version when none of its
    advisories matches that version. `candidates` are the fixed versions of the findings. None
    when no candidate above the current version fixes anything.
    """
    current = _key(ecosystem, version)
    if current is None or not findings:
        return None
    above = [v for v in sort_versions(ecosystem, candidates) if (k := _key(ecosystem, v)) is not None and k > current]
    best: UpgradeAdvice | None = None
    for candidate in above[:MAX_CANDIDATES]:
        still = set(index.match_one(ecosystem, name, candidate))
        fixes = sum(1 for ids in findings.values() if not still.intersection(ids))
        if fixes and (best is None or fixes > best.fixes):
            best = UpgradeAdvice(candidate, fixes, len(findings))
            if fixes == len(findings):
                break
    return best
