"""Writes of SBOMs and delivered files: upload, store the components and dependencies, and
compare the files' hashes with the declared ones; findings are then recomputed in the worker."""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import check_size, read_limited, sha256_limited, upload_limit
from renkei.core.services import check_write, record_save
from renkei.software import signals
from renkei.software.models import (
    Component,
    ComponentDependency,
    DeliveredFile,
    IntegrityState,
    Release,
    Sbom,
)
from renkei.software.sbom.document import ParsedSbom, SbomError
from renkei.software.sbom.parsing import parse_sbom
from renkei.software.services import ACTION, upload_name

_SHA256 = re.compile(r"[0-9a-f]{64}")

# Rows per INSERT: large SBOMs insert in a handful of statements without hitting SQLite's limits.
BULK_BATCH = 1000


def max_sbom_bytes() -> int:
    """The largest SBOM document accepted (`RENKEI_MAX_SBOM_BYTES`)."""
    return int(getattr(settings, "RENKEI_MAX_SBOM_BYTES", 50 * 2**20))


def max_delivered_file_bytes() -> int:
    """The largest delivered file accepted (the general upload limit, `RENKEI_MAX_UPLOAD_BYTES`)."""
    return upload_limit()


def _after_commit_recompute(release_ids: list[int] | None) -> None:
    # The receiver in tasks.py queues one recomputation when the transaction commits.
    signals.findings_stale.send(sender=Release, release_ids=release_ids)


def normalised_name(ecosystem: str | None, name: str) -> str:
    """The name as matching and the portfolio search compare it."""
    from renkei.software.vulndb.versions import normalise_package_name

    if ecosystem:
        try:
            return normalise_package_name(ecosystem, name)[:300]
        except ValueError:
            pass
    return name.strip().lower()[:300]


def _sbom_error(exc: SbomError) -> RenkeiError:
    message = exc.render(_)
    if exc.location:
        message = _("{message} (at {location})").format(message=message, location=exc.location)
    return RenkeiError(message, field_name="file")


def sbom_upload(*, user: Any, release: Release, uploaded_file: Any, validate: bool = True) -> Sbom:
    """Store an SBOM document of a release with its components and dependencies; it becomes the
    release's current SBOM. Delivered files without a supplier-declared hash are compared with the
    hashes the document declares, and the release's findings are recomputed in the worker.

    The upload is refused by size before it is read (`RENKEI_MAX_SBOM_BYTES`); an invalid document
    is refused whole with the field or line at fault, and nothing is saved. `validate=False` skips
    the CycloneDX schema check (a supplier's slightly invalid file); the reader's own checks remain.
    """
    check_write(user=user, action=ACTION, company_id=release.group_company_id)
    limit = max_sbom_bytes()
    data = read_limited(uploaded_file, limit)
    name = upload_name(uploaded_file, "sbom.json")
    try:
        parsed = parse_sbom(data, filename=name, validate=validate)
    except SbomError as exc:
        raise _sbom_error(exc) from exc
    sbom = Sbom(
        release=release,
        group_company_id=release.group_company_id,
        original_name=name,
        format=parsed.format,
        spec_version=parsed.spec_version[:10],
        sha256=hashlib.sha256(data).hexdigest(),
        component_count=len(parsed.components),
        document_name=(parsed.document_name or "")[:300],
        file_hashes=dict(parsed.file_hashes),
    )
    sbom.file.save(name, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            sbom.save()
            _store_components(sbom=sbom, parsed=parsed)
            release.current_sbom = sbom
            release.save(update_fields=["current_sbom", "updated_at"])
            _compare_files_with_sbom(release=release, sbom=sbom)
            _after_commit_recompute([release.pk])
    except BaseException:
        # The rows were rolled back; the stored document must not stay behind.
        sbom.file.delete(save=False)
        raise
    return sbom


def _store_components(*, sbom: Sbom, parsed: ParsedSbom) -> None:
    rows = [
        Component(
            sbom_id=sbom.pk,
            ref=c.ref[:500],
            purl=c.purl[:1000],
            ecosystem=(c.ecosystem or "")[:40],
            name=c.name[:300],
            normalised_name=normalised_name(c.ecosystem, c.name),
            version=c.version[:200],
            licences=c.licences[:1000],
            hashes=c.hashes,
            supplier=c.supplier[:300],
        )
        for c in parsed.components
    ]
    Component.objects.bulk_create(rows, batch_size=BULK_BATCH)
    by_ref: dict[str, int] = {}
    for row, parsed_component in zip(rows, parsed.components, strict=True):
        if parsed_component.ref:
            by_ref.setdefault(parsed_component.ref, row.pk)
    edges = {
        (by_ref[parent], by_ref[child])
        for parent, child in parsed.dependencies
        if parent in by_ref and child in by_ref and parent != child
    }
    _insert_dependencies(sbom.pk, sorted(edges))


def _insert_dependencies(sbom_id: int, edges: list[tuple[int, int]]) -> None:
    """Plain INSERTs: an SBOM has two or three edges per component, and building a model object
    per edge cost more than the whole parse."""
    if not edges:
        return
    table = ComponentDependency._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f"{name}_id") for name in ("sbom", "parent", "child"))
    sql = f"INSERT INTO {quote(table)} ({columns}) VALUES (%s, %s, %s)"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        for start in range(0, len(edges), BULK_BATCH * 10):
            cursor.executemany(sql, [(sbom_id, p, c) for p, c in edges[start : start + BULK_BATCH * 10]])


