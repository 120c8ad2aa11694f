"""A whole trace of a leaked sample, without the database: read and fingerprint the sample, match it
against the ledger, and gather the evidence (canaries, ranked recipients with example rows, and the
rows that match nothing we shared). The service supplies the ledger and adds names and dates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from renkei.incidents.leaks import fingerprinting, matching
from renkei.incidents.leaks.files import Sample, read_sample

EVIDENCE_ROWS = 10
UNMATCHED_ROWS = 20
RECIPIENTS_WITH_EVIDENCE = 20
CELL_CHARS = 100
CELLS = 30


@dataclass(frozen=True)
class CanaryOwner:
    dataset_id: int
    recipient_id: int


@dataclass
class TraceResult:
    """Plain data for the page, the command's JSON and the benchmark."""

    filename: str
    mode: str
    header: list[str]
    rows_total: int
    rows_without_values: int
    canaries: list[dict[str, Any]]
    recipients: list[dict[str, Any]]
    unmatched_count: int
    unmatched_rows: list[dict[str, Any]]
    datasets_compared: int
    fingerprints_compared: int
    notes: list[str] = field(default_factory=list)
    tie: list[int] = field(default_factory=list)  # recipients sharing the top rank, when several

    @property
    def canary_recipient_ids(self) -> list[int]:
        """Recipients whose canaries were found conclusively: the attribution."""
        return sorted({c["recipient_id"] for c in self.canaries if c["conclusive"]})

    def as_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "mode": self.mode,
            "header": self.header,
            "rows_total": self.rows_total,
            "rows_without_values": self.rows_without_values,
            "canary_recipient_ids": self.canary_recipient_ids,
            "canaries": self.canaries,
            "recipients": self.recipients,
            "unmatched_count": self.unmatched_count,
            "unmatched_rows": self.unmatched_rows,
            "datasets_compared": self.datasets_compared,
            "fingerprints_compared": self.fingerprints_compared,
            "notes": self.notes,
            "tie": self.tie,
        }


def _cells(values: list[str]) -> list[str]:
    return [v[:CELL_CHARS] for v in values[:CELLS]]


def _kinds(bits: int) -> list[str]:
    return [name for kind, name in enumerate(fingerprinting.KIND_NAMES) if bits & fingerprinting.KIND_BITS[kind]]


def evidence(
    sample: Sample,
    matches: matching.Matches,
    canary_owners: Mapping[int, CanaryOwner],
    *,
    rows_per_recipient: int = EVIDENCE_ROWS,
    unmatched_rows: int = UNMATCHED_ROWS,
) -> TraceResult:
    """The matches with example rows read back from the sample."""
    shown = matches.recipients[:RECIPIENTS_WITH_EVIDENCE]
    wanted: set[int] = {h.row for h in sample.canary_hits}
    for rec in shown:
        wanted.update(int(i) for i in rec.rows[:rows_per_recipient])
    wanted.update(int(i) for i in matches.unmatched[:unmatched_rows])
    rows = sample.locate(sorted(wanted))

    canaries = _canaries(sample, rows, canary_owners)
    recipients = []
    for rank, rec in enumerate(matches.recipients, start=1):
        examples = []
        if rank <= RECIPIENTS_WITH_EVIDENCE:
            for index, bits in zip(rec.rows[:rows_per_recipient], rec.bits[:rows_per_recipient], strict=True):
                location, values = rows.get(int(index), ("", []))
                examples.append({"row": location, "matched": _kinds(int(bits)), "values": _cells(values)})
        recipients.append(
            {
                "rank": rank,
                "recipient_id": rec.recipient_id,
                "rows": rec.row_count,
                "exclusive_rows": rec.exclusive,
                "rows_by_kind": {fingerprinting.KIND_NAMES[k]: rec.count(k) for k in fingerprinting.KINDS},
                "datasets": [{"dataset_id": d, "rows": n} for d, n in sorted(rec.datasets.items(), key=lambda x: -x[1])],
                "examples": examples,
            }
        )
    unmatched = [
        {"row": rows[int(i)][0], "values": _cells(rows[int(i)][1])} for i in matches.unmatched[:unmatched_rows] if int(i) in rows
    ]
    return TraceResult(
        filename=sample.filename,
        mode=sample.mode,
        header=_cells(sample.header),
        rows_total=sample.rows_total,
        rows_without_values=matches.rows_without_values,
        canaries=canaries,
        recipients=recipients,
        unmatched_count=int(matches.unmatched.size),
        unmatched_rows=unmatched,
        datasets_compared=matches.datasets_compared,
        fingerprints_compared=matches.fingerprints_compared,
        tie=tied_at_top(recipients),
    )


