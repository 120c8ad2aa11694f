"""Version ranges of OSV advisories as intervals of version keys, and one package's tables.

The pure half of the matching engine (see `matching.py`, which indexes advisories and answers
components): `range_intervals` turns a range's events into intervals following the OSV schema's
evaluation rules, `append_alternating` / `alternating_contains` read the common
introduced/fixed shape without sorting, and `prepare_tables` computes everything needed to match
any version of one package from its affected entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from renkei.software.vulndb.osv import AffectedSpec, gettext_noop
from renkei.software.vulndb.versions import (
    SEMVER,
    SUPPORTED_ECOSYSTEMS,
    InvalidVersion,
    normalise_ecosystem,
    parse_version_key,
    version_key,
)

# Reasons an advisory cannot be evaluated, English msgids a caller may translate with gettext.
REASON_BAD_RANGE = gettext_noop("An advisory's version range cannot be evaluated")
REASON_GIT_ONLY = gettext_noop("An advisory gives only commit ranges")

# Ecosystems whose own order is SemVer's: their SEMVER and ECOSYSTEM ranges share one table.
SEMVER_ECOSYSTEMS = frozenset({"npm", "crates.io", "Go"})


# One package's intervals in one version order, as columns (no tuple per interval: a cold match
# creates tens of thousands, and every allocation also feeds the garbage collector): low key
# (None = unbounded), high key (None = unbounded), high inclusive, advisory number (ascending).
Columns = tuple[list[Any], list[Any], list[bool], list[int]]

# From this many intervals on, a package's table evaluates each distinct interval once.
_GROUP_FROM = 16


@dataclass(slots=True)
class Ranges:
    """One package's intervals in one version order, as `Columns` split into named lists."""

    ordering: str
    keys: dict[str, Any]  # the index's parsed versions in this order (version → key)
    lows: list[Any]
    highs: list[Any]
    inclusive: list[bool]
    numbers: list[int]
    # The distinct intervals and the advisories of each, for large tables (see `advisories_at`).
    distinct: tuple[list[Any], list[Any], list[bool], list[list[int]]] | None = None

    def advisories_at(self, key: Any) -> list[int]:
        """Numbers (ascending, each once) of the advisories whose intervals contain `key`.

        One pass over the intervals: keys are tuples compared in C, and an SBOM names most
        packages in one or two versions, so sorting the interval ends for a bisection would cost
        more than it saves (the caller keeps the result per version). Large tables repeat
        intervals: the advisories of a much-patched package name the same maintained branches
        again and again (TensorFlow's 900 intervals hold 38 distinct ones), so there each
        distinct interval is compared once.
        """
        if len(self.numbers) < _GROUP_FROM:
            found = [
                number
                for low, high, closed, number in zip(
                    self.lows, self.highs, self.inclusive, self.numbers, strict=True
                )
                if (low is None or low <= key) and (high is None or key < high or (closed and key == high))
            ]
            # Numbers ascend; an advisory may cover a version by several intervals.
            return found if len(found) < 2 else list(dict.fromkeys(found))
        distinct = self.distinct
        if distinct is None:
            distinct = self.distinct = self._distinct()
        found = []
        for low, high, closed, numbers in zip(*distinct, strict=True):
            if (low is None or low <= key) and (high is None or key < high or (closed and key == high)):
                found += numbers
        return sorted(set(found))

    def _distinct(self) -> tuple[list[Any], list[Any], list[bool], list[list[int]]]:
        """The distinct intervals, each with the numbers of its advisories. Version keys are
        memoised per index, so equal interval ends are mostly one object: identity finds the
        repeats without hashing the keys (equal keys that are distinct objects stay apart,
        which costs a comparison, not correctness)."""
        position: dict[tuple[int, int, bool], int] = {}
        lows: list[Any] = []
        highs: list[Any] = []
        inclusive: list[bool] = []
        numbers: list[list[int]] = []
        columns = zip(self.lows, self.highs, self.inclusive, self.numbers, strict=True)
        for low, high, closed, number in columns:
            at = position.setdefault((id(low), id(high), closed), len(lows))
            if at == len(lows):
                lows.append(low)
                highs.append(high)
                inclusive.append(closed)
                numbers.append([number])
            else:
                numbers[at].append(number)
        return lows, highs, inclusive, numbers


@dataclass(slots=True)
class Tables:
    """Everything needed to match any version of one package, computed from its affected entries."""

    # Listed version → number of the advisory listing it, or, when several advisories list it,
    # ~i for their numbers (ascending) in `shared[i]`. Only ints as values: the dict then holds
    # no object the garbage collector tracks, so it is never tracked, and never traversed (it
    # holds every listed version; each collection would touch them all).
    listed: dict[str, int]
    shared: list[list[int]]
    # Versions listed by entries without an evaluable range, for lookup by version key ("1.0"
    # finds a listed "1.0.0" on PyPI); elsewhere the ranges already cover the lists.
    listed_only: dict[str, set[int]]
    tables: list[Ranges]
    # Advisories whose ranges for this package could not be evaluated, with the reason.
    unevaluable: dict[int, str]
    listed_only_keys: dict[Any, set[int]] | None = None

    def exact(self, version: str) -> set[int]:
        """The advisories whose entries list `version` verbatim."""
        listing = self.listed.get(version)
        if listing is None:
            return set()
        return {listing} if listing >= 0 else set(self.shared[~listing])


