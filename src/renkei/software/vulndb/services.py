"""Writes of the vulnerability database: start and run OSV imports (the import itself lives in
`importing.py`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import check_size
from renkei.core.permissions import Action, require
from renkei.core.tenancy import is_unrestricted
from renkei.software import signals
from renkei.software.models import OsvImport
from renkei.software.services import ACTION, upload_name

OSV_SUFFIXES = (".zip", ".json", ".yaml", ".yml")


def max_osv_bytes() -> int:
    """The largest uploaded OSV archive accepted (`RENKEI_MAX_OSV_BYTES`, default 500 MB)."""
    return int(getattr(settings, "RENKEI_MAX_OSV_BYTES", 500 * 2**20))


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
        name = upload_name(uploaded_file, "osv.zip")
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
    from renkei.software.vulndb.importing import run_import

    run = run_import(import_id=import_id, progress=progress, recompute=recompute)
    if run.status == "done" and (run.created_count or run.updated_count):
        # New or merged vulnerabilities get the loaded KEV and EPSS data too.
        from renkei.software.enrichment.services_kev_epss import enrichment_reapply

        enrichment_reapply()
    return run
