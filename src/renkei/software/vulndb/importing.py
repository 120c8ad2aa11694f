"""The offline vulnerability database: OSV records into `Vulnerability` rows (the way back, into an
`AdvisoryIndex` for matching, is `selectors.advisory_index`).

Import rules:
- every record is read and checked before anything is written; one invalid record fails the
  import with its file and field named, and nothing is saved (the files need fixing, not half a
  database);
- records are then written in batches of `BATCH` (each batch one transaction), so the progress
  shown on the page is real and a crash can simply be re-run: the import is idempotent;
- incremental: each vulnerability remembers the `modified` of every OSV record collapsed into it
  (`Vulnerability.sources`); a record not newer than the remembered one is skipped;
- aliases collapse: a record whose ID or one of whose aliases already names a stored
  vulnerability updates that one. Its `affected` entries are tagged with the record's ID, so a
  newer version of the same record replaces its own entries and keeps the other records'.
  When an alias would bridge two stored vulnerabilities, the first match wins and the alias stays
  with its owner (rare; merging stored vulnerabilities would move triaged findings).
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.software import signals
from renkei.software.models import (
    AffectedPackage,
    OsvImport,
    Release,
    Severity,
    Vulnerability,
    VulnerabilityAlias,
)

log = logging.getLogger(__name__)

BATCH = 500
MAX_ERRORS_SHOWN = 20
SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.UNKNOWN: 0,
}
Progress = Callable[[OsvImport], None]


# --- import --------------------------------------------------------------------------------------


def run_import(*, import_id: int, progress: Progress | None = None, recompute: bool = True) -> OsvImport:
    """Run one queued import (see the module docstring); returns the finished `OsvImport`."""
    with transaction.atomic():
        run = OsvImport.objects.select_for_update().get(pk=import_id)
        if run.status != "queued":
            # Already run (a task delivered twice, or the command ran it in-process).
            return run
        run.status = "running"
        run.save(update_fields=["status", "updated_at"])
    try:
        with ExitStack() as stack:
            paths = run.paths or [_local_copy(run, stack)]
            advisories, errors = read_advisories(paths)
            run.total = len(advisories)
            if errors:
                shown = errors[:MAX_ERRORS_SHOWN]
                more = len(errors) - len(shown)
                if more:
                    shown.append(_("… and {count} more problems.").format(count=more))
                _finish(run, status="failed", error="\n".join(shown))
                return run
            run.save(update_fields=["total", "updated_at"])
            for start in range(0, len(advisories), BATCH):
                batch = advisories[start : start + BATCH]
                with transaction.atomic():
                    created, updated, skipped = apply_batch(batch)
                run.created_count += created
                run.updated_count += updated
                run.skipped_count += skipped
                run.processed += len(batch)
                run.save(
                    update_fields=["processed", "created_count", "updated_count", "skipped_count", "updated_at"]
                )
                if progress is not None:
                    progress(run)
    except Exception as exc:
        log.exception("OSV import %s failed", import_id)
        _finish(run, status="failed", error=str(exc) or exc.__class__.__name__)
        raise
    if run.created_count or run.updated_count:
        # NVD's ratings (when loaded) reach the new and changed vulnerabilities, whatever the order.
        from renkei.software.enrichment.services_nvd_jvn import attach_nvd_ratings

        attach_nvd_ratings()
    _finish(run, status="done")
    if recompute and (run.created_count or run.updated_count):
        with transaction.atomic():
            signals.findings_stale.send(sender=Release, release_ids=None)
    return run


def _finish(run: OsvImport, *, status: str, error: str = "") -> None:
    run.status = status
    run.error = error
    fields = ["status", "error", "total", "updated_at"]
    if run.file:
        # The archive has served its purpose; the counts stay on the record.
        run.file.delete(save=False)
        fields.append("file")
    run.save(update_fields=fields)


def _local_copy(run: OsvImport, stack: ExitStack) -> str:
    """A filesystem path of the uploaded archive (a temporary copy when storage is remote)."""
    if not run.file:
        raise ValueError(_("The import has neither paths nor an uploaded file."))
    try:
        return str(run.file.path)
    except NotImplementedError:
        suffix = Path(run.file.name).suffix
        handle = stack.enter_context(tempfile.NamedTemporaryFile(suffix=suffix))  # noqa: SIM115 - closed by the stack
        with run.file.open("rb") as source:
            for chunk in source.chunks():
                handle.write(chunk)
        handle.flush()
        return handle.name


def read_advisories(paths: Iterable[str]) -> tuple[list[Any], list[str]]:
    """Parse every OSV record under the paths: (advisories, problems naming file and field)."""
    from renkei.software.vulndb.osv import OsvError, iter_osv_files, parse_advisory

    advisories: list[Any] = []
    errors: list[str] = []
    try:
        for source, data in iter_osv_files([str(p) for p in paths]):
            try:
                advisories.append(parse_advisory(data, source=source))
            except OsvError as exc:
                errors.append(_problem(exc))
    except OsvError as exc:
        # The container itself is unreadable (a broken zip, a zip bomb, a missing path).
        errors.append(_problem(exc))
    return advisories, errors


def _problem(exc: Any) -> str:
    """An `OsvError` in the active language, naming the file and the field."""
    message = _(exc.template).format(**exc.params) if exc.params else _(exc.template)
    if exc.field:
        message = _("{message} (at {location})").format(message=message, location=exc.field)
    return f"{exc.source}: {message}" if exc.source else message


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


def _affected_entries(advisory: Any) -> list[dict[str, Any]]:
    entries = []
    for spec in advisory.affected:
        entries.append(
            {
                "ecosystem": spec.ecosystem,
                "name": spec.name,
                "ranges": list(spec.ranges),
                "versions": list(spec.versions),
                "source": advisory.id,
            }
        )
    return entries


def _new_vulnerability(advisory: Any) -> Vulnerability:
    vulnerability = Vulnerability(osv_id=advisory.id[:100], affected=[], aliases=[], sources={})
    _merge(vulnerability, advisory)
    return vulnerability


def _merge(vulnerability: Vulnerability, advisory: Any) -> None:
    """Fold one OSV record into a vulnerability (new or stored)."""
    record_id = advisory.id
    sources: dict[str, str] = dict(vulnerability.sources or {})
    newest = not sources or all(dt.datetime.fromisoformat(m) <= advisory.modified for m in sources.values())
    sources[record_id] = _iso(advisory.modified)
    vulnerability.sources = sources
    kept = [a for a in (vulnerability.affected or []) if a.get("source") != record_id]
    vulnerability.affected = kept + ([] if advisory.withdrawn else _affected_entries(advisory))
    names = [*vulnerability.aliases, record_id, *advisory.aliases]
    vulnerability.aliases = [a for a in dict.fromkeys(names) if a and a != vulnerability.osv_id]
    if vulnerability.modified is None or advisory.modified > vulnerability.modified:
        vulnerability.modified = advisory.modified
    if record_id == vulnerability.osv_id:
        vulnerability.withdrawn = advisory.withdrawn
    if newest or record_id == vulnerability.osv_id:
        vulnerability.summary = (advisory.summary or vulnerability.summary or "")[:500]
        vulnerability.details = advisory.details or vulnerability.details or ""
        vulnerability.published = advisory.published or vulnerability.published
        vulnerability.references = list(dict.fromkeys([*advisory.references, *(vulnerability.references or [])]))
    _rate(vulnerability, advisory)


def _rate(vulnerability: Vulnerability, advisory: Any) -> None:
    """Keep the rating of every record (PYSEC, GHSA …) and take the best of them (`best_rating`):
    a record without a rating never erases another record's, and the order of import does not matter."""
    from renkei.software.vulndb.osv import Rating, best_rating

    ratings: dict[str, dict[str, Any]] = dict(vulnerability.ratings or {})
    if not ratings and vulnerability.severity not in ("", Severity.UNKNOWN):
        # Stored before ratings were kept per record: keep that rating as the vulnerability's own.
        ratings[vulnerability.osv_id] = Rating(
            vulnerability.osv_id, vulnerability.severity, vulnerability.cvss_score, vulnerability.cvss_vector
        ).as_json()
    rating = Rating.of(advisory)
    if rating is None:
        ratings.pop(advisory.id, None)
    else:
        ratings[advisory.id] = rating.as_json()
    vulnerability.ratings = ratings
    best = best_rating(Rating(**value) for value in ratings.values())
    if best is None:
        vulnerability.severity = Severity.UNKNOWN
        vulnerability.cvss_score = None
        vulnerability.cvss_vector = ""
        vulnerability.severity_source = ""
        return
    vulnerability.severity = best.severity
    vulnerability.cvss_score = best.score
    vulnerability.cvss_vector = (best.vector or "")[:200]
    vulnerability.severity_source = best.record[:150]


