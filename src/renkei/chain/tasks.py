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


def _enqueue_recompute() -> None:
    recompute_tiers.enqueue()


def schedule_tiers_recompute() -> None:
    """Queue one tier recomputation when the current transaction commits.

    An import or the demo load saves many relationships in one transaction; one recomputation
    after the commit covers them all, so the hook is registered once per transaction.
    """
    connection = transaction.get_connection()
    if any(func is _enqueue_recompute for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_enqueue_recompute)
