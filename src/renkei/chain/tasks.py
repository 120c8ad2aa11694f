"""Worker tasks of the chain app: thin entry points that call services."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from renkei.core.audit import audit_context


@task()
def recompute_tiers() -> int:
    """Recompute every organisation's tier; returns how many changed."""
    from renkei.chain.services import tiers_recompute

    with audit_context(actor=None, via="task: recompute_tiers"):
        return tiers_recompute()


def schedule_tiers_recompute() -> None:
    """Queue a tier recomputation once the current transaction commits."""
    transaction.on_commit(lambda: recompute_tiers.enqueue())
