"""Supply-chain graph engine: pure functions, no database."""

from __future__ import annotations

import dataclasses

import numpy as np
import orjson
import pytest

from renkei.chain.engine import (
    AccessRow,
    AssetInfo,
    HoldingsTable,
    UnknownOrganisationError,
    blast_radius,
    build_graph,
    compute_tiers,
    tiers_array,
)

# own company 1, group company 2; cloud contractor 10 → sub 20 → subsub 30; 40 unrelated.
OWN, GROUP, CLOUD, SUB, SUBSUB, LONER = 1, 2, 10, 20, 30, 40
NODES = [OWN, GROUP, CLOUD, SUB, SUBSUB, LONER]
EDGES = [(OWN, GROUP), (OWN, CLOUD), (GROUP, CLOUD), (CLOUD, SUB), (SUB, SUBSUB)]
CUSTOMERS, STAFF = 100, 200


def graph(nodes=NODES, edges=EDGES):
    src, dst = zip(*edges, strict=True) if edges else ((), ())
    return build_graph(nodes, list(src), list(dst))


def radius(g, party, holdings=(), assets=None, groups=(OWN, GROUP), access=()):
    return blast_radius(
        g,
        party_id=party,
        root_id=OWN,
        holdings=HoldingsTable.from_rows(holdings),
        assets=assets or {},
        group_company_ids=groups,
        access=access,
    )


def test_tiers_on_small_chain_and_unreachable():
    tiers = compute_tiers(graph(), OWN)
    assert tiers == {OWN: 0, GROUP: 1, CLOUD: 1, SUB: 2, SUBSUB: 3, LONER: None}
    arr = tiers_array(graph(), OWN)
    assert arr.tolist() == [0, 1, 1, 2, 3, -1]  # aligned with sorted ids


def test_cycle_terminates_and_tiers_are_shortest():
    # own → A → B → C → A, plus C → own: a cycle through the root as well
    g = graph([1, 2, 3, 4], [(1, 2), (2, 3), (3, 4), (4, 2), (4, 1)])
    assert compute_tiers(g, 1) == {1: 0, 2: 1, 3: 2, 4: 3}
    br = radius(g, 3, groups=())
    assert br.downstream == [1, 2, 4]  # everything except the party itself, despite the cycle
    assert br.notice_chain == [1, 2, 3]
    assert br.upstream == [1, 2, 4]  # 4 → 1 → 2 → 3 is a path through 4 as well


def test_self_loops_duplicates_and_unknown_ends_are_ignored():
    g = build_graph([1, 2, 3], [1, 1, 2, 2, 1, 9], [1, 2, 2, 3, 2, 3])
    assert g.n_edges == 2
    assert compute_tiers(g, 1) == {1: 0, 2: 1, 3: 2}


def test_sparse_ids_use_binary_search():
    g = build_graph([5, 10**12, 7], [5, 10**12], [10**12, 7])
    assert compute_tiers(g, 5) == {5: 0, 7: 2, 10**12: 1}


def test_third_tier_subcontractor_notice_chain_and_exposure():
    holdings = [
        (1, CUSTOMERS, CLOUD, OWN, 5000),
        (2, CUSTOMERS, SUB, CLOUD, 3000),
        (3, CUSTOMERS, SUBSUB, SUB, 2000),
    ]
    assets = {CUSTOMERS: AssetInfo(owner_org_id=OWN, total_records=5000)}
    br = radius(graph(), SUBSUB, holdings, assets)
    assert br.notice_chain == [OWN, CLOUD, SUB, SUBSUB]
    assert br.party_tier == 3
    assert br.upstream == [OWN, GROUP, CLOUD, SUB]  # GROUP → CLOUD is a second path
    assert br.downstream == []
    assert [(a.asset_id, a.exposed_records, a.holders) for a in br.assets] == [(CUSTOMERS, 2000, [SUBSUB])]
    assert br.exposed_holding_ids == [3]
    assert br.affected_group_companies == [OWN, GROUP]


def test_no_double_counting_when_records_flow_down():
    holdings = [(1, CUSTOMERS, CLOUD, OWN, 1000), (2, CUSTOMERS, SUB, CLOUD, 1000)]
    br = radius(graph(), CLOUD, holdings, {CUSTOMERS: (OWN, None)})
    assert br.downstream == [SUB, SUBSUB]
    (a,) = br.assets
    assert a.exposed_records == 1000
    assert a.holders == [CLOUD, SUB]
    assert br.exposed_holding_ids == [1, 2]
    assert br.exposed_records == 1000


