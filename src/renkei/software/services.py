"""Writes of the software supply chain. Views, API, commands and tasks all come through here.

The heavy work lives beside this module: `vulndb.py` (OSV import into the database) and
`findings.py` (matching the current SBOMs against it); the functions here are their entry points.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import check_size, read_limited, upload_limit
from renkei.core.permissions import Action, get_visible_or_404, require, visible
from renkei.core.services import check_write, record_delete, record_save
from renkei.core.tenancy import default_group_company_id, is_unrestricted
from renkei.registry.models import Contact, ContactRole, Organisation
from renkei.software import notifications, signals
from renkei.software.models import (
    Component,
    ComponentDependency,
    DeliveredFile,
    Finding,
    IntegrityState,
    LicencePolicy,
    OsvImport,
    Product,
    Release,
    Sbom,
    VexJustification,
    VexState,
)
from renkei.software.permissions import CHANGE_SOFTWARE
from renkei.software.sbom import ParsedSbom, SbomError, parse_sbom

ACTION = CHANGE_SOFTWARE
_SHA256 = re.compile(r"[0-9a-f]{64}")
OSV_SUFFIXES = (".zip", ".json", ".yaml", ".yml")
# Rows per INSERT: large SBOMs insert in a handful of statements without hitting SQLite's limits.
BULK_BATCH = 1000


def max_sbom_bytes() -> int:
    """The largest SBOM document accepted (`RENKEI_MAX_SBOM_BYTES`)."""
    return int(getattr(settings, "RENKEI_MAX_SBOM_BYTES", 50 * 2**20))


def max_delivered_file_bytes() -> int:
    """The largest delivered file accepted (the general upload limit, `RENKEI_MAX_UPLOAD_BYTES`)."""
    return upload_limit()


def max_osv_bytes() -> int:
    """The largest uploaded OSV archive accepted (`RENKEI_MAX_OSV_BYTES`, default 500 MB)."""
    return int(getattr(settings, "RENKEI_MAX_OSV_BYTES", 500 * 2**20))


def _upload_name(uploaded_file: Any, default: str) -> str:
    return PurePath(str(getattr(uploaded_file, "name", "") or default)).name[:255] or default


def _after_commit_recompute(release_ids: list[int] | None) -> None:
    # The receiver in tasks.py queues one recomputation when the transaction commits.
    signals.findings_stale.send(sender=Release, release_ids=release_ids)


# --- products and releases -----------------------------------------------------------------------


def product_save(*, user: Any, product: Product) -> Product:
    """Create or update a product. It belongs to the user's group company unless one is given;
    the supplier must be an organisation the user may see. Moving a product to another group
    company moves its releases, SBOMs, files and findings with it."""
    product.name = (product.name or "").strip()
    if product.group_company_id is None:
        product.group_company_id = default_group_company_id(user)
        if product.group_company_id is None:
            raise RenkeiError(_("Register the own company first."), field_name="group_company")
    if (
        product.supplier_id is not None
        and user is not None
        and not visible(Organisation.objects.filter(pk=product.supplier_id), user).exists()
    ):
        raise RenkeiError(_("Not found."), field_name="supplier")
    previous = (
        Product.objects.filter(pk=product.pk).values_list("group_company_id", flat=True).first() if product.pk else None
    )
    with transaction.atomic():
        record_save(user=user, instance=product, action=ACTION)
        if previous is not None and previous != product.group_company_id:
            company = product.group_company_id
            releases = Release.objects.filter(product=product)
            releases.update(group_company_id=company)
            Sbom.objects.filter(release__in=releases).update(group_company_id=company)
            DeliveredFile.objects.filter(release__in=releases).update(group_company_id=company)
            Finding.objects.filter(release__in=releases).update(group_company_id=company)
    return product


def product_delete(*, user: Any, product: Product) -> None:
    """Delete a product with its releases, SBOMs, files and findings."""
    record_delete(user=user, instance=product, action=ACTION)


def release_save(*, user: Any, release: Release) -> Release:
    """Create or update a release; it belongs to its product's group company."""
    release.version = (release.version or "").strip()
    if release.product_id is None:
        raise RenkeiError(_("This field is required."), field_name="product")
    if user is not None:
        product = get_visible_or_404(Product.objects.all(), user, pk=release.product_id)
    else:
        product = Product.objects.get(pk=release.product_id)
    if release.pk is not None:
        previous = Release.objects.filter(pk=release.pk).values_list("product_id", flat=True).first()
        if previous is not None and previous != release.product_id:
            # Its SBOMs, files and findings belong to the product it was delivered as.
            raise RenkeiError(_("A release cannot move to another product."), field_name="product")
    release.group_company_id = product.group_company_id
    return record_save(user=user, instance=release, action=ACTION)


