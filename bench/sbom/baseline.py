"""The same work done the plain way: the baseline the engine must beat ≥ 20×.

Parsing: cyclonedx-python-lib's object model (``Bom.from_json`` of the stdlib-decoded document),
then each component's ecosystem, name and version from its ``PackageURL`` object.

Checking: advisories grouped by package in a dict ((ecosystem, normalised name) → affected
entries; built inside the timed check). For each component, for each advisory entry naming its
package: the version is affected when it is in the entry's ``versions`` list, or when it lies in
one of the entry's ranges, evaluated with univers: the range's events are parsed with the
ecosystem's univers version class (PypiVersion, SemverVersion for npm and SEMVER ranges,
MavenVersion), sorted, paired into intervals (introduced → ``>=``, fixed → ``<``, last_affected
→ ``<=``; ``introduced: 0`` → no lower bound) and each interval becomes a univers ``VersionRange``
queried with ``version in range``. Each entry's ranges are converted once, the first time a
component needs them (the conversion is part of the timed check).

A univers pitfall, worked around: an interval of one version (``introduced: v`` and
``last_affected: v``, common in GitHub advisories) as the constraints ``>=v`` and ``<=v`` is sorted
by univers into ``<=v|>=v``, and univers's vers containment check then answers "inside" for every
version (univers 32.0.1: ``SemverVersion("1.0.0") in NpmVersionRange(constraints=[>=5.0.0,
<=5.0.0])`` is True). The baseline uses ``=v`` for such intervals and counts in ``naive_wrong`` the
(component, advisory) pairs the naive range would have reported as affected.

What univers cannot evaluate is not guessed: a component version or range event its version
class rejects, a ``limit`` event or an unknown range type is recorded in ``unchecked`` per
(component, advisory), and the component is "not checked" for that advisory.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component
from packaging.utils import canonicalize_name
from univers.version_constraint import VersionConstraint
from univers.version_range import MavenVersionRange, NpmVersionRange, PypiVersionRange, VersionRange
from univers.versions import InvalidVersion, MavenVersion, PypiVersion, SemverVersion, Version

from renkei.software.vulndb.osv import Advisory, AffectedSpec

# purl type → OSV ecosystem for the ecosystems the benchmark covers (others: not checked).
PURL_TYPES = {"pypi": "PyPI", "npm": "npm", "maven": "Maven"}
# OSV ordering → (univers range class, version class). SEMVER ranges use SemVer whatever the package.
SCHEMES: dict[str, tuple[type[VersionRange], type[Version]]] = {
    "PyPI": (PypiVersionRange, PypiVersion),
    "npm": (NpmVersionRange, SemverVersion),
    "Maven": (MavenVersionRange, MavenVersion),
    "SemVer": (NpmVersionRange, SemverVersion),
}


class BaselineComponent(NamedTuple):
    ref: str
    ecosystem: str | None
    name: str
    version: str


@dataclass
class BaselineResult:
    """`hits`: (component ref, advisory id); `unchecked`: (ref, advisory id or "") → reason."""

    hits: set[tuple[str, str]] = field(default_factory=set)
    unchecked: dict[tuple[str, str], str] = field(default_factory=dict)
    pairs_checked: int = 0  # (component, affected entry) pairs looked at
    ranges_evaluated: int = 0  # univers `version in range` calls
    # Pairs the naive ">=v|<=v" univers range would have reported affected (they are not).
    naive_wrong: set[tuple[str, str]] = field(default_factory=set)


def _walk(components: Iterable[Component]) -> Iterable[Component]:
    for component in components:
        yield component
        yield from _walk(component.components)


def parse(data: bytes) -> list[BaselineComponent]:
    """Deserialise a CycloneDX JSON document with cyclonedx-python-lib; identity from the purl."""
    bom = Bom.from_json(json.loads(data))  # type: ignore[attr-defined]
    out = []
    for component in _walk(bom.components):
        purl = component.purl
        ecosystem = PURL_TYPES.get(purl.type) if purl is not None else None
        name, version = component.name, component.version or ""
        if purl is not None and ecosystem is not None:
            version = purl.version or version
            if ecosystem == "PyPI":
                name = canonicalize_name(purl.name)
            elif purl.namespace:
                name = (
                    f"{purl.namespace}:{purl.name}"
                    if ecosystem == "Maven"
                    else f"{purl.namespace}/{purl.name}"
                )
            else:
                name = purl.name
        out.append(BaselineComponent(str(component.bom_ref.value), ecosystem, name, version))
    return out


class _Unevaluable(Exception):
    pass


class _SingleVersion(NamedTuple):
    """A one-version interval (introduced v, last_affected v): the "=v" range and the naive one."""

    single: VersionRange
    naive: VersionRange

    def __contains__(self, version: object) -> bool:
        return version in self.single


def _intervals(scheme: str, events: list[dict[str, str]]) -> list[VersionRange | _SingleVersion]:
    """univers ranges for one OSV range (one per introduced→fixed/last_affected interval)."""
    range_class, version_class = SCHEMES[scheme]
    parsed: list[tuple[Version | None, str]] = []
    for event in events:
        ((kind, value),) = event.items()
        if kind == "limit":
            raise _Unevaluable("limit events are not supported by the baseline")
        try:
            parsed.append((None if kind == "introduced" and value == "0" else version_class(value), kind))
        except (InvalidVersion, ValueError) as exc:
            raise _Unevaluable(f"univers cannot parse range event {value!r}") from exc
    parsed.sort(key=lambda e: (e[0] is not None, e[0]))  # type: ignore[arg-type,return-value]
    out: list[VersionRange | _SingleVersion] = []
    start: Version | None = None
    is_open = False
    for version, kind in parsed:
        if kind == "introduced":
            if not is_open:
                start, is_open = version, True
            continue
        if not is_open or version is None:
            continue
        is_open = False
        if start is not None and (start >= version if kind == "fixed" else start > version):
            continue  # empty interval (e.g. introduced and fixed in the same version)
        if start is not None and kind == "last_affected" and start == version:
            # univers sorts ">=v|<=v" as "<=v|>=v", which its vers check reads as "every version"
            # (see the module docstring); one version is "=v". The naive range is kept to count
            # the findings it would have got wrong.
            single = range_class(constraints=(VersionConstraint(comparator="=", version=version),))
            naive = range_class(
                constraints=(
                    VersionConstraint(comparator=">=", version=start),
                    VersionConstraint(comparator="<=", version=version),
                )
            )
            out.append(_SingleVersion(single, naive))
            continue
        constraints = [VersionConstraint(comparator=">=", version=start)] if start is not None else []
        constraints.append(VersionConstraint(comparator="<" if kind == "fixed" else "<=", version=version))
        out.append(range_class(constraints=tuple(constraints)))
    if is_open:
        lower = (
            VersionConstraint(comparator=">=", version=start)
            if start is not None
            # univers types `version_class` as an instance; it takes the class.
            else VersionConstraint(comparator="*", version_class=version_class)  # type: ignore[arg-type]
        )
        out.append(range_class(constraints=(lower,)))
    return out


def _convert(spec: AffectedSpec) -> list[tuple[str, list[VersionRange | _SingleVersion] | str]]:
    """Per evaluable range: (scheme, univers ranges) or (scheme, reason it cannot be evaluated)."""
    out: list[tuple[str, list[VersionRange | _SingleVersion] | str]] = []
    for rng in spec.ranges:
        if rng["type"] == "GIT":
            continue
        scheme = "SemVer" if rng["type"] == "SEMVER" else spec.ecosystem
        if rng["type"] not in ("ECOSYSTEM", "SEMVER") or scheme not in SCHEMES:
            out.append((scheme, f"range type {rng['type']} / {scheme} not supported by the baseline"))
            continue
        try:
            out.append((scheme, _intervals(scheme, rng["events"])))
        except _Unevaluable as exc:
            out.append((scheme, str(exc)))
    return out


def check(components: Sequence[BaselineComponent], advisories: Iterable[Advisory]) -> BaselineResult:
    """Per component, per advisory entry of its package: listed version, else univers ranges."""
    by_package: dict[tuple[str, str], list[tuple[str, AffectedSpec]]] = defaultdict(list)
    seen: set[str] = set()
    for advisory in advisories:
        if advisory.withdrawn is not None or advisory.id in seen:
            continue
        seen.add(advisory.id)
        for spec in advisory.affected:
            by_package[(spec.ecosystem, spec.name)].append((advisory.id, spec))

    converted: dict[int, list[tuple[str, list[VersionRange | _SingleVersion] | str]]] = {}
    result = BaselineResult()
    for comp in components:
        if comp.ecosystem is None:
            result.unchecked[(comp.ref, "")] = "ecosystem not supported"
            continue
        entries = by_package.get((comp.ecosystem, comp.name))
        if not entries:
            continue
        versions: dict[str, Any] = {}  # scheme → parsed version, or None when univers rejects it
        for advisory_id, spec in entries:
            result.pairs_checked += 1
            if comp.version in spec.versions:
                result.hits.add((comp.ref, advisory_id))
                continue
            ranges = converted.get(id(spec))
            if ranges is None:
                ranges = converted[id(spec)] = _convert(spec)
            if not ranges and spec.versions and spec.ecosystem in SCHEMES:
                # Only a versions list: compare by version equality ("1.0" == "1.0.0" on PyPI).
                version = _version(versions, spec.ecosystem, comp.version)
                try:
                    if version is not None and any(
                        version == SCHEMES[spec.ecosystem][1](v) for v in spec.versions
                    ):
                        result.hits.add((comp.ref, advisory_id))
                except (InvalidVersion, ValueError):
                    pass
                continue
            for scheme, intervals in ranges:
                if isinstance(intervals, str):
                    result.unchecked.setdefault((comp.ref, advisory_id), intervals)
                    continue
                version = _version(versions, scheme, comp.version)
                if version is None:
                    result.unchecked.setdefault((comp.ref, advisory_id), "univers cannot parse the version")
                    continue
                result.ranges_evaluated += len(intervals)
                if any(version in interval for interval in intervals):
                    result.hits.add((comp.ref, advisory_id))
                    break
                if any(isinstance(i, _SingleVersion) and version in i.naive for i in intervals):
                    result.naive_wrong.add((comp.ref, advisory_id))
    # A hit found another way (listed version, another range) makes the pair decided.
    for key in result.hits:
        result.unchecked.pop(key, None)
    result.naive_wrong -= result.hits
    return result


def _version(cache: dict[str, Any], scheme: str, version: str) -> Version | None:
    if scheme not in cache:
        try:
            cache[scheme] = SCHEMES[scheme][1](version)
        except (InvalidVersion, ValueError):
            cache[scheme] = None
    return cache[scheme]
