"""Writes of the KEV and EPSS enrichment: start an import (an upload kept for the worker, or a
path on the server for the command) and run it.

Rules: the whole file is read (size-limited, bounded gunzip) and every row checked before anything
is written — bad input fails the run with the problems named and changes nothing. Then one
transaction replaces that source's rows and re-applies them to the vulnerabilities by CVE alias,
set-based (a few UPDATE statements, not one per row): a re-import is idempotent and atomic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import check_size
from renkei.core.permissions import Action, require
from renkei.core.tenancy import is_unrestricted
from renkei.software.enrichment.files import EnrichmentError, read_text
from renkei.software.enrichment.models_kev_epss import EnrichmentImport, EnrichmentKind, EpssScore, KevEntry
from renkei.software.models import Vulnerability, VulnerabilityAlias
from renkei.software.services import ACTION, upload_name

log = logging.getLogger(__name__)

BATCH = 5000
SUFFIXES = {
    EnrichmentKind.KEV: (".json", ".csv", ".json.gz", ".csv.gz"),
    EnrichmentKind.EPSS: (".csv", ".csv.gz", ".gz"),
}
Progress = Callable[[EnrichmentImport], None]

# Sent after the commit with `import_id`: a queued enrichment import waits for the worker.
enrichment_import_queued = Signal()


def max_file_bytes() -> int:
    """The largest file accepted (`RENKEI_MAX_ENRICHMENT_BYTES`, default 100 MB)."""
    return int(getattr(settings, "RENKEI_MAX_ENRICHMENT_BYTES", 100 * 2**20))


def max_unpacked_bytes() -> int:
    """The most a gzip file may unpack to (`RENKEI_MAX_ENRICHMENT_UNPACKED_BYTES`, default 300 MB)."""
    return int(getattr(settings, "RENKEI_MAX_ENRICHMENT_UNPACKED_BYTES", 300 * 2**20))


def enrichment_import_start(
    *, user: Any, kind: str, path: str | None = None, uploaded_file: Any = None, enqueue: bool = True
) -> EnrichmentImport:
    """Queue a KEV or EPSS import of an uploaded file (kept under enrichment-imports/ for the worker)
    or of a file on the server (`path`, for the command). `enqueue=False` only records the run."""
    if kind not in EnrichmentKind.values:
        raise RenkeiError(_("Unknown enrichment source."))
    if user is not None:
        require(user, ACTION)
        if path:
            # Reading files on the server is an administrator's business (as for OSV).
            require(user, Action.ADMINISTER)
        if not is_unrestricted(user):
            raise RenkeiError(_("Only users of the whole group may update the vulnerability database."), status=403)
    if bool(path) == (uploaded_file is not None):
        raise RenkeiError(_("Choose a file to upload."), field_name="uploaded_file")
    run = EnrichmentImport(kind=kind, started_by=user if getattr(user, "pk", None) else None)
    if path:
        resolved = Path(str(path)).expanduser()
        if not resolved.is_file():
            raise RenkeiError(_("No such file: {path}").format(path=path), field_name="path")
        run.path = str(resolved.resolve())[:1000]
        run.source = resolved.name[:500]
    else:
        name = upload_name(uploaded_file, "upload")
        if not name.lower().endswith(SUFFIXES[EnrichmentKind(kind)]):
            message = (
                _("Upload the KEV catalogue as .json or .csv.")
                if kind == EnrichmentKind.KEV
                else _("Upload the EPSS scores as .csv or .csv.gz.")
            )
            raise RenkeiError(message, field_name="uploaded_file")
        check_size(getattr(uploaded_file, "size", None), max_file_bytes())
        run.source = name
        run.file.save(name, uploaded_file, save=False)
    try:
        with transaction.atomic():
            run.save()
            if enqueue:
                transaction.on_commit(lambda: enrichment_import_queued.send(sender=EnrichmentImport, import_id=run.pk))
    except BaseException:
        if run.file:
            run.file.delete(save=False)
        raise
    return run


def enrichment_import_run(*, import_id: int, progress: Progress | None = None) -> EnrichmentImport:
    """Run a queued import (the worker task's body; the command calls it in-process). A run that is
    not queued any more is returned as it is."""
    with transaction.atomic():
        run = EnrichmentImport.objects.select_for_update().get(pk=import_id)
        if run.status != "queued":
            return run
        run.status = "running"
        run.save(update_fields=["status", "updated_at"])
    try:
        text = _read(run)
        if run.kind == EnrichmentKind.KEV:
            _import_kev(run, text, progress)
        else:
            _import_epss(run, text, progress)
    except EnrichmentError as exc:
        _finish(run, status="failed", error=str(exc))
        return run
    except Exception as exc:
        log.exception("Enrichment import %s failed", import_id)
        _finish(run, status="failed", error=str(exc) or exc.__class__.__name__)
        raise
    run.finished_at = timezone.now()
    _finish(run, status="done")
    return run


def _read(run: EnrichmentImport) -> str:
    limits = {"max_bytes": max_file_bytes(), "max_decompressed": max_unpacked_bytes()}
    if run.path:
        with open(run.path, "rb") as handle:
            return read_text(handle, **limits)
    if not run.file:
        raise EnrichmentError(_("The import has no file."))
    with run.file.open("rb") as handle:
        return read_text(handle, **limits)


def _finish(run: EnrichmentImport, *, status: str, error: str = "") -> None:
    run.status = status
    run.error = error
    fields = ["status", "error", "total", "processed", "records", "matched", "file_date", "file_version",
              "finished_at", "updated_at"]
    if run.file:
        run.file.delete(save=False)
        fields.append("file")
    run.save(update_fields=fields)


def _progress(run: EnrichmentImport, processed: int, progress: Progress | None) -> None:
    run.processed = processed
    EnrichmentImport.objects.filter(pk=run.pk).update(processed=processed, total=run.total, updated_at=timezone.now())
    if progress is not None:
        progress(run)


def _import_kev(run: EnrichmentImport, text: str, progress: Progress | None) -> None:
    from renkei.software.enrichment.kev import parse_kev

    catalogue = parse_kev(text)
    run.total = run.records = len(catalogue.records)
    run.file_version, run.file_date = catalogue.version, catalogue.released
    _progress(run, 0, progress)
    rows = [KevEntry(**record.__dict__) for record in catalogue.records]
    with transaction.atomic():
        KevEntry.objects.all().delete()
        for start in range(0, len(rows), BATCH):
            KevEntry.objects.bulk_create(rows[start : start + BATCH])
        run.matched = apply_kev()
    _progress(run, run.total, progress)


def _import_epss(run: EnrichmentImport, text: str, progress: Progress | None) -> None:
    from renkei.software.enrichment.epss import parse_epss

    parsed = parse_epss(text)
    run.total = run.records = len(parsed.scores)
    run.file_version, run.file_date = parsed.model_version, parsed.score_date
    _progress(run, 0, progress)
    with transaction.atomic():
        EpssScore.objects.all().delete()
        for start in range(0, len(parsed.scores), BATCH):
            chunk = parsed.scores[start : start + BATCH]
            EpssScore.objects.bulk_create([EpssScore(cve_id=c, score=s, percentile=p) for c, s, p in chunk])
            # The rows are invisible to others until the commit; the count shows that work goes on.
            run.processed = start + len(chunk)
            if progress is not None:
                progress(run)
        run.matched = apply_epss()
    _progress(run, run.total, progress)


def _names_with(model: Any, *fields: str) -> Any:
    """The names (ID and aliases) of the outer query's vulnerability, each with `fields` of its row
    of `model` (KevEntry, EpssScore) by CVE: index lookups on both sides, whatever the planner's
    statistics say right after a bulk load."""
    row = model.objects.filter(cve_id=OuterRef("alias"))
    names = VulnerabilityAlias.objects.filter(vulnerability_id=OuterRef("pk"))
    return names.annotate(**{field: Subquery(row.values(field)[:1]) for field in fields}).filter(
        **{f"{fields[0]}__isnull": False}
    )


def apply_kev() -> int:
    """Set `known_exploited_since` (the earliest dateAdded of its CVEs) on every vulnerability one
    of whose names is in the catalogue, and clear it on the others; returns how many are set."""
    listed = VulnerabilityAlias.objects.filter(alias__in=KevEntry.objects.values("cve_id")).values("vulnerability_id")
    # Clear only the ones no longer listed: every row is written once.
    Vulnerability.objects.exclude(known_exploited_since=None).exclude(pk__in=listed).update(known_exploited_since=None)
    earliest = _names_with(KevEntry, "date_added").order_by("date_added").values("date_added")[:1]
    return Vulnerability.objects.filter(pk__in=listed).update(known_exploited_since=Subquery(earliest))


def apply_epss() -> int:
    """Set `epss_score`/`epss_percentile` (the highest score of its CVEs) on every vulnerability one
    of whose names has a score, and clear them on the others; returns how many are set."""
    scored = VulnerabilityAlias.objects.filter(alias__in=EpssScore.objects.values("cve_id")).values("vulnerability_id")
    Vulnerability.objects.exclude(epss_score=None).exclude(pk__in=scored).update(epss_score=None, epss_percentile=None)
    best = _names_with(EpssScore, "score", "percentile").order_by("-score", "-percentile")
    return Vulnerability.objects.filter(pk__in=scored).update(
        epss_score=Subquery(best.values("score")[:1]), epss_percentile=Subquery(best.values("percentile")[:1])
    )


def enrichment_reapply() -> None:
    """Apply the loaded KEV and EPSS data again (after an OSV import added or merged vulnerabilities)."""
    with transaction.atomic():
        if KevEntry.objects.exists():
            apply_kev()
        if EpssScore.objects.exists():
            apply_epss()
