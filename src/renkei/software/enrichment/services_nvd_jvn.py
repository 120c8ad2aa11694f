"""Writes of the NVD and JVN enrichment imports: start a run, run it, and carry NVD's ratings
into the vulnerability database.

Rules (the same as the OSV import, `vulndb/importing.py`):
- every file is read and checked before anything is written; one invalid file fails the run with
  its name and field, and nothing is saved;
- records are written in batches (each one transaction) so the progress is real; a re-run is
  idempotent and incremental: a record whose `lastModified` (NVD) / `modified` (JVN) is not newer
  than the stored one is skipped;
- NVD ratings attach to vulnerabilities at import time, by CVE alias (`attach_nvd_ratings`): each
  vulnerability that has a CVE alias with an NVD rating gets it in `ratings` under the source
  "NVD", and its severity becomes the best of all its ratings. The OSV import calls it too, so the
  order in which the databases are loaded does not matter. JVN texts are looked up when shown
  (`selectors_nvd_jvn.jvn_for`).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import check_size
from renkei.core.permissions import Action, require
from renkei.core.tenancy import is_unrestricted
from renkei.software import signals
from renkei.software.enrichment.jvn import JvnRecord, read_jvn_file
from renkei.software.enrichment.models_nvd_jvn import (
    JvnCve,
    JvnEntry,
    NvdCve,
    NvdJvnImport,
    NvdJvnKind,
)
from renkei.software.enrichment.nvd import EnrichmentError, NvdRecord, read_nvd_file
from renkei.software.models import Release, Severity, Vulnerability, VulnerabilityAlias
from renkei.software.services import ACTION, upload_name

log = logging.getLogger(__name__)

BATCH = 2000
NVD_SOURCE = "NVD"
SUFFIXES: dict[str, tuple[str, ...]] = {NvdJvnKind.NVD: (".json", ".json.gz"), NvdJvnKind.JVN: (".xml", ".rdf", ".xml.gz", ".rdf.gz")}
MAX_ERRORS_SHOWN = 20
Progress = Callable[[NvdJvnImport], None]


def max_enrichment_bytes() -> int:
    """The largest uploaded NVD/JVN file accepted (`RENKEI_MAX_ENRICHMENT_BYTES`, default 500 MB)."""
    return int(getattr(settings, "RENKEI_MAX_ENRICHMENT_BYTES", 500 * 2**20))


def _check_may_import(*, user: Any, paths: list[str] | None) -> None:
    if user is None:
        return
    if paths:
        require(user, Action.ADMINISTER)  # reading files on the server is an administrator's business
        return
    require(user, ACTION)
    if not is_unrestricted(user):
        raise RenkeiError(_("Only users of the whole group may update the vulnerability database."), status=403)


def _files(paths: Iterable[str], kind: str) -> list[Path]:
    """The feed files named: files, or the matching files of a directory (sorted)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES[kind]))
        else:
            found.append(path)
    return found


def nvd_jvn_import_start(
    *, user: Any, kind: str, paths: list[str] | None = None, uploaded_file: Any = None, enqueue: bool = True
) -> NvdJvnImport:
    """Queue an NVD or JVN import of server paths (files or directories) or of an uploaded file
    (kept under enrichment-imports/ for the worker). `enqueue=False` only records the run."""
    if kind not in SUFFIXES:
        raise RenkeiError(_("Unknown enrichment source."), field_name="kind")
    _check_may_import(user=user, paths=paths)
    if bool(paths) == (uploaded_file is not None):
        raise RenkeiError(_("Choose a file to upload or give a path on the server."), field_name="uploaded_file")
    run = NvdJvnImport(kind=kind, started_by=user if getattr(user, "pk", None) else None)
    if paths:
        resolved = []
        for raw in paths:
            path = Path(os.path.expanduser(str(raw).strip()))
            if not path.exists():
                raise RenkeiError(_("No such file or directory: {path}").format(path=raw), field_name="paths")
            resolved.append(str(path.resolve()))
        run.paths = resolved
        run.source = ", ".join(resolved)[:500]
    else:
        name = upload_name(uploaded_file, f"{kind}.json")
        if not name.lower().endswith(SUFFIXES[kind]):
            message = (_("Upload an NVD CVE JSON 2.0 feed file (.json or .json.gz).") if kind == NvdJvnKind.NVD
                       else _("Upload a JVN iPedia / MyJVN XML file (.xml or .rdf, gzipped or not)."))
            raise RenkeiError(message, field_name="uploaded_file")
        check_size(getattr(uploaded_file, "size", None), max_enrichment_bytes())
        run.source = name
        run.file.save(name, uploaded_file, save=False)
    try:
        with transaction.atomic():
            run.save()
            if enqueue:
                transaction.on_commit(lambda: signals.nvd_jvn_import_queued.send(sender=NvdJvnImport, import_id=run.pk))
    except BaseException:
        if run.file:
            run.file.delete(save=False)
        raise
    return run


