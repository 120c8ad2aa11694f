"""Writes and traces of leak attribution (M13). Views, the command and the worker come through here.

Settings (environment):
  RENKEI_LEAK_KEY         secret for the fingerprint key; without it the key is derived from
                          SECRET_KEY with a fixed label. Changing either makes earlier fingerprints
                          useless: each dataset stores the key's id (`key_version`) and a trace skips,
                          and reports, datasets fingerprinted under another key.
  RENKEI_CANARY_DOMAIN    the e-mail domain of canaries; a domain we control, so mail sent to a leaked
                          canary reaches us (default canary.renkei.example).
  RENKEI_MAX_LEAK_BYTES   largest leaked sample accepted (default 200 MB).
  RENKEI_LEAK_INLINE_BYTES samples up to this size are traced in the request; larger ones in the
                          worker (default 2 MB).
  RENKEI_LEAK_WORKERS     processes that fingerprint a large sample (default: CPUs, at most 4).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import upload_limit
from renkei.core.permissions import require, visible
from renkei.core.services import check_write, record_delete, validate
from renkei.incidents.leaks import fingerprinting, matching, selectors
from renkei.incidents.leaks.canaries import (
    Canary,
    canary_fingerprints,
    column_roles,
    contact_fingerprints,
    default_canary_count,
    ensure_identifiable,
    make_canary,
)
from renkei.incidents.leaks.conclusion import conclude
from renkei.incidents.leaks.models import CanaryRecord, SharedDataset
from renkei.incidents.leaks.outgoing import column_styles, fingerprint_outgoing, read_outgoing, write_outgoing
from renkei.incidents.leaks.tracing import trace
from renkei.incidents.permissions import CHANGE_INCIDENTS, VIEW_INCIDENTS
from renkei.registry.models import InformationAsset, Organisation

MAX_CANARIES = 200
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def leak_key() -> bytes:
    """The fingerprint key (see the module docstring)."""
    secret = getattr(settings, "RENKEI_LEAK_KEY", "") or os.environ.get("RENKEI_LEAK_KEY", "")
    if secret:
        return fingerprinting.derive_key(secret)
    return fingerprinting.derive_key(settings.SECRET_KEY, label=b"renkei leak fingerprint key from SECRET_KEY v1")


def canary_domain() -> str:
    return str(getattr(settings, "RENKEI_CANARY_DOMAIN", "") or "canary.renkei.example").strip().lower()


def max_leak_bytes() -> int:
    return int(getattr(settings, "RENKEI_MAX_LEAK_BYTES", 200 * 1024 * 1024))


def inline_leak_bytes() -> int:
    return int(getattr(settings, "RENKEI_LEAK_INLINE_BYTES", 2 * 1024 * 1024))


def leak_workers() -> int:
    return int(getattr(settings, "RENKEI_LEAK_WORKERS", 0) or min(4, os.cpu_count() or 1))


# --- sharing a dataset --------------------------------------------------------------------------


@dataclass
class SharedFile:
    """The registered dataset and the file to send: the same rows with canaries mixed in."""

    dataset: SharedDataset
    content: bytes
    filename: str
    content_type: str


def _check_visible(user: Any, model: type[Organisation] | type[InformationAsset], pk: int | None, field: str) -> None:
    if user is None or pk is None:
        return
    if not visible(model.objects.filter(pk=pk), user).exists():
        raise RenkeiError(_("Select a valid choice."), field_name=field)


def _canaries(
    styles: list[Any], count: int, *, key: bytes, recipient_id: int, sent: np.ndarray, today: dt.date
) -> list[tuple[Canary, np.ndarray]]:
    """`count` canaries, each with its fingerprints, none of which is among the rows sent or any
    canary's ever made: so every field a canary is found by points at this sending alone."""
    rng = random.SystemRandom()
    hasher = fingerprinting.Hasher(key)
    roles = column_roles(styles)
    taken = np.union1d(sent, selectors.canary_fingerprints_in_use())  # sorted, unique
    new: set[int] = set()
    made: list[tuple[Canary, np.ndarray]] = []
    for _attempt in range(count * 20 + 20):
        if len(made) == count:
            break
        canary = make_canary(styles, key=key, recipient_id=recipient_id, domain=canary_domain(), rng=rng, today=today)
        email, phone = fingerprinting.normalise(canary.email), fingerprinting.normalise(canary.phone)
        fps = np.union1d(canary_fingerprints(canary.row, roles, hasher), contact_fingerprints(email, phone, hasher))
        # A real row has this phone number, member number or name and address; or another canary has.
        position = np.minimum(np.searchsorted(taken, fps), max(taken.size - 1, 0))
        if (taken.size and bool((taken[position] == fps).any())) or not new.isdisjoint(fps.tolist()):
            continue
        if CanaryRecord.objects.filter(Q(email=email) | Q(phone=phone)).exists():
            continue
        new.update(fps.tolist())
        made.append((canary, fps))
    if len(made) < count:
        raise RenkeiError(_("Could not make enough distinct canary rows; try fewer."), field_name="canary_count")
    return made


