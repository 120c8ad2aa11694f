"""Matching components against OSV advisories, following the OSV schema's evaluation rules.

A pure engine (no Django). `AdvisoryIndex.build(advisories)` only groups the advisories by package
(ecosystem, normalised name); no version is parsed. The first time `match` meets a package, it
turns every ECOSYSTEM and SEMVER range naming that package into intervals of version keys, sorts
their ends into one list of boundary keys and indexes the listed `versions`, and keeps all of it
in the index. Between and at the boundaries the set of affecting advisories is constant (worked
out the first time a version falls there, then kept), so a component needs one key parse and one
bisection, whatever the number of advisories. A database holds tens of thousands of packages and
an SBOM touches a few thousand: only those are ever computed.

Rules (https://ossf.github.io/osv-schema/#evaluation): a version is affected when it is listed in
`versions`, or when a range's events, sorted by version, leave it vulnerable: `introduced`
(inclusive; "0" = before everything) opens, `fixed` (exclusive) and `last_affected` (inclusive)
close, and `limit` events cap the range (below the highest limit; "*" = no cap). GIT ranges need
the repository and are skipped. Withdrawn advisories are left out.

A component is never reported "not affected" when it could not be checked: an unsupported
ecosystem, a missing or unparsable version, or an advisory range that cannot be evaluated puts
it in `not_checked` with a reason (listed versions still match exactly).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from renkei.software.osv import Advisory, AffectedSpec, gettext_noop
from renkei.software.versions import (
    SEMVER,
    SUPPORTED_ECOSYSTEMS,
    InvalidVersion,
    normalise_ecosystem,
    normalise_package_name,
    version_key,
)

# Reasons for `not_checked`, English msgids a caller may translate with gettext.
REASON_NO_ECOSYSTEM = gettext_noop("No package URL")
REASON_UNSUPPORTED = gettext_noop("Package type not supported")
REASON_NO_VERSION = gettext_noop("No version")
REASON_BAD_VERSION = gettext_noop("Version cannot be parsed")
REASON_BAD_RANGE = gettext_noop("An advisory's version range cannot be evaluated")
REASON_GIT_ONLY = gettext_noop("An advisory gives only commit ranges")

# Ecosystems whose own order is SemVer's: their SEMVER and ECOSYSTEM ranges share one table.
_SEMVER_ECOSYSTEMS = frozenset({"npm", "crates.io", "Go"})


class ComponentRef(NamedTuple):
    """A component to check. `ecosystem` is an OSV ecosystem name (None when unknown).

    Named tuples (not frozen dataclasses) because a 10,000-component SBOM builds tens of thousands
    of these and of `Match`, and a frozen dataclass costs several times more to create.
    """

    key: int | str
    ecosystem: str | None
    name: str
    version: str
    purl: str = ""


class Match(NamedTuple):
    """Component `key` is affected by the advisory `advisory_id`."""

    key: int | str
    advisory_id: str


@dataclass(slots=True)
class MatchResult:
    """Matches in component order; `not_checked` holds (component key, reason) once per component."""

    matches: list[Match] = field(default_factory=list)
    not_checked: list[tuple[int | str, str]] = field(default_factory=list)


# One package's intervals in one version order, as columns (no tuple per interval: a cold match
# creates tens of thousands, and every allocation also feeds the garbage collector): low key
# (None = unbounded), high key (None = unbounded), high inclusive, advisory number (ascending).
_Columns = tuple[list[Any], list[Any], list[bool], list[int]]


@dataclass(slots=True)
class _Table:
    """One version order's intervals of one package, in slots between and at boundary keys.

    `bounds` are the sorted distinct interval ends; slot 2i holds the versions between bounds
    i-1 and i, slot 2i+1 bound i itself. Interval j covers slots `firsts[j]` to `lasts[j]` and
    belongs to advisory `numbers[j]` (ascending). Which advisories cover a slot is worked out when
    a version first falls in it and kept in `covering`: an SBOM meets few of a package's slots,
    so sweeping them all up front would mostly be wasted.
    """

    ordering: str
    keys: dict[str, Any]  # the index's parsed versions in this order (version → key)
    bounds: list[Any]
    firsts: list[int]
    lasts: list[int]
    numbers: list[int]
    covering: dict[int, tuple[int, ...]]

    def advisories_at(self, key: Any) -> tuple[int, ...]:
        """Numbers (ascending) of the advisories whose intervals contain version key `key`."""
        bounds = self.bounds
        i = bisect_left(bounds, key)
        slot = 2 * i + 1 if i < len(bounds) and bounds[i] == key else 2 * i
        found = self.covering.get(slot)
        if found is None:
            # Numbers ascend, so the first occurrences are sorted.
            found = tuple(
                dict.fromkeys(
                    n
                    for first, last, n in zip(self.firsts, self.lasts, self.numbers, strict=True)
                    if first <= slot <= last
                )
            )
            self.covering[slot] = found
        return found


@dataclass(slots=True)
class _Package:
    """Everything `match` needs about one package, computed from its affected entries."""

    # Listed version → number of the advisory listing it, or the numbers (ascending) when several
    # do (most versions are listed once: an int saves a tuple).
    listed: dict[str, int | tuple[int, ...]]
    # Versions listed by entries without an evaluable range, for lookup by version key ("1.0"
    # finds a listed "1.0.0" on PyPI); elsewhere the ranges already cover the lists.
    listed_only: dict[str, set[int]]
    tables: list[_Table]
    # Advisories whose ranges for this package could not be evaluated, with the reason.
    unevaluable: dict[int, str]
    listed_only_keys: dict[Any, set[int]] | None = None

    def exact(self, version: str) -> set[int]:
        """The advisories whose entries list `version` verbatim."""
        listing = self.listed.get(version)
        if listing is None:
            return set()
        return {listing} if isinstance(listing, int) else set(listing)


def _ordering(ecosystem: str, range_type: str) -> str | None:
    """Which version order a range uses, or None when we cannot compare its versions."""
    canonical = normalise_ecosystem(ecosystem)
    if canonical is None:
        return None
    if range_type == "SEMVER" or canonical in _SEMVER_ECOSYSTEMS:
        return SEMVER
    return canonical


def range_intervals(ordering: str, events: Sequence[dict[str, str]]) -> list[tuple[Any, Any, bool]]:
    """The intervals `(low key or None, high key or None, high inclusive)` one range describes.

    `low` is inclusive; None means unbounded. Raises `InvalidVersion` for an unparsable event.
    """
    columns: _Columns = ([], [], [], [])
    if _append_alternating(columns, 0, ordering, events, {}):
        return list(zip(columns[0], columns[1], columns[2], strict=True))
    keyed: list[tuple[Any, str]] = []
    limits: list[Any] = []
    unlimited = False
    for event in events:
        ((kind, value),) = event.items()
        if kind == "limit":
            if value == "*":
                unlimited = True
            else:
                limits.append(version_key(ordering, value))
        elif kind == "introduced" and value == "0":
            keyed.append((None, kind))
        else:
            keyed.append((version_key(ordering, value), kind))
    # The spec evaluates events in version order, "0" first; the sort is stable, so events at equal
    # versions keep the record's order.
    keyed.sort(key=lambda pair: (0,) if pair[0] is None else (1, pair[0]))
    intervals: list[tuple[Any, Any, bool]] = []
    # Walk the distinct event versions k. For a version v the spec's loop applies every event at or
    # below v except a `last_affected` equal to v, so the state is piecewise constant: one value
    # at k itself ("at"), another strictly between k and the next event version ("after").
    state = False
    start: Any = None  # low bound of the interval being built, while `state` is True
    i = 0
    while i < len(keyed):
        key = keyed[i][0]
        group = []
        while i < len(keyed) and (keyed[i][0] is None if key is None else keyed[i][0] == key):
            group.append(keyed[i][1])
            i += 1
        at = after = state
        for kind in group:
            after = kind == "introduced"
            if kind != "last_affected":
                at = after
        if key is None:
            # "0" sorts before every version: its group decides from the very start.
            state = after
            continue
        if not state and at:
            start = key
        if state and not at:
            intervals.append((start, key, False))
        elif at and not after:
            intervals.append((start, key, True))
        state = after
    if state:
        intervals.append((start, None, False))
    if limits and not unlimited:
        # Versions at or above every limit are outside the range.
        cap = max(limits)
        capped = []
        for low, high, inclusive in intervals:
            if low is not None and not low < cap:
                continue
            if high is None or cap < high or (inclusive and not high < cap):
                high, inclusive = cap, False
            capped.append((low, high, inclusive))
        intervals = capped
    return intervals


_CLOSED = object()  # no interval is open (`None` already means "open from the very start")

# Canonical ecosystem → range type → version order.
_ORDERS = {
    ecosystem: {"ECOSYSTEM": SEMVER if ecosystem in _SEMVER_ECOSYSTEMS else ecosystem, "SEMVER": SEMVER}
    for ecosystem in SUPPORTED_ECOSYSTEMS
}


def _append_alternating(
    columns: _Columns, number: int, ordering: str, events: Sequence[dict[str, str]], keys: dict[str, Any]
) -> bool:
    """Append the intervals of one range to `columns` if it has the common shape: `introduced` and
    `fixed`/`last_affected` events taking turns at strictly increasing versions ("0" only first),
    no `limit`. For this shape the spec's sort is the identity and each version holds one event,
    so each opening and the closing after it are an interval. Any other shape appends nothing and
    returns False (`range_intervals` then evaluates it in full); an unparsable version appends
    nothing and raises `InvalidVersion`. `keys` memoises parsed versions (version → key).
    """
    lows, highs, inclusive, numbers = columns
    start = len(lows)
    low: Any = _CLOSED
    previous: Any = None
    try:
        for event in events:
            ((kind, value),) = event.items()
            if kind == "introduced":
                if low is not _CLOSED:
                    break
                if value == "0":
                    if previous is not None:
                        break
                    low = None
                    continue
                key = keys.get(value)
                if key is None:
                    key = keys[value] = version_key(ordering, value)
                if previous is not None and not previous < key:
                    break
                low = previous = key
            elif low is _CLOSED or (kind != "fixed" and kind != "last_affected"):
                break
            else:
                key = keys.get(value)
                if key is None:
                    key = keys[value] = version_key(ordering, value)
                if previous is not None and not previous < key:
                    break
                lows.append(low)
                highs.append(key)
                inclusive.append(kind == "last_affected")
                numbers.append(number)
                low = _CLOSED
                previous = key
        else:
            if low is not _CLOSED:
                lows.append(low)
                highs.append(None)
                inclusive.append(False)
                numbers.append(number)
            return True
    except InvalidVersion:
        for column in columns:
            del column[start:]
        raise
    for column in columns:
        del column[start:]
    return False


def _build_table(ordering: str, keys: dict[str, Any], columns: _Columns) -> _Table:
    """The table of one package's intervals in one version order."""
    lows, highs, inclusive, numbers = columns
    # Version keys are memoised, so one version is mostly one key object: sorting distinct
    # objects sorts far fewer keys, and looking positions up by identity replaces a bisection
    # per interval end (comparisons are Python-level for PyPI keys).
    unique = {id(k): k for k in lows if k is not None}
    unique.update({id(k): k for k in highs if k is not None})
    bounds: list[Any] = []
    position: dict[int, int] = {}
    last: Any = _CLOSED
    for k in sorted(unique.values()):
        # Distinct objects may still be equal versions ("1.0" and "1.0.0" on PyPI): one bound.
        if last is _CLOSED or last != k:
            bounds.append(k)
            last = k
        position[id(k)] = len(bounds) - 1
    end = 2 * len(bounds)
    return _Table(
        ordering=ordering,
        keys=keys,
        bounds=bounds,
        firsts=[0 if low is None else 2 * position[id(low)] + 1 for low in lows],
        lasts=[
            end if high is None else 2 * position[id(high)] + closed
            for high, closed in zip(highs, inclusive, strict=True)
        ],
        numbers=numbers,
        covering={},
    )