def _problem(exc: EnrichmentError) -> str:
    message = _(exc.template).format(**exc.params) if exc.params else _(exc.template)
    if exc.field:
        message = _("{message} (at {location})").format(message=message, location=exc.field)
    return f"{exc.source}: {message}" if exc.source else message


def _local_copy(run: NvdJvnImport, stack: ExitStack) -> str:
    try:
        return str(run.file.path)
    except NotImplementedError:
        handle = stack.enter_context(tempfile.NamedTemporaryFile(suffix=Path(run.file.name).suffix))  # noqa: SIM115
        with run.file.open("rb") as source:
            for chunk in source.chunks():
                handle.write(chunk)
        handle.flush()
        return handle.name


def nvd_jvn_import_run(*, import_id: int, progress: Progress | None = None, recompute: bool = True
                          ) -> NvdJvnImport:
    """Run a queued NVD/JVN import (see the module docstring); returns the finished run."""
    with transaction.atomic():
        run = NvdJvnImport.objects.select_for_update().get(pk=import_id)
        if run.status != "queued":
            return run
        run.status = "running"
        run.save(update_fields=["status", "updated_at"])
    try:
        with ExitStack() as stack:
            paths = run.paths or ([_local_copy(run, stack)] if run.file else [])
            records: list[Any] = []
            errors: list[str] = []
            files = _files(paths, run.kind)
            if paths and not files:
                errors.append(_("No feed files were found (NVD: .json or .json.gz; JVN: .xml or .rdf)."))
            for path in files:
                try:
                    records += read_nvd_file(path) if run.kind == NvdJvnKind.NVD else read_jvn_file(path)
                except EnrichmentError as exc:
                    errors.append(_problem(exc))
            if not paths:
                errors.append(_("The import has neither paths nor an uploaded file."))
        if errors:
            more = len(errors) - MAX_ERRORS_SHOWN
            shown = errors[:MAX_ERRORS_SHOWN] + ([_("… and {count} more problems.").format(count=more)] if more > 0 else [])
            _finish(run, status="failed", error="\n".join(shown))
            return run
        records = _latest(records, run.kind)
        run.total = len(records)
        run.save(update_fields=["total", "updated_at"])
        write = _write_nvd if run.kind == NvdJvnKind.NVD else _write_jvn
        for start in range(0, len(records), BATCH):
            batch = records[start : start + BATCH]
            with transaction.atomic():
                created, updated, skipped = write(batch)
            run.created_count += created
            run.updated_count += updated
            run.skipped_count += skipped
            run.processed += len(batch)
            run.save(update_fields=["processed", "created_count", "updated_count", "skipped_count", "updated_at"])
            if progress is not None:
                progress(run)
        changed = 0
        if run.kind == NvdJvnKind.NVD and (run.created_count or run.updated_count):
            changed = attach_nvd_ratings()
    except Exception as exc:
        log.exception("Enrichment import %s failed", import_id)
        _finish(run, status="failed", error=str(exc) or exc.__class__.__name__)
        raise
    _finish(run, status="done")
    if recompute and changed:
        with transaction.atomic():
            signals.findings_stale.send(sender=Release, release_ids=None)
    return run