def tied_at_top(recipients: list[dict[str, Any]]) -> list[int]:
    """The recipients sharing the top rank (as many matching rows), when there are several."""
    top = [r["recipient_id"] for r in recipients if r["rows"] == recipients[0]["rows"]] if recipients else []
    return top if len(top) > 1 else []


def _canaries(
    sample: Sample, rows: Mapping[int, tuple[str, list[str]]], canary_owners: Mapping[int, CanaryOwner]
) -> list[dict[str, Any]]:
    """One entry per canary found in a row, with what of it was found. Conclusive: its e-mail (our
    domain and a keyed token), or two or more of its keys (phone, name + address, name + birth date,
    postal code + address, member number), which together exist only in the invented person we
    sent. A phone or member number alone may belong to a real person, and is evidence only."""
    found: dict[tuple[int, int], dict[int, str]] = {}
    for hit in sorted(sample.canary_hits, key=lambda h: (h.row, h.kind)):
        found.setdefault((hit.canary_id, hit.row), {})[hit.kind] = hit.value
    out = []
    for (canary_id, row), kinds in sorted(found.items(), key=lambda item: (item[0][1], item[0][0])):
        owner = canary_owners.get(canary_id)
        if owner is None:
            continue
        location, values = rows.get(row, ("", []))
        first = min(kinds)
        out.append(
            {
                "canary_id": canary_id,
                "dataset_id": owner.dataset_id,
                "recipient_id": owner.recipient_id,
                "row": location,
                "kind": fingerprinting.KIND_NAMES[first],
                "kinds": [fingerprinting.KIND_NAMES[k] for k in sorted(kinds)],
                "value": kinds[first],
                "conclusive": fingerprinting.EMAIL in kinds or len(kinds) >= 2,
                "values": _cells(values),
            }
        )
    return out


def trace(
    data: bytes,
    *,
    filename: str,
    key: bytes,
    ledger: Iterable[matching.LedgerEntry],
    canaries: fingerprinting.CanaryIndex,
    canary_owners: Mapping[int, CanaryOwner],
    max_bytes: int,
    encoding: str = "auto",
    workers: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> TraceResult:
    """Trace a leaked file against the ledger. `canaries` maps the fingerprints of canaries to their
    ids; `progress(stage, done)` is told "read" once and "compare" after each dataset."""
    sample = read_sample(
        data, filename=filename, hasher=fingerprinting.Hasher(key), canaries=canaries, encoding=encoding,
        max_bytes=max_bytes, workers=workers, ledger=ledger if isinstance(ledger, list) else None,
    )  # fmt: skip
    if sample.hits is not None and sample.comparable is not None:
        # Matched while reading (a CSV table, with the ledger in memory).
        if progress is not None:
            progress("compare", sample.hits.datasets_compared)
        matches = matching.aggregate(sample.hits, sample.rows_total, sample.comparable)
    else:
        if progress is not None:
            progress("read", sample.rows_total)
        matches = matching.match(
            sample.fingerprints,
            sample.rows_total,
            ledger,
            progress=(lambda done: progress("compare", done)) if progress is not None else None,
        )
    return evidence(sample, matches, canary_owners)