def _is_current(vulnerability: Vulnerability, advisory: Any) -> bool:
    """Whether the stored vulnerability already has this record at least as new."""
    known = (vulnerability.sources or {}).get(advisory.id)
    if known is None and not vulnerability.sources and vulnerability.osv_id == advisory.id:
        return vulnerability.modified is not None and vulnerability.modified >= advisory.modified
    return known is not None and dt.datetime.fromisoformat(known) >= advisory.modified


UPDATE_FIELDS = [
    "aliases", "summary", "details", "severity", "cvss_score", "cvss_vector", "published", "modified",
    "withdrawn", "affected", "references", "sources", "ratings", "severity_source", "updated_at",
]


def apply_batch(advisories: list[Any]) -> tuple[int, int, int]:
    """Write one batch of parsed records; returns (created, updated, skipped) record counts."""
    keys = {key for adv in advisories for key in (adv.id, *adv.aliases) if key}
    alias_owner = dict(VulnerabilityAlias.objects.filter(alias__in=keys).values_list("alias", "vulnerability_id"))
    stored = {v.pk: v for v in Vulnerability.objects.filter(pk__in=set(alias_owner.values()))}
    in_batch: dict[str, Vulnerability] = {}
    new: list[Vulnerability] = []
    changed: dict[int, Vulnerability] = {}
    created = updated = skipped = 0
    for advisory in advisories:
        names = [advisory.id, *advisory.aliases]
        target = None
        for name in names:
            if name in in_batch:
                target = in_batch[name]
                break
            if name in alias_owner:
                target = stored[alias_owner[name]]
                break
        if target is None:
            target = _new_vulnerability(advisory)
            new.append(target)
            created += 1
        elif _is_current(target, advisory):
            skipped += 1
        else:
            _merge(target, advisory)
            if target.pk is not None:
                changed[target.pk] = target
            updated += 1
        for name in names:
            in_batch.setdefault(name, target)
    Vulnerability.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        # bulk_update does not touch auto_now fields; the index cache keys on `updated_at`.
        now = timezone.now()
        for vulnerability in changed.values():
            vulnerability.updated_at = now
        Vulnerability.objects.bulk_update(list(changed.values()), UPDATE_FIELDS, batch_size=BATCH)
    touched = [*new, *changed.values()]
    aliases = [
        VulnerabilityAlias(alias=name[:100], vulnerability_id=v.pk)
        for v in touched
        for name in (v.osv_id, *v.aliases)
        if name and name not in alias_owner
    ]
    VulnerabilityAlias.objects.bulk_create(aliases, batch_size=BATCH, ignore_conflicts=True)
    AffectedPackage.objects.filter(vulnerability_id__in=list(changed)).delete()
    packages = [
        AffectedPackage(vulnerability_id=v.pk, ecosystem=eco[:40], name=name[:300])
        for v in touched
        for eco, name in dict.fromkeys((a["ecosystem"], a["name"]) for a in v.affected)
    ]
    AffectedPackage.objects.bulk_create(packages, batch_size=BATCH)
    return created, updated, skipped
