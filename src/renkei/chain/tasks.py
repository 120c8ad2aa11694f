"""Worker tasks of the chain app: thin entry points that call services."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from renkei.chain import services
from renkei.core.audit import audit_context


@task()
def recompute_tiers() -> int:
    """Recompute every organisation's tier; returns how many changed."""
    with audit_context(actor=None, via="task: recompute_tiers"):
        return services.tiers_recompute()


def on_graph_changed(sender: Any, **kwargs: Any) -> None:
    """Receiver of `registry.signals.graph_changed` (sent once per transaction, after the commit):
    tiers depend on every relationship, so they are recomputed in the worker."""
    recompute_tiers.enqueue()