def release_delete(*, user: Any, release: Release) -> None:
    """Delete a release with its SBOMs, files and findings."""
    record_delete(user=user, instance=release, action=ACTION)


# --- SBOMs and delivered files -------------------------------------------------------------------


def normalised_name(ecosystem: str | None, name: str) -> str:
    """The name as matching and the portfolio search compare it."""
    from renkei.software.versions import normalise_package_name

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


def sbom_upload(*, user: Any, release: Release, uploaded_file: Any) -> Sbom:
    """Store an SBOM document of a release with its components and dependencies; it becomes the
    release's current SBOM. Delivered files without a supplier-declared hash are compared with the
    hashes the document declares, and the release's findings are recomputed in the worker.

    The upload is refused by size before it is read (`RENKEI_MAX_SBOM_BYTES`); an invalid document
    is refused whole with the field or line at fault, and nothing is saved.
    """
    check_write(user=user, action=ACTION, company_id=release.group_company_id)
    limit = max_sbom_bytes()
    data = read_limited(uploaded_file, limit)
    name = _upload_name(uploaded_file, "sbom.json")
    try:
        parsed = parse_sbom(data, filename=name)
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
    digest = hashlib.sha256()
    total = 0
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    chunks = uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else iter(lambda: uploaded_file.read(2**20), b"")
    for chunk in chunks:
        total += len(chunk)
        check_size(total, limit)
        digest.update(chunk)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    computed = digest.hexdigest()
    name = _upload_name(uploaded_file, "file")
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


# --- findings ------------------------------------------------------------------------------------


def finding_triage(*, user: Any, finding: Finding, state: str, justification: str = "", comment: str = "") -> Finding:
    """Record the VEX analysis of a finding. `not_affected` needs a justification; the other states
    carry none."""
    check_write(user=user, action=ACTION, company_id=finding.group_company_id)
    if state not in VexState.values:
        raise RenkeiError(_("Unknown state: {state}").format(state=state), field_name="state")
    justification = justification or ""
    if state == VexState.NOT_AFFECTED:
        if not justification:
            raise RenkeiError(
                _("Say why it is not affected (a justification is required)."), field_name="justification"
            )
        if justification not in VexJustification.values:
            raise RenkeiError(
                _("Unknown justification: {value}").format(value=justification), field_name="justification"
            )
    else:
        justification = ""
    finding.state = state
    finding.justification = justification
    finding.comment = (comment or "").strip()
    with transaction.atomic():
        finding.save(update_fields=["state", "justification", "comment", "updated_at"])
    return finding


def supplier_security_emails(*, user: Any, supplier: Organisation) -> list[str]:
    """The e-mail addresses of the supplier's security and incident contacts the user may see."""
    contacts = Contact.objects.filter(
        organisation=supplier, role__in=[ContactRole.SECURITY, ContactRole.INCIDENT]
    ).exclude(email="")
    if user is not None:
        contacts = visible(contacts, user)
    return list(dict.fromkeys(contacts.order_by("role", "name").values_list("email", flat=True)))


def finding_request_response(*, user: Any, finding: Finding) -> Finding:
    """E-mail the finding (Japanese and English) to the supplier's security and incident contacts
    and record when we asked."""
    check_write(user=user, action=ACTION, company_id=finding.group_company_id)
    finding = Finding.objects.select_related(
        "release__product__supplier", "component", "vulnerability"
    ).get(pk=finding.pk)
    supplier = finding.release.product.supplier
    recipients = supplier_security_emails(user=user, supplier=supplier)
    if not recipients:
        raise RenkeiError(
            _("{supplier} has no security or incident contact with an e-mail address.").format(supplier=supplier.name),
            field_name="contacts",
            status=409,
        )
    notifications.send_response_request(finding=finding, recipients=recipients, requested_by=user)
    finding.response_requested_at = timezone.now()
    with transaction.atomic():
        finding.save(update_fields=["response_requested_at", "updated_at"])
    return finding


