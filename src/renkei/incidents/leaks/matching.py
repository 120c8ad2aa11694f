"""Matching a leaked sample's fingerprints against the ledger of shared datasets, and ranking the
recipients. Pure functions over numpy arrays; the fingerprints come from `fingerprinting`.

Matching: the leaked sample's fingerprints are made unique and summarised in a bit table, one bit per
bucket of their top bits; each dataset's array is screened against it and only the few that pass are
looked up exactly (see `_Index`). The work grows with the ledger's size, not with ledger × leak.

Rows of a large sample are matched where they are read (`files`, `csv_parts`), part by part in parallel
processes; `merge_hits` puts the parts together and `aggregate` ranks the recipients.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from renkei.incidents.leaks.fingerprinting import EMAIL, KIND_BITS, KINDS, PHONE, ROW, Fingerprints


@dataclass(frozen=True)
class LedgerEntry:
    """One shared dataset: who received it and the fingerprints of what was sent."""

    dataset_id: int
    recipient_id: int
    fingerprints: np.ndarray  # sorted unique uint64


@dataclass
class RecipientMatch:
    """What of the leak matches what one recipient was sent."""

    recipient_id: int
    rows: np.ndarray  # sorted indices of the leaked rows that match
    bits: np.ndarray  # per matched row: which kinds matched (KIND_BITS)
    datasets: dict[int, int]  # dataset id → leaked rows matching it
    exclusive: int = 0  # matched rows that match no other recipient

    @property
    def row_count(self) -> int:
        return int(self.rows.size)

    def count(self, kind: int) -> int:
        return int(np.count_nonzero(self.bits & KIND_BITS[kind]))


@dataclass
class Matches:
    rows_total: int
    recipients: list[RecipientMatch]  # ranked
    unmatched: np.ndarray  # sorted indices of leaked rows that match nothing we shared
    rows_without_values: int = 0  # rows with nothing to compare (empty, or text without e-mail or phone)
    datasets_compared: int = 0
    fingerprints_compared: int = 0


class _Index:
    """The sample's unique fingerprints (sorted), for screening and looking up stored ones.

    Screen: one bit per bucket of the top `bits` bits (about 32 buckets per fingerprint, so 3 % of
    stored fingerprints not in the sample pass), a 16 MB table for 3 million fingerprints. Look-up:
    the start of each bucket of the top `probe_bits` bits (about one fingerprint per bucket), then a
    comparison with the few fingerprints in the candidate's bucket. Stored arrays are sorted, so both
    tables are read in increasing order.
    """

    def __init__(self, unique: np.ndarray) -> None:
        self.unique = unique
        n = max(unique.size, 1)
        bits = int(min(30, max(12, np.ceil(np.log2(n * 32)))))
        self.shift = np.uint64(64 - bits)
        self.byte_shift = np.uint64(64 - bits + 3)
        buckets = unique >> self.shift
        byte = (buckets >> np.uint64(3)).astype(np.int64)
        flag = np.left_shift(1, (buckets & np.uint64(7)).astype(np.uint8), dtype=np.uint8)
        self.table = np.zeros(1 << (bits - 3), dtype=np.uint8)
        if unique.size:
            first = np.flatnonzero(np.r_[True, byte[1:] != byte[:-1]])  # `unique` is sorted, so bytes too
            self.table[byte[first]] = np.bitwise_or.reduceat(flag, first)
        probe_bits = int(min(26, max(8, np.ceil(np.log2(n)))))
        self.probe_shift = np.uint64(64 - probe_bits)
        counts = np.bincount((unique >> self.probe_shift).astype(np.int64), minlength=1 << probe_bits)
        self.starts = np.zeros((1 << probe_bits) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.starts[1:])

    def find(self, stored: np.ndarray) -> np.ndarray:
        """Positions in `unique` of the stored fingerprints that are in the sample."""
        # Byte of the bucket's bit (the shifted values fit in int64: view, no copy), then the bit.
        flags = self.table[(stored >> self.byte_shift).view(np.int64)]
        np.right_shift(flags, ((stored >> self.shift) & np.uint64(7)).astype(np.uint8), out=flags)
        np.bitwise_and(flags, np.uint8(1), out=flags)
        candidates = stored[flags.view(bool)]
        bucket = (candidates >> self.probe_shift).astype(np.int64)
        lo, hi = self.starts[bucket], self.starts[bucket + 1]
        found: list[np.ndarray] = []
        active = np.flatnonzero(hi > lo)
        step = 0
        while active.size:
            position = lo[active] + step
            equal = self.unique[position] == candidates[active]
            found.append(position[equal])
            rest = active[~equal]
            active = rest[hi[rest] > lo[rest] + step + 1]
            step += 1
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _distinct_rows(rows: np.ndarray, bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted rows made distinct, each with the OR of its kind bits."""
    if rows.size > 1:
        first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        if first.size != rows.size:
            return rows[first], np.bitwise_or.reduceat(bits, first)
    return rows, bits


