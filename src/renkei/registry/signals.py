"""What the registry tells the apps above it, so that it never imports them.

`graph_changed` is sent once per transaction, after it commits, when the supply-chain graph may
have changed (an organisation created, deleted or changing kind; a relationship saved or
deleted). chain listens to it and recomputes the tiers in the worker (`chain/apps.py`). An import
or the demo load saves many relationships in one transaction: they share one signal.
"""

from __future__ import annotations

from django.dispatch import Signal

from renkei.core.transactions import on_commit_once

# Receivers get `sender=Relationship`; they run after the commit, outside the writing transaction.
graph_changed = Signal()


def _send_graph_changed() -> None:
    from renkei.registry.models import Relationship

    graph_changed.send(sender=Relationship)


def graph_changed_on_commit() -> None:
    """Send `graph_changed` when the current transaction commits, once however often it is called."""
    on_commit_once(_send_graph_changed)
