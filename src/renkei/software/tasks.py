"""Worker tasks of the software app: thin entry points that call services."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

from renkei.core.audit import audit_context
from renkei.core.transactions import pending_on_commit
from renkei.software.enrichment import services_nvd_jvn
from renkei.software.findings import services as findings_services
from renkei.software.vulndb import services as vulndb_services


@task()
def recompute_findings(release_ids: list[int] | None = None) -> dict[str, int]:
    """Match the current SBOMs of the releases (all when None) against the vulnerability database."""
    with audit_context(actor=None, via="task: recompute_findings"):
        return findings_services.findings_recompute(release_ids=release_ids)


@task()
def run_osv_import(import_id: int) -> dict[str, int]:
    """Run a queued OSV import; returns its counts."""
    with audit_context(actor=None, via="task: run_osv_import"):
        run = vulndb_services.osv_import_run(import_id=import_id)
    return {"created": run.created_count, "updated": run.updated_count, "skipped": run.skipped_count}


@task()
def run_nvd_jvn_import(import_id: int) -> dict[str, int]:
    """Run a queued NVD or JVN enrichment import; returns its counts."""
    with audit_context(actor=None, via="task: run_nvd_jvn_import"):
        run = services_nvd_jvn.nvd_jvn_import_run(import_id=import_id)
    return {"created": run.created_count, "updated": run.updated_count, "skipped": run.skipped_count}


class _PendingRecompute:
    """The releases one transaction asked to recompute (None: all), enqueued once at commit."""

    def __init__(self) -> None:
        self.release_ids: set[int] | None = set()
        self.sent = False

    def add(self, release_ids: list[int] | None) -> None:
        if release_ids is None or self.release_ids is None:
            self.release_ids = None
        else:
            self.release_ids.update(release_ids)

    def __call__(self) -> None:
        self.sent = True
        ids = None if self.release_ids is None else sorted(self.release_ids)
        recompute_findings.enqueue(ids)


def schedule_findings_recompute(release_ids: list[int] | None) -> None:
    """Queue a findings recomputation for the releases (None: all) when the transaction commits.

    Several uploads or an import inside one transaction share one task, registered once.
    """
    # The first one not sent yet: in an outer transaction that has not committed (a test's), one that
    # already ran at an inner block's end is still registered.
    waiting = pending_on_commit(_PendingRecompute, where=lambda func: not func.sent)
    if waiting is not None:
        waiting.add(release_ids)
        return
    pending = _PendingRecompute()
    pending.add(release_ids)
    transaction.on_commit(pending)


def on_findings_stale(sender: Any, *, release_ids: list[int] | None, **kwargs: Any) -> None:
    """Receiver of `signals.findings_stale` (connected in `apps.py`)."""
    findings_services.findings_mark_requested(release_ids=release_ids)
    schedule_findings_recompute(release_ids)


def on_osv_import_queued(sender: Any, *, import_id: int, **kwargs: Any) -> None:
    """Receiver of `signals.osv_import_queued` (connected in `apps.py`)."""
    run_osv_import.enqueue(import_id)


def on_nvd_jvn_import_queued(sender: Any, *, import_id: int, **kwargs: Any) -> None:
    """Receiver of `signals.nvd_jvn_import_queued` (connected in `apps.py`)."""
    run_nvd_jvn_import.enqueue(import_id)