def _prepare(package_key: tuple[str, str], entries: list[Any], keys: dict[str, dict[str, Any]]) -> _Package:
    """Compute one package's tables from its entries (advisory number, affected entry, number…);
    `keys` holds the index's parsed versions per version order."""
    ecosystem = package_key[0]
    canonical = normalise_ecosystem(ecosystem)
    orders = _ORDERS.get(canonical or "", {})
    first: dict[str, int] = {}  # listed version → the first advisory listing it
    several: dict[str, list[int]] = {}  # … and all of them, where several advisories do
    listed_only: dict[str, set[int]] = {}
    unevaluable: dict[int, str] = {}
    pending: dict[str, _Columns] = {}
    for i in range(0, len(entries), 2):
        number: int = entries[i]
        affected: AffectedSpec = entries[i + 1]
        for version in affected.versions:
            listing = first.get(version)
            if listing is None:
                first[version] = number
            elif listing != number:  # (an advisory may name the package in several entries)
                numbers = several.get(version)
                if numbers is None:
                    several[version] = [listing, number]
                elif numbers[-1] != number:
                    numbers.append(number)
        evaluated = git = False
        for spec in affected.ranges:
            kind = spec["type"]
            if kind == "GIT":
                git = True
                continue
            if canonical is None:
                continue  # reported per component as an unsupported ecosystem
            ordering = orders.get(kind)
            if ordering is None:
                unevaluable[number] = REASON_BAD_RANGE  # an unknown range type
                continue
            columns = pending.get(ordering)
            if columns is None:
                columns = pending[ordering] = ([], [], [], [])
            try:
                if not _append_alternating(columns, number, ordering, spec["events"], keys[ordering]):
                    for low, high, closed in range_intervals(ordering, spec["events"]):
                        columns[0].append(low)
                        columns[1].append(high)
                        columns[2].append(closed)
                        columns[3].append(number)
            except InvalidVersion:
                unevaluable[number] = REASON_BAD_RANGE
                continue
            evaluated = True
        if git and not evaluated and not affected.versions and canonical is not None:
            unevaluable.setdefault(number, REASON_GIT_ONLY)
        if not evaluated:
            for version in affected.versions:
                listed_only.setdefault(version, set()).add(number)
    listed = cast("dict[str, int | tuple[int, ...]]", first)  # completed in place, not copied
    for version, numbers in several.items():
        listed[version] = tuple(numbers)
    return _Package(
        listed=listed,
        listed_only=listed_only,
        tables=[
            _build_table(ordering, keys[ordering], columns)
            for ordering, columns in pending.items()
            if columns[0]
        ],
        unevaluable=unevaluable,
    )


