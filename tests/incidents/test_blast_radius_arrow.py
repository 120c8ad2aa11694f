"""The one arrow from incidents into chain: opening an incident (and regenerating its plan) loads the
chain graph once for all involved parties, and the queries do not grow with their number."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renkei.chain import selectors as chain_selectors
from renkei.incidents.response import notification_services, selectors
from tests import factories as f
from tests.incidents.incident_helpers import open_incident


@pytest.fixture
def contractors(own: Any) -> list[Any]:
    """Four contractors of the own company, each holding part of a customer database, one re-delegating."""
    asset = f.InformationAssetFactory(record_count=10_000, person_count=8000, has_personal_info=True)
    parties = [f.OrganisationFactory(name=f"委託先{i}") for i in range(4)]
    for i, party in enumerate(parties):
        f.RelationshipFactory(client=own, provider=party)
        f.DataHoldingFactory(asset=asset, holder=party, received_from=own, record_count=1000 * (i + 1))
    sub = f.OrganisationFactory(name="再委託先")
    f.RelationshipFactory(client=parties[0], provider=sub)
    f.DataHoldingFactory(asset=asset, holder=sub, received_from=parties[0], record_count=500)
    return parties


@pytest.fixture
def graph_loads(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """Counts the loads of the chain graph (`chain.selectors.graph_data`)."""
    calls: list[None] = []
    real = chain_selectors.graph_data

    def counting(**kwargs: Any) -> Any:
        calls.append(None)
        return real(**kwargs)

    monkeypatch.setattr(chain_selectors, "graph_data", counting)
    return calls


def test_opening_an_incident_loads_the_graph_once_for_all_parties(own, contractors, graph_loads) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(own, parties=contractors)
    assert len(graph_loads) == 1
    assert not incident.assets.exists()  # proposed, not added (issue 11 §2)
    chain_entries = incident.notifications.filter(category="chain")
    assert {e.organisation_id for e in chain_entries} >= {p.pk for p in contractors}
    graph_loads.clear()
    notification_services.notification_plan_generate(user=None, incident=incident)
    assert len(graph_loads) == 1


def test_plan_input_queries_do_not_grow_per_party(own, contractors, graph_loads) -> None:  # type: ignore[no-untyped-def]
    one = open_incident(own, parties=contractors[:1])
    four = open_incident(own, parties=contractors)
    counts = []
    for incident in (one, four):
        graph_loads.clear()
        with CaptureQueriesContext(connection) as queries:
            plan = selectors.plan_input(incident)
        counts.append(len(queries))
        assert len(graph_loads) == 1
    assert counts[0] == counts[1]
    assert len(plan.chains) == 4


def test_proposals_of_several_parties_in_one_call(own, contractors, graph_loads) -> None:  # type: ignore[no-untyped-def]
    """Replaces the old exposure test (issue 11 §2): the proposal is what the parties hold, the
    largest among them, with the subcontractor that got a copy through a party named beside it."""
    from renkei.incidents.response import asset_proposals

    one = open_incident(own, parties=contractors[:1])
    four = open_incident(own, parties=contractors)
    counts = []
    for incident in (one, four):
        graph_loads.clear()
        with CaptureQueriesContext(connection) as queries:
            proposals = asset_proposals.asset_proposals(incident)
        counts.append(len(queries))
        assert len(graph_loads) == 1
    assert counts[0] == counts[1]
    (proposal,) = proposals
    assert proposal.records == 4000 and proposal.persons == 3200 and proposal.selected
    assert sorted(proposal.held_by) == sorted(p.name for p in contractors)
    assert proposal.passed_on_to == ["再委託先"]