def _finish(run: NvdJvnImport, *, status: str, error: str = "") -> None:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    fields = ["status", "error", "total", "finished_at", "updated_at"]
    if run.file:
        run.file.delete(save=False)
        fields.append("file")
    run.save(update_fields=fields)


def _latest(records: list[Any], kind: str) -> list[Any]:
    """One record per id (the newest), in a stable order."""
    key = "cve_id" if kind == NvdJvnKind.NVD else "jvndb_id"
    newest: dict[str, Any] = {}
    for record in records:
        known = newest.get(getattr(record, key))
        stamp = (record.last_modified if kind == NvdJvnKind.NVD else record.modified) or timezone.now()
        if known is None or (known[0] <= stamp):
            newest[getattr(record, key)] = (stamp, record)
    return [newest[k][1] for k in sorted(newest)]


def _write_nvd(batch: list[NvdRecord]) -> tuple[int, int, int]:
    """Write one batch: new CVEs inserted, newer ones replaced (deleted and inserted again: nothing
    refers to these rows, and a bulk insert is far faster than a bulk update), others skipped."""
    stored = dict(NvdCve.objects.filter(cve_id__in=[r.cve_id for r in batch]).values_list("cve_id", "last_modified"))
    now = timezone.now()
    rows: list[NvdCve] = []
    replaced: list[str] = []
    for record in batch:
        known = stored.get(record.cve_id)
        if known is not None and known >= record.last_modified:
            continue
        if known is not None:
            replaced.append(record.cve_id)
        rows.append(NvdCve(
            cve_id=record.cve_id, severity=record.severity, cvss_score=record.score, cvss_vector=record.vector,
            method=record.method, cwes=record.cwes, published=record.published,
            last_modified=record.last_modified, imported_at=now,
        ))
    if replaced:
        NvdCve.objects.filter(cve_id__in=replaced).delete()
    NvdCve.objects.bulk_create(rows, batch_size=BATCH)
    created = len(rows) - len(replaced)
    return created, len(replaced), len(batch) - len(rows)


JVN_FIELDS = ["title", "summary", "url", "cve_ids", "published", "modified"]