def test_independent_holdings_of_the_party_add_up_capped_at_total():
    """Issue 11 §2 changed this test: SUB's copy received directly from us and SUBSUB's copy of
    unknown provenance no longer count in CLOUD's radius (they did not come through CLOUD)."""
    assets = {CUSTOMERS: (OWN, 1500), STAFF: (GROUP, None)}
    holdings = [
        (1, CUSTOMERS, CLOUD, OWN, 1000),
        (2, CUSTOMERS, CLOUD, GROUP, 1000),  # a second, independent copy at the party itself
        (3, STAFF, CLOUD, GROUP, 300),
        (4, STAFF, SUB, CLOUD, 200),  # passed on by the party: a copy, not added
        (5, CUSTOMERS, SUB, OWN, 1000),  # received directly from us: not through CLOUD
        (6, STAFF, SUBSUB, None, 200),  # unknown sender downstream: not shown to come through CLOUD
    ]
    br = radius(graph(), CLOUD, holdings, assets)
    by_asset = {a.asset_id: a for a in br.assets}
    assert by_asset[CUSTOMERS].exposed_records == 1500  # 2000 capped at the asset total
    assert by_asset[CUSTOMERS].holders == [CLOUD]
    assert by_asset[STAFF].exposed_records == 300
    assert by_asset[STAFF].holders == [CLOUD, SUB]
    assert by_asset[STAFF].total_records is None
    assert br.exposed_records == 1800
    assert br.exposed_holding_ids == [1, 2, 3, 4]
    uncapped = radius(graph(), CLOUD, holdings[:2], {CUSTOMERS: (OWN, 5000)})
    assert uncapped.assets[0].exposed_records == 2000


def test_radius_of_a_group_company_excludes_data_its_providers_got_from_the_own_company():
    """Issue 11 §2, the demo's case: the logistics affiliate (GROUP) uses the same cloud provider as
    the own company; the mail the provider received from the own company directly is not in the
    affiliate's radius, the affiliate's own staff data that it passed to the provider is."""
    mail = 300
    holdings = [
        (1, mail, CLOUD, OWN, None),  # cloud provider ← own company directly
        (2, STAFF, CLOUD, GROUP, 2600),  # cloud provider ← the affiliate
        (3, STAFF, SUB, CLOUD, 2600),  # …and on to the provider's subcontractor
        (4, mail, SUB, CLOUD, None),  # the own company's mail, passed on by the provider
    ]
    br = radius(graph(), GROUP, holdings, {mail: (OWN, None), STAFF: (GROUP, 2600)})
    assert br.downstream == [CLOUD, SUB, SUBSUB]
    assert [(a.asset_id, a.exposed_records, a.holders) for a in br.assets] == [(STAFF, 2600, [CLOUD, SUB])]
    assert br.exposed_holding_ids == [2, 3]
    assert br.affected_group_companies == [OWN, GROUP]  # OWN: upstream of the party
    # The own company's radius has its mail but not the affiliate's staff data (the affiliate
    # passed that on itself); the provider's own radius has both.
    assert {a.asset_id for a in radius(graph(), OWN, holdings, {}).assets} == {mail}
    assert {a.asset_id for a in radius(graph(), CLOUD, holdings, {}).assets} == {mail, STAFF}


def test_downstream_copy_from_two_senders_counts_only_the_one_through_the_party():
    g = graph(NODES, EDGES + [(OWN, SUB)])
    holdings = [(1, CUSTOMERS, CLOUD, OWN, 100), (2, CUSTOMERS, SUB, CLOUD, 40), (3, CUSTOMERS, SUB, OWN, 900)]
    br = radius(g, CLOUD, holdings, {CUSTOMERS: (OWN, None)})
    assert br.exposed_holding_ids == [1, 2]
    assert br.assets[0].exposed_records == 100
    # the same with the copy from elsewhere listed first: SUB is still a holder in the radius
    br = radius(g, CLOUD, [holdings[0], holdings[2], holdings[1]], {CUSTOMERS: (OWN, None)})
    assert br.assets[0].holders == [CLOUD, SUB]
    assert radius(g, CLOUD, [holdings[0], holdings[2]], {}).assets[0].holders == [CLOUD]


def test_provenance_must_stay_inside_the_radius():
    # SUB's copy came from LONER, which got it from CLOUD: LONER is not downstream of CLOUD (no
    # relationship), so the copy did not travel along CLOUD's relationships.
    holdings = [(1, CUSTOMERS, CLOUD, OWN, 10), (2, CUSTOMERS, LONER, CLOUD, 10), (3, CUSTOMERS, SUB, LONER, 10)]
    br = radius(graph(), CLOUD, holdings, {})
    assert br.exposed_holding_ids == [1]


def test_unknown_counts_stay_unknown_never_zero():
    assets = {CUSTOMERS: (OWN, None), STAFF: (GROUP, 50)}
    holdings = [
        (1, CUSTOMERS, CLOUD, OWN, None),
        (2, CUSTOMERS, SUB, CLOUD, 100),  # a copy: proves at least 100
        (3, STAFF, CLOUD, GROUP, 30),
        (4, STAFF, SUB, CLOUD, None),  # a copy of a known count: the figure stays known
    ]
    br = radius(graph(), CLOUD, holdings, assets)
    by_asset = {a.asset_id: a for a in br.assets}
    assert (by_asset[CUSTOMERS].exposed_records, by_asset[CUSTOMERS].records_at_least) == (None, 100)
    assert (by_asset[STAFF].exposed_records, by_asset[STAFF].records_at_least) == (30, 30)
    assert (br.exposed_records, br.exposed_records_at_least) == (None, 130)  # unknown + 30: not 30
    data = orjson.loads(orjson.dumps(br.as_dict()))
    assert data["assets"][0]["exposed_records"] is None and data["exposed_records"] is None
    # A cycle of copies with an unknown count: unknown.
    g = graph([1, 2, 3], [(1, 2), (2, 3), (3, 2)])
    cyc = radius(g, 2, [(1, CUSTOMERS, 2, 3, 700), (2, CUSTOMERS, 3, 2, None)], {}, groups=(1,))
    assert (cyc.assets[0].exposed_records, cyc.assets[0].records_at_least) == (None, 700)