class _Sample:
    """The leaked sample prepared for matching: its fingerprints (in any order), the index of its
    unique fingerprints, and the way from a unique fingerprint back to the rows that have it."""

    def __init__(self, sample: Fingerprints) -> None:
        # In any order: the few rows that match a dataset are sorted there (`hits`), cheaper than
        # sorting all the sample's fingerprints by row first.
        rows, kinds, values = sample.rows, sample.kinds, sample.values
        self.rows = rows
        self.kind_bits = np.array([KIND_BITS[k] for k in KINDS], dtype=np.uint8)[kinds]
        # One sort by value gives both the unique values and, for each, its entries (what
        # `np.unique(return_inverse=True)` and a stable sort of the inverse gave, in two sorts). Ties
        # may come in any order (`hits` sorts by row), so the quick, vectorised sort will do.
        order = np.argsort(values)
        ordered = values[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if values.size else order
        self.index = _Index(ordered[starts])
        self.all_single = bool(starts.size == values.size)
        if self.all_single:
            self.first_entry = order
        else:
            self.order = order
            self.starts = starts
            self.counts = np.diff(np.r_[starts, values.size])

    def hits(self, stored: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The rows (sorted, distinct) that have one of the stored fingerprints, with kind bits."""
        if not self.index.unique.size or not stored.size:
            return None
        hit = self.index.find(stored)
        if not hit.size:
            return None
        if self.all_single:
            entries = self.first_entry[hit]
        else:
            n = self.counts[hit]
            first = np.repeat(self.starts[hit] - np.cumsum(n) + n, n)
            entries = self.order[first + np.arange(int(n.sum()))]
        rows = self.rows[entries]
        by_row = np.argsort(rows)  # any order among a row's entries: their kind bits are OR-ed
        return _distinct_rows(rows[by_row], self.kind_bits[entries[by_row]])


Found = tuple[int, int, np.ndarray, np.ndarray]  # dataset, recipient, matching rows, their kind bits
RowFingerprints = Callable[[np.ndarray], np.ndarray]


@dataclass
class Hits:
    """What of a sample matches each dataset, before recipients are ranked."""

    found: list[Found] = field(default_factory=list)
    recipients: set[int] = field(default_factory=set)  # of every dataset compared
    datasets_compared: int = 0
    fingerprints_compared: int = 0


def find_hits(
    sample: Fingerprints,
    ledger: Iterable[LedgerEntry],
    *,
    deferred: np.ndarray | None = None,
    row_fingerprints: RowFingerprints | None = None,
    progress: Callable[[int], None] | None = None,
) -> Hits:
    """The rows of the sample that match each dataset (a fingerprint in common), with kind bits.

    `deferred` marks rows whose whole-row fingerprint was not computed because they have e-mails or
    phone numbers (`fingerprint_cells(rows="unless_values")`): such a row can only match a dataset
    whose e-mails or phones it shares (the dataset holds its cells, so their fingerprints too), so
    its row fingerprint is computed (`row_fingerprints(rows)`) only once it has matched something,
    and checked against that dataset for the "whole row" bit. `ledger` may be a generator.
    """
    prepared = _Sample(sample)
    size = deferred.size if deferred is not None else 0
    cache = (np.zeros(size, dtype=np.uint64), np.zeros(size, dtype=bool))  # row fingerprints computed
    hits = Hits()
    for entry in ledger:
        hits.datasets_compared += 1
        hits.fingerprints_compared += int(entry.fingerprints.size)
        hits.recipients.add(entry.recipient_id)
        found = prepared.hits(entry.fingerprints)
        if found is not None:
            rows, bits = found
            if deferred is not None and row_fingerprints is not None:
                bits = _whole_rows(entry.fingerprints, rows, bits, deferred, row_fingerprints, cache)
            hits.found.append((entry.dataset_id, entry.recipient_id, rows, bits))
        if progress is not None:
            progress(hits.datasets_compared)
    return hits


def _whole_rows(
    stored: np.ndarray,
    rows: np.ndarray,
    bits: np.ndarray,
    deferred: np.ndarray,
    row_fingerprints: RowFingerprints,
    cache: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Set the "whole row" bit of deferred rows whose row fingerprint the dataset holds."""
    # A row that matches a dataset as a whole shares its e-mails and phones with it: rows matched
    # only by a key (name + address, …) cannot, and need no row fingerprint.
    contact = KIND_BITS[EMAIL] | KIND_BITS[PHONE]
    pending = rows[deferred[rows] & (bits & KIND_BITS[ROW] == 0) & (bits & contact != 0)]
    if not pending.size:
        return bits
    fingerprints, known = cache
    missing = pending[~known[pending]]
    if missing.size:
        fingerprints[missing] = row_fingerprints(missing)
        known[missing] = True
    # Looked up in increasing order: each search starts where the last ended (numpy does that for
    # sorted keys), nearly twice as quick as in row order.
    values = fingerprints[pending]
    by_value = np.argsort(values)
    values, pending = values[by_value], pending[by_value]
    position = np.minimum(np.searchsorted(stored, values), max(stored.size - 1, 0))
    whole = pending[stored[position] == values]
    if whole.size:
        bits = bits.copy()
        bits[np.searchsorted(rows, whole)] |= KIND_BITS[ROW]
    return bits


def aggregate(hits: Hits, rows_total: int, comparable: np.ndarray) -> Matches:
    """Rank the recipients of the datasets that matched; `comparable` marks the rows of the sample
    that had anything to compare (the others are neither ours nor not ours)."""
    per_recipient: dict[int, list[tuple[int, np.ndarray, np.ndarray]]] = {}
    for dataset_id, recipient_id, rows, bits in hits.found:
        per_recipient.setdefault(recipient_id, []).append((dataset_id, rows, bits))
    recipients: list[RecipientMatch] = []
    seen_by = np.zeros(rows_total, dtype=np.int32)
    for recipient_id, found in per_recipient.items():
        if len(found) == 1:
            rows, bits = found[0][1], found[0][2]
        else:
            rows = np.concatenate([r for _d, r, _b in found])
            bits = np.concatenate([b for _d, _r, b in found])
            by_row = np.argsort(rows, kind="stable")
            rows, bits = _distinct_rows(rows[by_row], bits[by_row])
        seen_by[rows] += 1
        datasets: dict[int, int] = {}
        for dataset_id, r, _b in found:
            datasets[dataset_id] = datasets.get(dataset_id, 0) + int(r.size)
        recipients.append(RecipientMatch(recipient_id, rows, bits, datasets))
    for rec in recipients:
        rec.exclusive = int(np.count_nonzero(seen_by[rec.rows] == 1))
    recipients.sort(key=lambda r: (-r.row_count, -r.exclusive, -r.count(ROW), r.recipient_id))
    return Matches(
        rows_total=rows_total,
        recipients=recipients,
        unmatched=np.flatnonzero((seen_by == 0) & comparable),
        rows_without_values=int(rows_total - np.count_nonzero(comparable)),
        datasets_compared=hits.datasets_compared,
        fingerprints_compared=hits.fingerprints_compared,
    )


def merge_hits(parts: Sequence[Hits], offsets: Sequence[int]) -> Hits:
    """The hits of consecutive parts of one sample as one (rows shifted by each part's offset)."""
    merged: dict[int, tuple[int, list[np.ndarray], list[np.ndarray]]] = {}
    for part, offset in zip(parts, offsets, strict=True):
        for dataset_id, recipient_id, rows, bits in part.found:
            entry = merged.setdefault(dataset_id, (recipient_id, [], []))
            entry[1].append(rows + offset)
            entry[2].append(bits)
    out = Hits(
        found=[(d, r, np.concatenate(rows), np.concatenate(bits)) for d, (r, rows, bits) in merged.items()],
        recipients=set().union(*(p.recipients for p in parts)) if parts else set(),
        datasets_compared=max((p.datasets_compared for p in parts), default=0),
        fingerprints_compared=max((p.fingerprints_compared for p in parts), default=0),
    )
    return out


def comparable_rows(sample: Fingerprints, rows_total: int) -> np.ndarray:
    """Rows that have at least one fingerprint."""
    mask = np.zeros(rows_total, dtype=bool)
    mask[sample.rows] = True
    return mask


def match(
    sample: Fingerprints,
    rows_total: int,
    ledger: Iterable[LedgerEntry],
    *,
    progress: Callable[[int], None] | None = None,
) -> Matches:
    """Which leaked rows match what each recipient was sent, ranked, and which match nothing.

    A leaked row matches a dataset when any of its fingerprints (the whole row, an e-mail, a phone) is
    among the dataset's. Recipients are ranked by matched rows, then by rows no one else was sent.
    `ledger` may be a generator, so datasets can be loaded one at a time; `progress` gets the number
    of datasets compared so far.
    """
    hits = find_hits(sample, ledger, progress=progress)
    return aggregate(hits, rows_total, comparable_rows(sample, rows_total))
