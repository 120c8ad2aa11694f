"""Worker task of the KEV/EPSS import: a thin entry point that calls the service."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from renkei.core.audit import audit_context
from renkei.software.enrichment import services_kev_epss


@task()
def run_enrichment_import(import_id: int) -> dict[str, int]:
    """Run a queued KEV or EPSS import; returns its counts."""
    with audit_context(actor=None, via="task: run_enrichment_import"):
        run = services_kev_epss.enrichment_import_run(import_id=import_id)
    return {"records": run.records, "matched": run.matched}


def on_enrichment_import_queued(sender: Any, *, import_id: int, **kwargs: Any) -> None:
    """Receiver of `services_kev_epss.enrichment_import_queued` (connected in `apps.py`)."""
    run_enrichment_import.enqueue(import_id)