def sent_filename(filename: str, recipient: str, shared_on: dt.date) -> str:
    """The file's name for one recipient and day: 顧客_配送会社A_20260401.csv."""
    path = PurePath(filename)
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", recipient).strip("_.")[:40] or "recipient"
    return f"{path.stem}_{safe}_{shared_on:%Y%m%d}{path.suffix}"


def dataset_share(
    *,
    user: Any,
    dataset: SharedDataset,
    data: bytes,
    filename: str,
    encoding: str = "auto",
    canary_count: int | None = None,
) -> SharedFile:
    """Register a dataset about to be sent to `dataset.recipient` and return the file to send.

    `dataset` carries the metadata (recipient, asset, name, date, method, group company) and is not
    saved yet. The file is read, canaries are made for the recipient and mixed in at random rows, and
    only the fingerprints of what is sent (canaries included) are stored, with the canaries. A file
    without an e-mail or phone column gets no canaries: they could not be recognised.
    """
    if not dataset.group_company_id:
        from renkei.core.tenancy import default_group_company_id

        dataset.group_company_id = default_group_company_id(user)  # type: ignore[assignment]
    check_write(user=user, action=CHANGE_INCIDENTS, company_id=dataset.group_company_id)
    _check_visible(user, Organisation, dataset.recipient_id, "recipient")
    _check_visible(user, InformationAsset, dataset.asset_id, "asset")
    if canary_count is not None and not 0 <= canary_count <= MAX_CANARIES:
        raise RenkeiError(
            _("Choose between 0 and {limit} canary rows.").format(limit=MAX_CANARIES), field_name="canary_count"
        )
    outgoing = read_outgoing(data, filename=filename, encoding=encoding, max_bytes=upload_limit())
    styles = column_styles(outgoing)
    count = default_canary_count(len(outgoing.rows)) if canary_count is None else canary_count
    if not ensure_identifiable(styles):
        count = 0
    key = leak_key()
    hasher = fingerprinting.Hasher(key)
    roles = column_roles(styles)
    sent = fingerprint_outgoing(outgoing.rows, hasher, roles=roles)
    today = timezone.localdate()
    made = _canaries(styles, count, key=key, recipient_id=dataset.recipient_id, sent=sent, today=today)
    canaries = [c for c, _fps in made]
    if canaries:
        sent = np.union1d(sent, fingerprint_outgoing([c.row for c in canaries], hasher, roles=roles))
    content = write_outgoing(outgoing, canaries, random.SystemRandom())

    dataset.name = dataset.name or PurePath(outgoing.filename).stem
    dataset.columns = list(outgoing.header)
    dataset.row_count = len(outgoing.rows)
    dataset.canary_count = len(canaries)
    dataset.fingerprints = fingerprinting.pack(sent)
    dataset.key_version = fingerprinting.key_id(key)
    dataset.shared_on = dataset.shared_on or today
    validate(dataset, exclude=["fingerprints"])
    try:
        with transaction.atomic():
            dataset.save()
            CanaryRecord.objects.bulk_create(
                CanaryRecord(
                    dataset=dataset,
                    values=c.values,
                    email=fingerprinting.normalise(c.email),
                    phone=fingerprinting.normalise(c.phone),
                    fingerprints=fingerprinting.pack(fps),
                )
                for c, fps in made
            )
    except IntegrityError as exc:  # another registration took the same canary at the same moment
        raise RenkeiError(_("This record conflicts with an existing one.")) from exc
    name = sent_filename(outgoing.filename, dataset.recipient.name, dataset.shared_on)
    return SharedFile(dataset, content, name, CONTENT_TYPES[outgoing.file_format])


