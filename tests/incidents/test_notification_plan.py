"""The notification plan: the pure builder, and the plan generated on the demo's multi-tier chain."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from renkei.demo import data as demo
from renkei.demo.loader import load_demo_data
from renkei.incidents.response import deadlines as d
from renkei.incidents.response import notification_plan as plan
from renkei.incidents.response import notification_services, selectors, setup_services
from renkei.incidents.response.models import NotificationEntry, NotificationStatus
from renkei.registry.models import Organisation, OrganisationKind
from tests.incidents.incident_helpers import open_incident

JST = ZoneInfo("Asia/Tokyo")
LEARNED = dt.datetime(2024, 4, 10, 9, 0, tzinfo=JST)


def plan_input(**kw: object) -> plan.PlanInput:
    assessment = kw.pop("assessment", d.appi_assessment(sensitive=False, financial_risk=False,
                                                          wrongful_purpose=True, persons=5000))
    values: dict[str, object] = {
        "learned_at": LEARNED,
        "assessment": assessment,
        "deadlines": d.appi_deadlines(learned_at=LEARNED, wrongful_purpose=True),
    }
    values.update(kw)
    return plan.PlanInput(**values)  # type: ignore[arg-type]


A, B, C = plan.Party(1, "一次委託先"), plan.Party(2, "二次委託先"), plan.Party(3, "三次委託先")


def keys(entries: list[plan.PlanEntry]) -> list[str]:
    return [e.key for e in entries]


def test_chain_from_us_down_to_the_breached_party() -> None:
    chain = plan.chains_from_blast_radius(
        breached=C, notice_chain=[plan.Party(99, "当社"), A, B, C], upstream=[plan.Party(99, "当社"), A, B], ours={99}
    )
    assert chain.path == (A, B, C) and chain.others == ()
    entries = plan.build_plan(plan_input(chains=(chain,)))
    chain_entries = [e for e in entries if e.category == plan.CHAIN]
    assert [e.recipient for e in chain_entries] == ["一次委託先", "二次委託先", "三次委託先"]
    assert all(e.deadline == LEARNED + dt.timedelta(hours=plan.CHAIN_HOURS) for e in chain_entries)
    assert "三次委託先" in chain_entries[0].reason


def test_other_upstream_parties_are_listed_once() -> None:
    other = plan.Party(4, "別経路の委託先")
    chain = plan.chains_from_blast_radius(breached=C, notice_chain=[A, B, C], upstream=[A, B, other], ours=set())
    entries = plan.build_plan(plan_input(chains=(chain, chain)))
    assert keys([e for e in entries if e.category == plan.CHAIN]) == ["chain:1", "chain:2", "chain:3", "chain:4"]


def test_ppc_entries_only_when_a_report_is_required_and_we_report() -> None:
    entries = plan.build_plan(plan_input())
    ppc = [e for e in entries if e.key.startswith("ppc:")]
    dl = d.appi_deadlines(learned_at=LEARNED, wrongful_purpose=True)
    assert [(e.key, e.deadline) for e in ppc] == [("ppc:preliminary", dl.prelim_until), ("ppc:final", dl.final_due)]
    assert "60" in ppc[1].reason
    assert "individuals" in keys(entries)

    no_report = d.appi_assessment(sensitive=False, financial_risk=False, wrongful_purpose=False, persons=10)
    entries = plan.build_plan(plan_input(assessment=no_report))
    assert not [e for e in entries if e.key.startswith("ppc:") or e.key == "individuals"]


def test_contractor_notifies_the_principal_instead_of_the_ppc() -> None:
    assessment = d.appi_assessment(sensitive=True, financial_risk=False, wrongful_purpose=False, persons=3,
                                   our_role="contractor")
    principal = plan.Party(50, "委託元株式会社")
    entries = plan.build_plan(plan_input(assessment=assessment, principal=principal))
    assert "principal" in keys(entries)
    entry = next(e for e in entries if e.key == "principal")
    assert entry.recipient == "委託元株式会社" and entry.organisation_id == 50
    assert entry.deadline == LEARNED + dt.timedelta(hours=plan.PRINCIPAL_HOURS)
    assert not [e for e in entries if e.key.startswith("ppc:") or e.key == "individuals"]


def test_internal_roles_first_with_escalation_order() -> None:
    roles = (
        plan.Role(1, "escalation", "部長", escalation_level=2),
        plan.Role(2, "csirt", "CSIRT 山田"),
        plan.Role(3, "escalation", "課長", escalation_level=1),
        plan.Role(4, "ciso", "CISO"),
        plan.Role(5, "lawyer", "弁護士"),
    )
    entries = plan.build_plan(plan_input(roles=roles))
    internal = [e for e in entries if e.category in (plan.CSIRT, plan.INTERNAL)]
    assert [e.recipient for e in internal] == ["CSIRT 山田", "課長", "部長", "CISO"]
    assert internal[0].deadline == LEARNED + dt.timedelta(hours=1)
    assert entries[: len(internal)] == internal
    assert "role:5" not in keys(entries)  # helpers are not notified, they are engaged


def test_placeholders_when_no_internal_roles_are_registered() -> None:
    entries = plan.build_plan(plan_input())
    assert keys(entries)[:1] == ["csirt"]
    assert "escalation" in keys(entries)


def test_public_bodies_as_configured() -> None:
    roles = (plan.Role(7, "ipa", "IPA"), plan.Role(8, "police", "警察"), plan.Role(9, "jpcert", "JPCERT/CC"),
             plan.Role(10, "ppc", "個人情報保護委員会"))
    entries = plan.build_plan(plan_input(roles=roles, advisory_kinds=frozenset({"police"})))
    public = [e for e in entries if e.category == plan.PUBLIC_BODY]
    assert [e.key for e in public] == ["ppc:preliminary", "ppc:final", "role:8"]
    assert public[0].role_id == 10


def test_group_companies_with_reasons() -> None:
    companies = (
        plan.AffectedCompany(plan.Party(20, "子会社A"), owns_exposed_data=True),
        plan.AffectedCompany(plan.Party(21, "子会社B"), uses_breached_party=True),
    )
    entries = [e for e in plan.build_plan(plan_input(group_companies=companies)) if e.category == plan.GROUP_COMPANY]
    assert [e.organisation_id for e in entries] == [20, 21]
    assert entries[0].reason != entries[1].reason


def test_orders_are_increasing() -> None:
    entries = plan.build_plan(plan_input(chains=(plan.NoticeChain(breached=A, path=(A,)),)))
    orders = [e.order for e in entries]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


# --- on the demo's multi-tier chain --------------------------------------------------------------


@pytest.fixture
def demo_group(db):  # type: ignore[no-untyped-def]
    load_demo_data()
    setup_services.response_roles_seed_defaults(user=None)
    return Organisation.objects.get(kind=OrganisationKind.OWN)


def test_breach_at_a_third_tier_subcontractor_lists_every_party_up_to_us(demo_group) -> None:  # type: ignore[no-untyped-def]
    breached = Organisation.objects.get(name=demo.SUB_SUBCONTRACTOR_NAME)
    incident = open_incident(demo_group, parties=[breached], appi_wrongful_purpose=True)
    entries = list(incident.notifications.order_by("order"))
    chain = [e.recipient for e in entries if e.category == "chain"]
    assert chain == [demo.CLOUD_CONTRACTOR_NAME, demo.SUBCONTRACTOR_NAME, demo.SUB_SUBCONTRACTOR_NAME]
    # Each chain entry names the organisation, so the page links to its contacts.
    assert all(e.organisation_id for e in entries if e.category == "chain")
    # 1.2 million customers' data, unauthorised access: the PPC and the persons are on the plan.
    assert {"ppc:preliminary", "ppc:final", "individuals"} <= {e.generated_key for e in entries}
    # The customer data the breached party holds is proposed (ticked); once confirmed, the persons count
    # is proposed from it (persons, not records), not set for the user.
    from renkei.incidents.response import asset_proposals

    (proposed,) = asset_proposals.asset_proposals(incident)
    assert (proposed.name, proposed.selected) == (demo.CUSTOMER_ASSET_NAME, True)
    asset_proposals.incident_assets_confirm(user=None, incident=incident, asset_ids=[proposed.asset_id])
    incident.refresh_from_db()
    assert incident.persons_estimate is None
    proposal = selectors.persons_proposal(incident)
    assert proposal.at_least and proposal.at_least > 1000 and proposal.over_threshold
    assert incident.assets.filter(asset__name=demo.CUSTOMER_ASSET_NAME).exists()


def test_affected_group_companies_are_listed(demo_group) -> None:  # type: ignore[no-untyped-def]
    # Opened by the logistics company: the own company owns the exposed customer data.
    logistics = Organisation.objects.get(name=demo.LOGISTICS_COMPANY_NAME)
    breached = Organisation.objects.get(name=demo.SUB_SUBCONTRACTOR_NAME)
    incident = open_incident(logistics, parties=[breached])
    groups = incident.notifications.filter(category="group_company")
    assert list(groups.values_list("recipient", flat=True)) == [demo.OWN_COMPANY_NAME]
    chain = list(incident.notifications.filter(category="chain").values_list("recipient", flat=True))
    assert chain == [demo.CLOUD_CONTRACTOR_NAME, demo.SUBCONTRACTOR_NAME, demo.SUB_SUBCONTRACTOR_NAME]


def test_group_companies_using_the_same_party_are_listed(demo_group) -> None:  # type: ignore[no-untyped-def]
    # Every group company uses the mail cloud directly.
    cloud = Organisation.objects.get(name="Stratus Peak Cloud, Inc.")
    incident = open_incident(demo_group, parties=[cloud])
    groups = set(incident.notifications.filter(category="group_company").values_list("recipient", flat=True))
    assert groups == set(demo.GROUP_COMPANY_NAMES)


def test_contractor_case_on_the_demo(demo_group) -> None:  # type: ignore[no-untyped-def]
    principal = Organisation.objects.get(name=demo.CLOUD_CONTRACTOR_NAME)
    incident = open_incident(demo_group, our_role="contractor", principal=principal, appi_sensitive=True)
    keys_ = set(incident.notifications.values_list("generated_key", flat=True))
    assert "principal" in keys_ and not keys_ & {"ppc:preliminary", "ppc:final", "individuals"}


def test_regenerating_keeps_edited_entries(demo_group) -> None:  # type: ignore[no-untyped-def]
    breached = Organisation.objects.get(name=demo.SUB_SUBCONTRACTOR_NAME)
    incident = open_incident(demo_group, parties=[breached])
    first = incident.notifications.get(category="chain", organisation__name=demo.CLOUD_CONTRACTOR_NAME)
    first.status, first.what_sent = NotificationStatus.SENT, "電話で第一報"
    notification_services.notification_save(user=None, entry=first)
    added = notification_services.notification_save(
        user=None, entry=NotificationEntry(incident=incident, category="internal", recipient="社長")
    )
    removed = incident.notifications.get(category="chain", organisation__name=demo.SUBCONTRACTOR_NAME)
    notification_services.notification_delete(user=None, entry=removed)
    count_before = incident.notifications.count()

    notification_services.notification_plan_generate(user=None, incident=incident)

    first.refresh_from_db()
    assert (first.status, first.what_sent) == (NotificationStatus.SENT, "電話で第一報")
    assert NotificationEntry.objects.filter(pk=added.pk).exists()
    # The removed generated entry comes back; nothing is duplicated.
    assert incident.notifications.count() == count_before + 1
    keys_ = [k for k in incident.notifications.values_list("generated_key", flat=True) if k]
    assert len(keys_) == len(set(keys_))
