"""The chain map page and its JSON: permissions, shape, and a query count that does not grow."""

from __future__ import annotations

import json
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renkei.chain.selectors import map_payload
from renkei.chain.services import tiers_recompute
from renkei.registry.models import Organisation, OrganisationKind, Relationship, RelationshipType
from tests import factories

pytestmark = pytest.mark.django_db

KINDS = [OrganisationKind.CONTRACTOR, OrganisationKind.VENDOR, OrganisationKind.CLOUD, OrganisationKind.MSP]
NODE_KEYS = {"id", "name", "kind", "kind_label", "criticality", "tier", "status", "url"}


def bulk_graph(own: Organisation, *, parties: int, edges: int, seed: int = 7) -> None:
    """`parties` organisations and `edges` distinct relationships, inserted in bulk, then tiers stored.

    Each relationship runs from an earlier party (or the own company) to a later one, so the tiers
    spread over several columns like a real chain. Also used by the browser test of a large map.
    """
    created = Organisation.objects.bulk_create(
        [
            Organisation(name=f"委託先{i:05d}株式会社", kind=KINDS[i % len(KINDS)], group_company=own)
            for i in range(parties)
        ],
        batch_size=500,
    )
    ids = [own.pk, *(o.pk for o in created)]
    rng = random.Random(seed)
    pairs: set[tuple[int, int]] = set()
    # A chain: every party hangs under an earlier one (a few stay unconnected), then extra links
    # run from earlier to later parties, so tiers spread over several columns like a real group.
    for index in range(1, len(ids)):
        if rng.random() < 0.03:
            continue
        pairs.add((ids[rng.randrange(max(1, index // 3))], ids[index]))
    while len(pairs) < edges:
        client, provider = sorted(rng.sample(range(len(ids)), 2))
        pairs.add((ids[client], ids[provider]))
    Relationship.objects.bulk_create(
        [
            Relationship(client_id=c, provider_id=p, type=RelationshipType.CONTRACTS_WORK, group_company=own)
            for c, p in pairs
        ],
        batch_size=500,
        ignore_conflicts=True,  # a second call may draw a pair the first one already stored
    )
    tiers_recompute()


def _queries(user) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    fresh = type(user).objects.get(pk=user.pk)  # no cached scope on the instance
    with CaptureQueriesContext(connection) as ctx:
        payload = map_payload(user=fresh)
    return len(ctx.captured_queries), payload


def test_map_payload_query_count_does_not_grow_with_the_graph(own, analyst):
    bulk_graph(own, parties=20, edges=40)
    small_count, small = _queries(analyst)
    bulk_graph(own, parties=1980, edges=5960, seed=8)
    large_count, large = _queries(analyst)

    assert len(small["nodes"]) == 21
    assert len(large["nodes"]) == 2001
    assert len(large["edges"]) >= 6000 - 100  # a few random pairs may repeat across the two batches
    assert large_count == small_count
    assert large_count <= 3


def test_map_payload_shape(own, analyst):
    contractor = factories.OrganisationFactory(name="委託先A")
    factories.RelationshipFactory(client=own, provider=contractor, type=RelationshipType.CONTRACTS_WORK)

    payload = map_payload(user=analyst)

    nodes = {n["id"]: n for n in payload["nodes"]}
    assert set(nodes[contractor.pk]) == NODE_KEYS
    assert nodes[contractor.pk]["url"] == contractor.get_absolute_url()
    assert nodes[own.pk]["kind"] == OrganisationKind.OWN
    assert payload["edges"][0]["source"] == own.pk
    assert payload["edges"][0]["target"] == contractor.pk
    assert payload["edges"][0]["type"] == RelationshipType.CONTRACTS_WORK


def test_map_data_needs_login(client, own):
    response = client.get(reverse("chain:map_data"))
    assert response.status_code == 401


def test_map_data_as_viewer(viewer_client, own):
    factories.OrganisationFactory(name="<script>alert(1)</script>")
    response = viewer_client.get(reverse("chain:map_data"))
    assert response.status_code == 200
    names = {n["name"] for n in response.json()["nodes"]}
    assert "<script>alert(1)</script>" in names  # data stays raw; the page draws it as text


def test_map_data_limited_to_the_users_group_company(client, own, subsidiary, limited_analyst):
    ours = factories.OrganisationFactory(name="子会社の委託先", group_company=subsidiary)
    factories.OrganisationFactory(name="本社の委託先")
    client.force_login(limited_analyst)
    names = {n["name"] for n in client.get(reverse("chain:map_data")).json()["nodes"]}
    assert ours.name in names
    assert "本社の委託先" not in names


def test_map_page_requires_login(client, own):
    response = client.get(reverse("chain:map"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_map_page_passes_config_and_labels_as_json(viewer_client, own):
    response = viewer_client.get(reverse("chain:map") + f"?focus={own.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="map-config"' in html and 'id="map-labels"' in html
    assert "vendor/cytoscape.min.js" in html
    config = response.context["map_config"]
    assert config["focus"] == own.pk
    assert config["dataUrl"] == reverse("chain:map_data")
    assert config["blastRadiusUrl"] == reverse("chain:blast_radius", args=[0])
    json.dumps(response.context["map_labels"])  # every label is plain text


@pytest.mark.parametrize("focus", ["abc", "-1", "1 OR 1=1", ""])
def test_map_page_ignores_a_bad_focus(viewer_client, own, focus):
    response = viewer_client.get(reverse("chain:map"), {"focus": focus})
    assert response.status_code == 200
    assert response.context["map_config"]["focus"] is None