def findings_recompute(*, release_ids: list[int] | None = None) -> dict[str, int]:
    """Match the current SBOM of each release (all when `release_ids` is None) against the
    vulnerability database: new matches become findings, vanished ones are marked no longer
    matched, triage is kept, and each product's responsible analyst is e-mailed about new
    critical and high findings. Idempotent. Returns counts."""
    from renkei.software.findings import recompute

    return recompute(release_ids=release_ids)


# --- licence policy ------------------------------------------------------------------------------


def _identifier_lines(text: str) -> str:
    lines = [line.strip() for line in re.split(r"[\r\n,]+", text or "") if line.strip()]
    return "\n".join(dict.fromkeys(lines))


def licence_policy_save(*, user: Any, policy: LicencePolicy) -> LicencePolicy:
    """Save a group company's allow/deny lists (SPDX identifiers, one per line, de-duplicated).
    An identifier may not be both allowed and denied."""
    if policy.group_company_id is None:
        policy.group_company_id = default_group_company_id(user)
    policy.allowed = _identifier_lines(policy.allowed)
    policy.denied = _identifier_lines(policy.denied)
    both = sorted({a.lower() for a in policy.allowed.splitlines()} & {d.lower() for d in policy.denied.splitlines()})
    if both:
        raise RenkeiError(
            _("Both allowed and denied: {names}").format(names=", ".join(both)), field_name="denied"
        )
    return record_save(user=user, instance=policy, action=ACTION)


# --- vulnerability database ----------------------------------------------------------------------


def _check_may_import(*, user: Any, paths: list[str] | None) -> None:
    if user is None:
        return
    if paths:
        # Reading files on the server is an administrator's business.
        require(user, Action.ADMINISTER)
        return
    require(user, ACTION)
    # The database is shared by the whole group: a user limited to some companies may not change it.
    if not is_unrestricted(user):
        raise RenkeiError(_("Only users of the whole group may update the vulnerability database."), status=403)


def osv_import_start(
    *, user: Any, paths: list[str] | None = None, uploaded_file: Any = None, enqueue: bool = True
) -> OsvImport:
    """Queue an import of OSV records from server paths (directories, all.zip files, JSON/YAML
    files) or from an uploaded .zip/.json/.yaml, which is kept under osv-imports/ for the worker.
    `enqueue=False` only records the run (the command then runs it in-process)."""
    _check_may_import(user=user, paths=paths)
    if bool(paths) == (uploaded_file is not None):
        raise RenkeiError(_("Choose a file to upload or give a path on the server."), field_name="uploaded_file")
    run = OsvImport(started_by=user if getattr(user, "pk", None) else None)
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
        name = _upload_name(uploaded_file, "osv.zip")
        if not name.lower().endswith(OSV_SUFFIXES):
            raise RenkeiError(
                _("Upload an OSV .zip archive or a .json/.yaml file."), field_name="uploaded_file"
            )
        limit = max_osv_bytes()
        check_size(getattr(uploaded_file, "size", None), limit)
        run.source = name
        run.file.save(name, uploaded_file, save=False)
    try:
        with transaction.atomic():
            run.save()
            if enqueue:
                transaction.on_commit(lambda: _enqueue_import(run.pk))
    except BaseException:
        if run.file:
            run.file.delete(save=False)
        raise
    return run


def _enqueue_import(import_id: int) -> None:
    signals.osv_import_queued.send(sender=OsvImport, import_id=import_id)


def osv_import_run(*, import_id: int, progress: Any = None, recompute: bool = True) -> OsvImport:
    """Run a queued import (the worker task's body; the command calls it in-process). Every record
    is read and checked first — one invalid record fails the import and nothing is saved — then
    saved in batches, skipping records whose `modified` is not newer than the stored one; records
    naming the same vulnerability by ID or alias collapse into one. `progress(run)` is called after
    each batch. Findings of every release are recomputed afterwards in the worker (unless
    `recompute=False`). A run that is not queued any more is returned as it is."""
    from renkei.software.vulndb import run_import

    return run_import(import_id=import_id, progress=progress, recompute=recompute)