class AdvisoryIndex:
    """Advisories indexed by package for fast matching. Build with `AdvisoryIndex.build`.

    Building only groups the advisories by package (no version is parsed); a package's tables
    are computed the first time a component of that package is matched, and kept. An index over
    a whole database is thus cheap to build, and each SBOM pays only for the packages it
    contains. Two threads may compute the same package at once: both get the same tables, which
    are published by one dict assignment when complete, so no reader sees a partial table.
    """

    def __init__(self) -> None:
        self._advisories: list[Advisory] = []
        self._by_id: dict[str, Advisory] = {}
        self._ids: list[str] = []  # by number: matching need not touch the advisories themselves
        # Ecosystem → normalised name → the package's affected entries, each preceded by its
        # advisory's number, in advisory order (flat: no tuple per entry to allocate and track).
        self._entries: dict[str, dict[str, list[Any]]] = {}
        self._packages: dict[tuple[str, str], _Package] = {}
        # Version order → version → key: each version is parsed once per index, and a dict lookup
        # costs less than a call through `version_key`'s cache.
        self._keys: dict[str, dict[str, Any]] = {ordering: {} for ordering in (*SUPPORTED_ECOSYSTEMS, SEMVER)}

    @classmethod
    def build(cls, advisories: Iterable[Advisory]) -> AdvisoryIndex:
        """Index `advisories` (withdrawn ones are skipped; a later duplicate ID replaces nothing)."""
        index = cls()
        kept = index._advisories
        by_id = index._by_id
        ids = index._ids
        entries = index._entries
        number = 0
        for advisory in advisories:
            if advisory.withdrawn is not None or advisory.id in by_id:
                continue
            by_id[advisory.id] = advisory
            kept.append(advisory)
            ids.append(advisory.id)
            for affected in advisory.affected:
                names = entries.get(affected.ecosystem)
                if names is None:
                    names = entries[affected.ecosystem] = {}
                package_entries = names.get(affected.name)
                if package_entries is None:
                    names[affected.name] = [number, affected]
                else:
                    package_entries.append(number)
                    package_entries.append(affected)
            number += 1
        return index

    def _package(self, package_key: tuple[str, str]) -> _Package | None:
        """The tables of one package, computed on first use; None when no advisory names it."""
        package = self._packages.get(package_key)
        if package is None:
            entries = self._entries.get(package_key[0], {}).get(package_key[1])
            if entries is None:
                return None
            package = _prepare(package_key, entries, self._keys)
            self._packages[package_key] = package
        return package

    @property
    def advisories(self) -> list[Advisory]:
        """The indexed (not withdrawn) advisories."""
        return self._advisories

    def advisory_by_id(self, advisory_id: str) -> Advisory | None:
        """The indexed advisory with this ID, or None."""
        return self._by_id.get(advisory_id)

    def match(self, components: Sequence[ComponentRef]) -> MatchResult:
        """Match components; each component's version is parsed at most once per version order."""
        result = MatchResult()
        matches = result.matches
        not_checked = result.not_checked
        ids = self._ids
        packages = self._packages
        for component in components:
            key = component.key
            ecosystem = normalise_ecosystem(component.ecosystem)
            if ecosystem is None:
                self._match_unsupported(result, component)
                continue
            package_key = (ecosystem, normalise_package_name(ecosystem, component.name))
            package = packages.get(package_key) or self._package(package_key)
            if package is None:
                continue
            version = component.version.strip()
            if not version:
                not_checked.append((key, REASON_NO_VERSION))
                continue
            # Usually one table slot (a sorted tuple) is the whole answer: a set and a sort only
            # when several sources contribute.
            listing = package.listed.get(version)
            hits: set[int] | Sequence[int] = (
                () if listing is None else (listing,) if isinstance(listing, int) else listing
            )
            if package.listed_only:
                hits = set(hits) | self._listed_by_key(package, ecosystem, version)
            reason = ""
            for table in package.tables:
                version_at = table.keys.get(version)
                if version_at is None:
                    try:
                        version_at = table.keys[version] = version_key(table.ordering, version)
                    except InvalidVersion:
                        reason = REASON_BAD_VERSION
                        continue
                found = table.advisories_at(version_at)
                if not hits:
                    hits = found
                elif found and hits != found:
                    # Listed versions mostly lie inside the ranges too: keep the sorted tuple
                    # when it already holds every hit.
                    merged = set(hits)
                    merged.update(found)
                    hits = found if len(merged) == len(found) else merged
            if not reason and package.unevaluable:
                pending = [n for n in package.unevaluable if n not in hits]
                if pending:
                    reason = package.unevaluable[pending[0]]
            if hits:
                for number in sorted(hits) if isinstance(hits, set) else hits:
                    matches.append(Match(key, ids[number]))
            if reason:
                not_checked.append((key, reason))
        return result

    def _match_unsupported(self, result: MatchResult, component: ComponentRef) -> None:
        """A component of an ecosystem we cannot order: listed versions still match exactly."""
        raw = (component.ecosystem or "").split(":", 1)[0].strip()
        reason = REASON_UNSUPPORTED if raw or component.purl else REASON_NO_ECOSYSTEM
        package = self._package((raw, component.name.strip())) if raw else None
        if package is not None:
            for number in sorted(package.exact(component.version.strip())):
                result.matches.append(Match(component.key, self._ids[number]))
        result.not_checked.append((component.key, reason))

    @staticmethod
    def _listed_by_key(package: _Package, ecosystem: str, version: str) -> set[int]:
        ordering = _ordering(ecosystem, "ECOSYSTEM")
        assert ordering is not None
        try:
            key = version_key(ordering, version)
        except InvalidVersion:
            return set()
        by_key = package.listed_only_keys
        if by_key is None:
            by_key = {}
            for listed, numbers in package.listed_only.items():
                try:
                    by_key.setdefault(version_key(ordering, listed), set()).update(numbers)
                except InvalidVersion:
                    continue
            # Published complete, in one assignment (another thread may be matching too).
            package.listed_only_keys = by_key
        return by_key.get(key, set())

    def match_one(self, ecosystem: str, name: str, version: str) -> list[str]:
        """IDs of the advisories affecting one package version (not-checked reasons are dropped)."""
        result = self.match([ComponentRef(key=0, ecosystem=ecosystem, name=name, version=version)])
        return [m.advisory_id for m in result.matches]
