"""Reads for leak attribution: the ledger a user may trace against, streamed one dataset at a time,
its canaries, and the names and dates that turn a trace's ids into evidence a person can read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from renkei.core.permissions import visible
from renkei.incidents.leaks import fingerprinting, matching
from renkei.incidents.leaks.canaries import canary_index, contact_fingerprints
from renkei.incidents.leaks.models import CanaryRecord, SharedDataset, TraceEvidence
from renkei.incidents.leaks.tracing import CanaryOwner
from renkei.registry.models import Organisation


def datasets_for(user: Any) -> QuerySet[SharedDataset]:
    """The shared datasets a user may see (`user=None`: a command, everything)."""
    qs = SharedDataset.objects.all()
    return qs if user is None else visible(qs, user)


def ledger_entries(datasets: QuerySet[SharedDataset], *, key_version: int) -> Iterator[matching.LedgerEntry]:
    """Each dataset's fingerprints, loaded one by one so a large ledger never sits in memory at once."""
    rows = (
        datasets.filter(key_version=key_version)
        .order_by("pk")
        .values_list("pk", "recipient_id", "fingerprints")
        .iterator(chunk_size=20)
    )
    for pk, recipient_id, data in rows:
        yield matching.LedgerEntry(dataset_id=pk, recipient_id=recipient_id, fingerprints=fingerprinting.unpack(bytes(data)))


def canaries_for(
    datasets: QuerySet[SharedDataset], hasher: fingerprinting.Hasher
) -> tuple[dict[int, int], dict[int, CanaryOwner]]:
    """Fingerprints of the canaries (e-mail, phone and keys) → canary id, and each canary's dataset
    and recipient."""
    rows = list(
        CanaryRecord.objects.filter(dataset__in=datasets).values_list(
            "pk", "email", "phone", "fingerprints", "dataset_id", "dataset__recipient_id"
        )
    )
    index = canary_index(
        (pk, [*contact_fingerprints(email, phone, hasher).tolist(), *fingerprinting.unpack(bytes(fps)).tolist()])
        for pk, email, phone, fps, _d, _r in rows
    )
    owners = {pk: CanaryOwner(dataset_id=d, recipient_id=r) for pk, _e, _p, _f, d, r in rows}
    return index, owners


def canary_fingerprints_in_use() -> np.ndarray:
    """The fingerprints of every canary made so far (a new one must not share any)."""
    parts = [fingerprinting.unpack(bytes(data)) for data in CanaryRecord.objects.values_list("fingerprints", flat=True)]
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.uint64)


def dataset_facts(ids: set[int]) -> dict[int, dict[str, Any]]:
    """What the evidence shows about each dataset: name, recipient, asset, date, method, rows."""
    facts: dict[int, dict[str, Any]] = {}
    for ds in SharedDataset.objects.filter(pk__in=ids).select_related("recipient", "asset"):
        facts[ds.pk] = {
            "dataset_id": ds.pk,
            "name": ds.name,
            "recipient_id": ds.recipient_id,
            "recipient": ds.recipient.name,
            "asset": ds.asset.name if ds.asset else "",
            "shared_on": ds.shared_on.isoformat(),
            "method": ds.method,
            "rows_sent": ds.row_count,
            "canary_count": ds.canary_count,
        }
    return facts


def organisation_names(ids: set[int]) -> dict[int, str]:
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))


def key_mismatch_count(datasets: QuerySet[SharedDataset], *, key_version: int) -> int:
    """Datasets fingerprinted with another key: they cannot be compared (see services.leak_key)."""
    return datasets.exclude(key_version=key_version).count()


def evidence_for(incident: Any) -> list[TraceEvidence]:
    """The traces kept on an incident, newest first, each with its conclusion sentence."""
    kept = list(TraceEvidence.objects.filter(incident=incident).select_related("traced_by").order_by("-traced_at", "-pk"))
    for item in kept:
        item.conclusion = conclusion_text(item.result)  # type: ignore[attr-defined]
    return kept


def _reader_language(language: str | None) -> str:
    """The conclusion is stored in Japanese and English: Japanese unless the reader's is English."""
    return "en" if (language or translation.get_language() or "ja").startswith("en") else "ja"


def conclusion_points(result: dict[str, Any], language: str | None = None) -> list[str]:
    """The stored conclusion's sentences in the reader's language."""
    stored = result.get("conclusion")
    if not isinstance(stored, dict):
        return []
    points: list[str] = stored.get("points", {}).get(_reader_language(language)) or stored.get("points", {}).get("ja") or []
    return points


def conclusion_text(result: dict[str, Any], language: str | None = None) -> str:
    """The trace's conclusion as one paragraph, for the timeline, the evidence list and the report."""
    points = conclusion_points(result, language)
    if points:
        return ("" if _reader_language(language) == "ja" else " ").join(points)
    # A trace stored before conclusions were written (or a result without one): say what it found.
    canary_names = [c.get("recipient", "") for c in result.get("canary_recipients", [])]
    if canary_names:
        return _("Canary rows found: the sample derives from what we sent to {names}.").format(names="、".join(canary_names))
    recipients = result.get("recipients", [])
    if recipients:
        top = recipients[0]
        return _("No canary rows; most rows match what we sent to {name} ({rows} rows).").format(
            name=top.get("recipient", ""), rows=f"{top.get('rows', 0):,}"
        )
    return _("Nothing in the sample matches what we shared.")