def dataset_delete(*, user: Any, dataset: SharedDataset) -> None:
    """Remove a dataset from the ledger, with its canaries."""
    record_delete(user=user, instance=dataset, action=CHANGE_INCIDENTS)


# --- tracing a leaked sample --------------------------------------------------------------------


Progress = Callable[[str, int, int], None]


def leak_trace(
    *,
    user: Any,
    data: bytes,
    filename: str,
    encoding: str = "auto",
    progress: Progress | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Trace a leaked sample against the ledger the user may see (`user=None`: a command, all of it).

    Returns plain data (stored as JSON for the worker's result page and printed by the command):
    the canaries found and whose they are, recipients ranked by matching rows with example rows and
    the datasets they came from, the recipients tied at the top (`tie`), the rows that match nothing
    we shared, and `conclusion` (see `conclusion.conclude`): the verdict and its statements in
    Japanese and English, for the page, the command and a report.
    """
    if user is not None:
        require(user, VIEW_INCIDENTS)
    datasets = selectors.datasets_for(user)
    key = leak_key()
    version = fingerprinting.key_id(key)
    total = datasets.filter(key_version=version).count()
    lookup, owners = selectors.canaries_for(datasets, fingerprinting.Hasher(key))

    def report(stage: str, done: int) -> None:
        if progress is not None:
            progress(stage, done, total if stage == "compare" else done)

    processes = workers if workers is not None else (leak_workers() if len(data) > inline_leak_bytes() else 1)
    ledger: Iterable[matching.LedgerEntry] = selectors.ledger_entries(datasets, key_version=version)
    if processes > 1:
        # A large sample is matched by the processes that read it, which share the ledger in memory;
        # a small one streams the ledger past, one dataset at a time.
        ledger = list(ledger)
    result = trace(
        data,
        filename=filename,
        key=key,
        ledger=ledger,
        canaries=lookup,
        canary_owners=owners,
        max_bytes=max_leak_bytes(),
        encoding=encoding,
        workers=processes,
        progress=report,
    )
    out = result.as_dict()
    dataset_ids = {d["dataset_id"] for r in out["recipients"] for d in r["datasets"]} | {
        c["dataset_id"] for c in out["canaries"]
    }
    facts = selectors.dataset_facts(dataset_ids)
    names = selectors.organisation_names({r["recipient_id"] for r in out["recipients"]} | set(result.canary_recipient_ids))
    for rec in out["recipients"]:
        rec["recipient"] = names.get(rec["recipient_id"], "")
        rec["datasets"] = [{**facts.get(d["dataset_id"], {}), "rows": d["rows"]} for d in rec["datasets"]]
        rec["rows_sent"] = sum(d.get("rows_sent", 0) for d in rec["datasets"])
        rec["has_canary"] = rec["recipient_id"] in result.canary_recipient_ids
    for canary in out["canaries"]:
        fact = facts.get(canary["dataset_id"], {})
        canary.update(recipient=fact.get("recipient", ""), dataset=fact.get("name", ""), shared_on=fact.get("shared_on", ""))
    out["canary_recipients"] = [{"recipient_id": r, "recipient": names.get(r, "")} for r in result.canary_recipient_ids]
    out["skipped_datasets"] = selectors.key_mismatch_count(datasets, key_version=version)
    out["traced_at"] = timezone.now().isoformat()
    out["conclusion"] = conclude(out)
    return out
