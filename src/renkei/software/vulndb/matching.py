"""Matching components against OSV advisories, following the OSV schema's evaluation rules.

A pure engine (no Django). `AdvisoryIndex.build(advisories)` only lists the advisories' affected
entries and their package names, in C-level passes; no version is parsed. `match` first groups the
entries of the packages it names by (ecosystem, normalised name), in one pass over the names.
The first version of a package it meets is answered straight from the entries: each listed
`versions` is searched, each ECOSYSTEM or SEMVER range evaluated for that version. From the
second version on, the package has tables: its ranges as intervals of version keys and its listed
versions as a dict. Every answer is kept per (package, version). A database holds tens of
thousands of packages and an SBOM touches a few thousand, most of them in one version: tables
are built only where they pay off, and nothing for the packages no SBOM names. How a range
becomes intervals, and how a package's tables are computed, lives in `ranges.py`.

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

import operator
import threading
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress, count
from typing import Any, NamedTuple

from renkei.software.vulndb.osv import Advisory, AffectedSpec, gettext_noop
from renkei.software.vulndb.ranges import (
    ORDERS,
    REASON_BAD_RANGE,
    REASON_GIT_ONLY,
    Tables,
    alternating_contains,
    prepare_tables,
    range_intervals,
    range_ordering,
)
from renkei.software.vulndb.versions import (
    CASE_SENSITIVE_ECOSYSTEMS,
    SEMVER,
    SUPPORTED_ECOSYSTEMS,
    InvalidVersion,
    normalise_ecosystem,
    normalise_package_name,
    parse_version_key,
    version_key,
)

# Reasons for `not_checked`, English msgids a caller may translate with gettext (with the two
# range reasons of `ranges.py`).
REASON_NO_ECOSYSTEM = gettext_noop("No package URL")
REASON_UNSUPPORTED = gettext_noop("Package type not supported")
REASON_NO_VERSION = gettext_noop("No version")
REASON_BAD_VERSION = gettext_noop("Version cannot be parsed")


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


# What matching one version of one package gives: the IDs of the advisories affecting it (in
# advisory order) and the reason it could not be fully checked ("" when it could).
_Answer = tuple[tuple[str, ...], str]


@dataclass(slots=True)
class _Package:
    """One package that advisories name: its affected entries (advisory number, entry, number…),
    the answer for each version met so far, and its tables once a second version is met."""

    entries: list[Any]
    # Component version (stripped) → the answer, worked out the first time the version is met.
    answers: dict[str, _Answer] = field(default_factory=dict)
    tables: Tables | None = None


_ID = operator.attrgetter("id")
_AFFECTED = operator.attrgetter("affected")
_NAME = operator.attrgetter("name")
_UNKNOWN: Any = object()  # a package `match` has not looked up yet

class AdvisoryIndex:
    """Advisories indexed by package for fast matching. Build with `AdvisoryIndex.build`.

    Building only lists the advisories' affected entries and their package names, in C-level
    passes (no Python code runs per entry). Entries are grouped by package the first time a
    `match` names the package: one pass over the names picks the entries of every package the
    call names and has not met yet. A package's first version is answered from its entries, its
    tables are computed when a second version is met, and every answer is kept. An index over a
    whole database is thus cheap to build, and each SBOM pays only for the packages and versions
    it contains.

    Thread safety: grouping runs under a lock. Two threads may compute the same tables or answer
    at once; both get the same result, published by one assignment when complete, so no reader
    sees a partial one.
    """

    def __init__(self) -> None:
        # The advisories by number: all of them, withdrawn ones included (see `build`).
        self._numbered: list[Advisory] = []
        self._advisories: list[Advisory] | None = None
        self._ids: list[str] = []  # by number: matching need not touch the advisories themselves
        self._by_id: dict[str, Advisory] | None = None
        # Every affected entry of the indexed advisories and its package name, in advisory order;
        # the entries of advisory n end before position `_ends[n]`.
        self._flat: list[AffectedSpec] = []
        self._ends: list[int] = []
        self._names: list[str] = []
        self._grouped: set[str] = set()  # package names whose entries are in `_entries`
        self._lock = threading.Lock()
        # Ecosystem → normalised name → the package's affected entries, each preceded by its
        # advisory's number, in advisory order (flat: no tuple per entry to allocate and track).
        self._entries: dict[str, dict[str, list[Any]]] = {}
        # Package → what is known of it, or None when no advisory names it.
        self._packages: dict[tuple[str, str], _Package | None] = {}
        # Version order → version → key: each version is parsed once per index, and a dict lookup
        # costs less than a call through `version_key`'s cache.
        self._keys: dict[str, dict[str, Any]] = {ordering: {} for ordering in (*SUPPORTED_ECOSYSTEMS, SEMVER)}

    @classmethod
    def build(cls, advisories: Iterable[Advisory]) -> AdvisoryIndex:
        """Index `advisories` (withdrawn ones are skipped; a later duplicate ID replaces nothing)."""
        index = cls()
        numbered = list(advisories)
        ids = list(map(_ID, numbered))
        # A set finds duplicates in a third of the time a dict of ID → advisory takes to build
        # (that dict is built when first asked for, by `advisory_by_id`). Without duplicates,
        # withdrawn advisories keep their numbers and `_group` leaves their entries out.
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            kept = []
            for advisory in numbered:
                if advisory.withdrawn is None and advisory.id not in seen:
                    seen.add(advisory.id)
                    kept.append(advisory)
            numbered = kept
            ids = list(map(_ID, numbered))
        index._numbered = numbered
        index._ids = ids
        affected = list(map(_AFFECTED, numbered))
        # `list.extend` copies each short list in C; `chain` would create an iterator for each of
        # them, which costs twice as much.
        flat: list[AffectedSpec] = []
        deque(map(flat.extend, affected), maxlen=0)
        index._flat = flat
        index._ends = list(accumulate(map(len, affected)))
        index._names = list(map(_NAME, flat))
        return index

    def _group(self, names: set[str]) -> None:
        """Group by package the entries naming any of `names`, unless grouped before.

        One pass over all the entries' names, in C (a set lookup per entry); Python code runs
        only for the entries picked. `names` is consumed.
        """
        with self._lock:
            names -= self._grouped
            if not names:
                return
            flat = self._flat
            ends = self._ends
            numbered = self._numbered
            entries = self._entries
            for position in compress(count(), map(names.__contains__, self._names)):
                number = bisect_right(ends, position)
                if numbered[number].withdrawn is not None:
                    continue
                affected = flat[position]
                by_name = entries.get(affected.ecosystem)
                if by_name is None:
                    by_name = entries[affected.ecosystem] = {}
                package_entries = by_name.get(affected.name)
                if package_entries is None:
                    by_name[affected.name] = [number, affected]
                else:
                    package_entries.append(number)
                    package_entries.append(affected)
            # Published after the lists are complete (another thread may be matching too).
            self._grouped |= names

    def _package(self, package_key: tuple[str, str]) -> _Package | None:
        """The tables of one package, computed on first use; None when no advisory names it."""
        package: _Package | None = self._packages.get(package_key, _UNKNOWN)
        if package is _UNKNOWN:
            ecosystem, name = package_key
            if name not in self._grouped:
                self._group({name})
            entries = self._entries.get(ecosystem, {}).get(name)
            package = None if entries is None else _Package(entries)
            self._packages[package_key] = package
        return package

    def _tables(self, package: _Package, package_key: tuple[str, str]) -> Tables:
        """The package's tables, computed on first use."""
        tables = package.tables
        if tables is None:
            # Published complete, in one assignment (another thread may be matching too).
            tables = package.tables = prepare_tables(package_key, package.entries, self._keys)
        return tables

    @property
    def advisories(self) -> list[Advisory]:
        """The indexed (not withdrawn) advisories."""
        advisories = self._advisories
        if advisories is None:
            # Published complete, in one assignment (another thread may be asking too).
            advisories = self._advisories = [a for a in self._numbered if a.withdrawn is None]
        return advisories

    def advisory_by_id(self, advisory_id: str) -> Advisory | None:
        """The indexed advisory with this ID, or None."""
        by_id = self._by_id
        if by_id is None:
            advisories = self.advisories
            by_id = self._by_id = dict(zip(map(_ID, advisories), advisories, strict=True))
        return by_id.get(advisory_id)

    def match(self, components: Sequence[ComponentRef]) -> MatchResult:
        """Match components; each (package, version) is worked out once per index."""
        result = MatchResult()
        append_match = result.matches.append
        new_tuple = tuple.__new__
        not_checked = result.not_checked
        packages = self._packages
        # First the package of every component, so that one pass groups the entries of all the
        # packages this index has not met yet, and which of those appear in several versions
        # (their tables are built straight away: answering the first version from the entries
        # would be wasted).
        package_keys: list[tuple[str, str] | None] = []
        new_names: set[str] = set()
        first_version: dict[tuple[str, str], str] = {}
        several: set[tuple[str, str]] = set()
        for component in components:
            ecosystem = normalise_ecosystem(component.ecosystem)
            if ecosystem is None:
                package_keys.append(None)
                if component.ecosystem:
                    new_names.add(component.name.strip())
                continue
            # Names an ecosystem compares as written need no call through the cache.
            name = component.name
            package_key = (
                ecosystem,
                name.strip()
                if ecosystem in CASE_SENSITIVE_ECOSYSTEMS
                else normalise_package_name(ecosystem, name),
            )
            package_keys.append(package_key)
            if package_key not in packages:
                new_names.add(package_key[1])
                version = component.version.strip()
                if first_version.setdefault(package_key, version) != version:
                    several.add(package_key)
        if new_names:
            self._group(new_names)
        for component, known in zip(components, package_keys, strict=True):
            if known is None:
                self._match_unsupported(result, component)
                continue
            package: _Package | None = packages.get(known, _UNKNOWN)
            if package is _UNKNOWN:
                package = self._package(known)
            if package is None:
                continue
            key = component.key
            version = component.version.strip()
            if not version:
                not_checked.append((key, REASON_NO_VERSION))
                continue
            answer = package.answers.get(version)
            if answer is None:
                answer = self._answer(package, known, version, direct=known not in several)
            found, reason = answer
            for advisory_id in found:
                # What a NamedTuple's own constructor does, without its Python-level call.
                append_match(new_tuple(Match, (key, advisory_id)))
            if reason:
                not_checked.append((key, reason))
        return result

    def _answer(
        self, package: _Package, package_key: tuple[str, str], version: str, *, direct: bool = True
    ) -> _Answer:
        """Which advisories affect `version` of `package`, and why it is not fully checked if so.

        The first version met is answered straight from the entries (`_direct_answer`) unless
        `direct` is False: most packages of an SBOM appear in one version, and tables pay off
        only from the second.
        """
        ecosystem = package_key[0]
        if direct and package.tables is None and not package.answers:
            first = self._direct_answer(package.entries, ecosystem, version)
            if first is not None:
                package.answers[version] = first
                return first
        tables = self._tables(package, package_key)
        listing = tables.listed.get(version)
        # Usually one source (a listing or one table) is the whole answer, already ascending.
        hits: set[int] | Sequence[int] = (
            () if listing is None else (listing,) if listing >= 0 else tables.shared[~listing]
        )
        if tables.listed_only:
            hits = set(hits) | self._listed_by_key(tables, ecosystem, version)
        reason = ""
        for table in tables.tables:
            version_at = table.keys.get(version)
            if version_at is None:
                try:
                    version_at = table.keys[version] = parse_version_key(table.ordering, version)
                except InvalidVersion:
                    reason = REASON_BAD_VERSION
                    continue
            found = table.advisories_at(version_at)
            if not found:
                continue
            if not hits:
                hits = found
            else:
                merged = set(hits)
                merged.update(found)
                hits = merged
        if not reason and tables.unevaluable:
            pending = [n for n in tables.unevaluable if n not in hits]
            if pending:
                reason = tables.unevaluable[pending[0]]
        numbers = sorted(hits) if isinstance(hits, set) else hits
        answer = (tuple(map(self._ids.__getitem__, numbers)), reason)
        # Published complete, in one assignment (another thread may be matching too).
        package.answers[version] = answer
        return answer

    def _direct_answer(self, entries: list[Any], ecosystem: str, version: str) -> _Answer | None:
        """The answer for one version straight from the package's entries, without building tables:
        each entry's `versions` list is searched as it is (in C) and each range evaluated for this
        version only, by the same rules as `prepare_tables` and `_answer`.

        None where the answer needs the tables: the version cannot be parsed in a version order
        the package's ranges use (the tables decide whether that leaves it unchecked), or an entry
        without an evaluable range lists versions (those match by version key).
        """
        orders = ORDERS[ecosystem]
        keys = self._keys
        at: dict[str, Any] = {}  # version order → this version's key
        hits: list[int] = []
        unevaluable: dict[int, str] = {}
        pairs = iter(entries)
        number: int
        affected: AffectedSpec
        for number, affected in zip(pairs, pairs, strict=True):  # (advisory number, entry) in turn
            versions = affected.versions
            hit = version in versions
            evaluated = git = False
            for spec in affected.ranges:
                kind = spec["type"]
                if kind == "GIT":
                    git = True
                    continue
                ordering = orders.get(kind)
                if ordering is None:
                    unevaluable[number] = REASON_BAD_RANGE  # an unknown range type
                    continue
                key = at.get(ordering)
                if key is None:
                    order_keys = keys[ordering]
                    key = order_keys.get(version)
                    if key is None:
                        try:
                            key = order_keys[version] = parse_version_key(ordering, version)
                        except InvalidVersion:
                            return None
                    at[ordering] = key
                if hit:
                    continue  # decided; the remaining ranges only need the version's key
                events = spec["events"]
                try:
                    inside = alternating_contains(key, ordering, events, keys[ordering])
                    if inside is None:
                        inside = any(
                            (low is None or low <= key)
                            and (high is None or key < high or (closed and key == high))
                            for low, high, closed in range_intervals(ordering, events)
                        )
                except InvalidVersion:
                    unevaluable[number] = REASON_BAD_RANGE
                    continue
                evaluated = True
                hit = inside
            if hit:
                if not hits or hits[-1] != number:  # an advisory may name the package in several entries
                    hits.append(number)
            elif not evaluated:
                if versions:
                    return None
                if git:
                    unevaluable.setdefault(number, REASON_GIT_ONLY)
        reason = ""
        if unevaluable:
            pending = [n for n in unevaluable if n not in hits]
            if pending:
                reason = unevaluable[pending[0]]
        return tuple(map(self._ids.__getitem__, hits)), reason

    def _match_unsupported(self, result: MatchResult, component: ComponentRef) -> None:
        """A component of an ecosystem we cannot order: listed versions still match exactly."""
        raw = (component.ecosystem or "").split(":", 1)[0].strip()
        reason = REASON_UNSUPPORTED if raw or component.purl else REASON_NO_ECOSYSTEM
        package_key = (raw, component.name.strip())
        package = self._package(package_key) if raw else None
        if package is not None:
            for number in sorted(self._tables(package, package_key).exact(component.version.strip())):
                result.matches.append(Match(component.key, self._ids[number]))
        result.not_checked.append((component.key, reason))

    @staticmethod
    def _listed_by_key(package: Tables, ecosystem: str, version: str) -> set[int]:
        ordering = range_ordering(ecosystem, "ECOSYSTEM")
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