def test_holders_are_distinct_and_holding_ids_sorted():
    holdings = [
        (9, STAFF, SUBSUB, SUB, 5),
        (3, CUSTOMERS, SUB, OWN, 10),
        (7, CUSTOMERS, SUB, GROUP, 20),  # same holder, second independent source
        (5, CUSTOMERS, CLOUD, OWN, 1),  # outside the radius of SUB
    ]
    br = radius(graph(), SUB, holdings, {CUSTOMERS: (OWN, None), STAFF: (GROUP, None)})
    assert br.exposed_holding_ids == [3, 7, 9]
    assert [(a.asset_id, a.holders, a.exposed_records) for a in br.assets] == [
        (CUSTOMERS, [SUB], 30),
        (STAFF, [SUBSUB], 5),
    ]
    assert br.as_dict() == dataclasses.asdict(br)


def test_cycle_of_copies_is_not_counted_as_zero():
    g = graph([1, 2, 3], [(1, 2), (2, 3), (3, 2)])
    holdings = [(1, CUSTOMERS, 2, 3, 700), (2, CUSTOMERS, 3, 2, 400)]  # contradictory provenance
    br = radius(g, 2, holdings, {CUSTOMERS: (1, None)}, groups=(1,))
    assert br.assets[0].exposed_records == 700


def test_affected_group_companies():
    # GROUP owns STAFF data held by SUB; OWN is upstream; a group company downstream that holds
    # nothing exposed is not affected.
    g = graph(NODES + [3], EDGES + [(SUB, 3)])
    holdings = [(1, STAFF, SUB, GROUP, 10)]
    br = radius(g, SUB, holdings, {STAFF: (GROUP, 10)}, groups=(OWN, GROUP, 3))
    assert br.affected_group_companies == [OWN, GROUP]
    # a breached group company is itself affected
    assert radius(g, GROUP, groups=(OWN, GROUP)).affected_group_companies == [OWN, GROUP]


def test_party_with_nothing():
    br = radius(graph(), LONER, [(1, CUSTOMERS, CLOUD, OWN, 10)], {CUSTOMERS: (OWN, 10)})
    assert br.downstream == []
    assert br.notice_chain == []
    assert br.upstream == []
    assert br.party_tier is None
    assert br.assets == []
    assert br.exposed_records == 0
    assert br.affected_group_companies == []
    assert br.access == []


def test_root_as_party():
    br = radius(graph(), OWN)
    assert br.notice_chain == [OWN]
    assert br.party_tier == 0
    assert br.upstream == []
    assert br.downstream == [GROUP, CLOUD, SUB, SUBSUB]


def test_access_rows_filtered_to_radius_and_json_ready():
    access = [
        AccessRow(CLOUD, "crm", "admin", 3),
        (SUB, "vpn", "user", 12),
        (OWN, "erp", "admin", 1),
        (LONER, "mail", "user", 2),
    ]
    holdings = [(7, CUSTOMERS, SUB, CLOUD, 5)]
    br = radius(graph(), CLOUD, holdings, {CUSTOMERS: (OWN, 5)}, access=access)
    assert br.access == [
        {"org_id": CLOUD, "system": "crm", "level": "admin", "accounts": 3},
        {"org_id": SUB, "system": "vpn", "level": "user", "accounts": 12},
    ]
    data = orjson.loads(orjson.dumps(br.as_dict()))
    assert data["notice_chain"] == [OWN, CLOUD]
    assert data["assets"][0]["holders"] == [SUB]
    assert data["assets"][0]["exposed_records"] == 5


def test_unknown_party_raises_value_error():
    with pytest.raises(ValueError, match="unknown party id 999"):
        radius(graph(), 999)
    with pytest.raises(UnknownOrganisationError, match="own company"):
        compute_tiers(graph(), 999)


def test_holdings_table_from_numpy_columns():
    cols = [np.array([1, 2]), np.array([CUSTOMERS] * 2), np.array([SUB, SUBSUB]), np.array([CLOUD, SUB])]
    table = HoldingsTable(*cols, records=np.array([40, 40]))
    assert len(table) == 2
    br = blast_radius(graph(), party_id=SUB, root_id=OWN, holdings=table, assets={}, group_company_ids=[])
    assert br.assets[0].exposed_records == 40
    assert br.assets[0].owner_org_id is None
    with pytest.raises(ValueError, match="same length"):
        HoldingsTable(*cols, records=np.array([1]))


def test_empty_holdings_and_graph_without_edges():
    g = graph([1, 2], [])
    assert compute_tiers(g, 1) == {1: 0, 2: None}
    assert len(HoldingsTable.from_rows([])) == 0