def range_ordering(ecosystem: str, range_type: str) -> str | None:
    """Which version order a range uses, or None when we cannot compare its versions."""
    canonical = normalise_ecosystem(ecosystem)
    if canonical is None:
        return None
    if range_type == "SEMVER" or canonical in SEMVER_ECOSYSTEMS:
        return SEMVER
    return canonical


def range_intervals(ordering: str, events: Sequence[dict[str, str]]) -> list[tuple[Any, Any, bool]]:
    """The intervals `(low key or None, high key or None, high inclusive)` one range describes.

    `low` is inclusive; None means unbounded. Raises `InvalidVersion` for an unparsable event.
    """
    columns: Columns = ([], [], [], [])
    if append_alternating(columns, 0, ordering, events, {}):
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
ORDERS = {
    ecosystem: {"ECOSYSTEM": SEMVER if ecosystem in SEMVER_ECOSYSTEMS else ecosystem, "SEMVER": SEMVER}
    for ecosystem in SUPPORTED_ECOSYSTEMS
}


def append_alternating(
    columns: Columns, number: int, ordering: str, events: Sequence[dict[str, str]], keys: dict[str, Any]
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
            # One key per event (the loader checks it); cheaper than unpacking `items()`.
            (kind,) = event
            value = event[kind]
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
                    key = keys[value] = parse_version_key(ordering, value)
                if previous is not None and not previous < key:
                    break
                low = previous = key
            elif low is _CLOSED or (kind != "fixed" and kind != "last_affected"):
                break
            else:
                key = keys.get(value)
                if key is None:
                    key = keys[value] = parse_version_key(ordering, value)
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


def alternating_contains(
    key: Any, ordering: str, events: Sequence[dict[str, str]], keys: dict[str, Any]
) -> bool | None:
    """Whether version key `key` lies in a range of the shape `append_alternating` reads, by the
    same walk, without building its intervals; None for any other shape (`range_intervals` then
    evaluates it). Every event is read, as there: an unparsable version raises `InvalidVersion`
    even after an interval containing `key`, and the whole range is then unevaluable.
    """
    low: Any = _CLOSED
    previous: Any = None
    inside = False
    for event in events:
        (kind,) = event  # one key per event (the loader checks it)
        value = event[kind]
        if kind == "introduced":
            if low is not _CLOSED:
                return None
            if value == "0":
                if previous is not None:
                    return None
                low = None
                continue
            at = keys.get(value)
            if at is None:
                at = keys[value] = parse_version_key(ordering, value)
            if previous is not None and not previous < at:
                return None
            low = previous = at
        elif low is _CLOSED or (kind != "fixed" and kind != "last_affected"):
            return None
        else:
            at = keys.get(value)
            if at is None:
                at = keys[value] = parse_version_key(ordering, value)
            if previous is not None and not previous < at:
                return None
            if (low is None or low <= key) and (key < at or (kind == "last_affected" and key == at)):
                inside = True
            low = _CLOSED
            previous = at
    return inside or (low is not _CLOSED and (low is None or low <= key))


def prepare_tables(package_key: tuple[str, str], entries: list[Any], keys: dict[str, dict[str, Any]]) -> Tables:
    """Compute one package's tables from its entries (advisory number, affected entry, number…);
    `keys` holds the index's parsed versions per version order."""
    ecosystem = package_key[0]
    canonical = normalise_ecosystem(ecosystem)
    orders = ORDERS.get(canonical or "", {})
    listed: dict[str, int] = {}  # see `Tables.listed`
    shared: list[list[int]] = []
    listed_only: dict[str, set[int]] = {}
    unevaluable: dict[int, str] = {}
    pending: dict[str, Columns] = {}
    for i in range(0, len(entries), 2):
        number: int = entries[i]
        affected: AffectedSpec = entries[i + 1]
        for version in affected.versions:
            listing = listed.get(version)
            if listing is None:
                listed[version] = number
            elif listing >= 0:
                if listing != number:  # (an advisory may name the package in several entries)
                    listed[version] = ~len(shared)
                    shared.append([listing, number])
            else:
                numbers = shared[~listing]
                if numbers[-1] != number:
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
                if not append_alternating(columns, number, ordering, spec["events"], keys[ordering]):
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
    return Tables(
        listed=listed,
        shared=shared,
        listed_only=listed_only,
        tables=[
            Ranges(ordering, keys[ordering], *columns) for ordering, columns in pending.items() if columns[0]
        ],
        unevaluable=unevaluable,
    )