def _write_jvn(batch: list[JvnRecord]) -> tuple[int, int, int]:
    stored = {row.jvndb_id: row for row in JvnEntry.objects.filter(jvndb_id__in=[r.jvndb_id for r in batch])}
    new: list[JvnEntry] = []
    changed: list[JvnEntry] = []
    for record in batch:
        row = stored.get(record.jvndb_id)
        values = {"title": record.title, "summary": record.summary, "url": record.url, "cve_ids": record.cve_ids,
                  "published": record.published, "modified": record.modified}
        if row is not None and all(getattr(row, k) == v for k, v in values.items()):
            continue
        if row is not None and record.modified and row.modified and row.modified > record.modified:
            continue  # an older copy of a record we have newer
        if row is None:
            new.append(JvnEntry(jvndb_id=record.jvndb_id, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
    JvnEntry.objects.bulk_create(new, batch_size=BATCH)
    now = timezone.now()
    for row in changed:
        row.imported_at = now
    if changed:
        JvnEntry.objects.bulk_update(changed, [*JVN_FIELDS, "imported_at"], batch_size=500)
    JvnCve.objects.filter(entry__in=changed).delete()
    if new and new[0].pk is None:  # backends that do not return ids from bulk_create
        ids = dict(JvnEntry.objects.filter(jvndb_id__in=[e.jvndb_id for e in new]).values_list("jvndb_id", "pk"))
        for entry in new:
            entry.pk = ids[entry.jvndb_id]
    JvnCve.objects.bulk_create(
        [JvnCve(cve_id=cve, entry_id=entry.pk) for entry in [*new, *changed] for cve in entry.cve_ids],
        batch_size=BATCH, ignore_conflicts=True,
    )
    return len(new), len(changed), len(batch) - len(new) - len(changed)


# --- NVD ratings into the vulnerability database ------------------------------------------------


def attach_nvd_ratings(vulnerability_ids: list[int] | None = None) -> int:
    """Give every vulnerability (or those named) that has a CVE alias rated by NVD that rating
    under the source "NVD" (the best one when it has several CVEs), and set its severity to the
    best of its ratings. Idempotent; returns how many vulnerabilities changed."""
    from renkei.software.vulndb.osv import Rating

    aliases = VulnerabilityAlias.objects.filter(alias__startswith="CVE-")
    if vulnerability_ids is not None:
        aliases = aliases.filter(vulnerability_id__in=vulnerability_ids)
    rated = {
        cve: (severity, score, vector, method)
        for cve, severity, score, vector, method in NvdCve.objects.filter(cve_id__in=aliases.values("alias"))
        .exclude(severity=Severity.UNKNOWN)
        .values_list("cve_id", "severity", "cvss_score", "cvss_vector", "method")
        .iterator(chunk_size=5000)
    }
    if not rated:
        return 0
    by_vulnerability: dict[int, list[Rating]] = defaultdict(list)
    for alias, vuln_id in aliases.values_list("alias", "vulnerability_id").iterator(chunk_size=5000):
        found = rated.get(alias)
        if found is not None:
            by_vulnerability[vuln_id].append(Rating(NVD_SOURCE, *found))
    changed = 0
    ids = sorted(by_vulnerability)
    for start in range(0, len(ids), BATCH):
        chunk = Vulnerability.objects.filter(pk__in=ids[start : start + BATCH]).only(
            "pk", "osv_id", "ratings", "severity", "cvss_score", "cvss_vector", "severity_source"
        )
        updates = [v for v in chunk if _apply_nvd(v, by_vulnerability[v.pk])]
        if updates:
            now = timezone.now()
            for vulnerability in updates:
                vulnerability.updated_at = now
            _update_many(updates, ["ratings", "severity", "cvss_score", "cvss_vector", "severity_source", "updated_at"])
            changed += len(updates)
    return changed


def _update_many(rows: list[Vulnerability], fields: list[str]) -> None:
    """One prepared UPDATE run for every row (executemany). Django's `bulk_update` builds one CASE
    per field over the batch, which costs batch size × rows: minutes for 20,000 vulnerabilities."""
    meta = Vulnerability._meta
    quote = connection.ops.quote_name
    columns: list[Field[Any, Any]] = [cast("Field[Any, Any]", meta.get_field(name)) for name in fields]
    # Identifiers from the model's metadata, quoted; values are parameters.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(meta.db_table), ", ".join(f"{quote(c.column)} = %s" for c in columns), quote(meta.pk.column)
    )
    params = [[c.get_db_prep_save(getattr(row, c.attname), connection) for c in columns] + [row.pk] for row in rows]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _apply_nvd(vulnerability: Vulnerability, ratings: list[Any]) -> bool:
    from renkei.software.vulndb.osv import Rating, best_rating

    nvd = best_rating(ratings)
    stored: dict[str, dict[str, Any]] = dict(vulnerability.ratings or {})
    if nvd is None or stored.get(NVD_SOURCE) == nvd.as_json():
        return False
    if not stored and vulnerability.severity not in ("", Severity.UNKNOWN):
        # Rated before ratings were kept per record (see importing._rate): keep it as its own.
        stored[vulnerability.osv_id] = Rating(
            vulnerability.osv_id, vulnerability.severity, vulnerability.cvss_score, vulnerability.cvss_vector
        ).as_json()
    stored[NVD_SOURCE] = nvd.as_json()
    vulnerability.ratings = stored
    best = best_rating(Rating(**value) for value in stored.values())
    assert best is not None
    vulnerability.severity = best.severity
    vulnerability.cvss_score = best.score
    vulnerability.cvss_vector = (best.vector or "")[:200]
    vulnerability.severity_source = best.record[:150]
    return True