def _declared_by_sbom(sbom: Sbom | None, file_name: str) -> str:
    """The SHA-256 the SBOM declares for a file, matched by exact name or by base name."""
    if sbom is None or not sbom.file_hashes:
        return ""
    hashes: dict[str, str] = sbom.file_hashes
    if file_name in hashes:
        return hashes[file_name].lower()
    for declared_name, value in hashes.items():
        if PurePath(declared_name.replace("\\", "/")).name == file_name:
            return value.lower()
    return ""


def _integrity(computed: str, declared: str) -> str:
    if not declared:
        return IntegrityState.UNDECLARED
    return IntegrityState.MATCH if computed == declared else IntegrityState.MISMATCH


def _compare_files_with_sbom(*, release: Release, sbom: Sbom) -> None:
    # A hash the supplier declared for a file outranks the SBOM's; the SBOM's is re-read from the
    # current document, so a newer SBOM can correct (or break) an earlier match.
    for delivered in DeliveredFile.objects.filter(release=release).exclude(declared_by="supplier"):
        declared = _declared_by_sbom(sbom, delivered.name)
        state = _integrity(delivered.sha256, declared)
        if (delivered.declared_sha256, delivered.integrity) != (declared, state):
            delivered.declared_sha256 = declared
            delivered.declared_by = "sbom" if declared else ""
            delivered.integrity = state
            delivered.save(update_fields=["declared_sha256", "declared_by", "integrity", "updated_at"])


def normalise_sha256(value: str) -> str:
    """A declared SHA-256 as 64 lower-case hex digits ("sha256:" prefix and spaces removed)."""
    text = re.sub(r"\s+", "", value or "").lower().removeprefix("sha256:")
    if text and not _SHA256.fullmatch(text):
        raise RenkeiError(_("A SHA-256 hash is 64 hexadecimal characters."), field_name="declared_sha256")
    return text


def delivered_file_add(
    *, user: Any, release: Release, uploaded_file: Any, declared_sha256: str = ""
) -> DeliveredFile:
    """Store a delivered file of a release, hashing it while it streams; its integrity is the
    comparison with the hash the supplier declared, else the one in the current SBOM."""
    check_write(user=user, action=ACTION, company_id=release.group_company_id)
    declared = normalise_sha256(declared_sha256)
    limit = max_delivered_file_bytes()
    check_size(getattr(uploaded_file, "size", None), limit)
    computed, total = sha256_limited(uploaded_file, limit)
    name = upload_name(uploaded_file, "file")
    declared_by = "supplier" if declared else ""
    if not declared:
        declared = _declared_by_sbom(release.current_sbom, name)
        declared_by = "sbom" if declared else ""
    delivered = DeliveredFile(
        release=release,
        group_company_id=release.group_company_id,
        name=name,
        size=total,
        sha256=computed,
        declared_sha256=declared,
        declared_by=declared_by,
        integrity=_integrity(computed, declared),
    )
    delivered.file.save(name, uploaded_file, save=False)
    try:
        record_save(user=user, instance=delivered, action=ACTION)
    except BaseException:
        delivered.file.delete(save=False)
        raise
    return delivered
