"""Writes derived from the chain engine."""

from __future__ import annotations

from django.db import transaction

from renkei.chain import engine
from renkei.chain.selectors import graph_data
from renkei.registry.models import Organisation


def tiers_recompute() -> int:
    """Store every organisation's tier (distance from the own company); returns how many changed."""
    data = graph_data()
    if data.root_id is None or len(data.node_ids) == 0:
        return Organisation.objects.exclude(tier=None).update(tier=None)
    graph = engine.build_graph(data.node_ids, data.sources, data.targets)
    tiers = engine.compute_tiers(graph, data.root_id)
    changed = []
    for pk, current in Organisation.objects.values_list("pk", "tier").iterator():
        new = tiers.get(pk)
        if new != current:
            changed.append(Organisation(pk=pk, tier=new))
    with transaction.atomic():
        Organisation.objects.bulk_update(changed, ["tier"], batch_size=1000)
    return len(changed)
