"""The demo data set, loaded once for the module: what the demo (and the browser tests) rely on."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from renkei.accounts.models import User
from renkei.core.permissions import visible
from renkei.demo import data as demo
from renkei.demo.loader import load_demo_data
from renkei.registry.models import (
    OUR_KINDS,
    Certification,
    CertificationScheme,
    CertificationState,
    Contact,
    DataHolding,
    InformationAsset,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Relationship,
    RelationshipType,
    SystemAccess,
)
from renkei.registry.validators import validate_corporate_number
from tests.idor import module_objects

MODELS = (Organisation, Relationship, InformationAsset, DataHolding, SystemAccess, Contact, Certification, User)


# Loaded once for the module (each test runs in a savepoint rolled back after it): about 3 s a load.
_shared_objects, objects = module_objects(load_demo_data)


@pytest.fixture
def loaded(objects):  # type: ignore[no-untyped-def]
    return objects


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def test_loads_the_group(loaded):  # type: ignore[no-untyped-def]
    assert loaded.created
    assert loaded.own_company == demo.OWN_COMPANY_NAME
    own = Organisation.objects.get(kind=OrganisationKind.OWN)
    assert own.name == demo.OWN_COMPANY_NAME
    groups = Organisation.objects.filter(kind=OrganisationKind.GROUP)
    assert set(groups.values_list("name", flat=True)) == set(demo.GROUP_COMPANY_NAMES)
    for group in groups:
        assert group.group_company_id == group.pk
        assert Relationship.objects.filter(client=own, provider=group, type=RelationshipType.PARENT_SUBSIDIARY).exists()
    assert 6 <= InformationAsset.objects.count() <= 10
    assert loaded.counts["organisations"] == Organisation.objects.count()
    assert loaded.counts["holdings"] == DataHolding.objects.count()


def test_second_load_changes_nothing(loaded):  # type: ignore[no-untyped-def]
    before = _counts()
    entries = LogEntry.objects.count()
    again = load_demo_data()
    assert not again.created
    assert again.own_company == demo.OWN_COMPANY_NAME
    assert _counts() == before
    assert LogEntry.objects.count() == entries


def test_headline_chain_reaches_tier_three_with_our_customer_data(loaded):  # type: ignore[no-untyped-def]
    own = Organisation.objects.get(kind=OrganisationKind.OWN)
    cloud, sub, subsub = (Organisation.objects.get(name=n) for n in demo.HEADLINE_CHAIN)
    assert (cloud.tier, sub.tier, subsub.tier) == (1, 2, 3)
    assert Relationship.objects.get(client=sub, provider=subsub).type == RelationshipType.REDELEGATES_WORK
    asset = InformationAsset.objects.get(name=demo.CUSTOMER_ASSET_NAME, group_company=own)
    assert asset.has_personal_info and asset.record_count == demo.CUSTOMER_RECORDS
    flow = [(own, cloud), (cloud, sub), (sub, subsub)]
    for sender, holder in flow:
        holding = DataHolding.objects.get(asset=asset, holder=holder, received_from=sender)
        assert holding.record_count == demo.CUSTOMER_RECORDS


def test_group_company_staff_data_held_by_its_payroll_outsourcer(loaded):  # type: ignore[no-untyped-def]
    logistics = Organisation.objects.get(name=demo.LOGISTICS_COMPANY_NAME)
    asset = InformationAsset.objects.get(name=demo.GROUP_STAFF_ASSET_NAME)
    assert asset.group_company == logistics and asset.has_sensitive_personal_info
    payroll = Organisation.objects.get(name=demo.PAYROLL_OUTSOURCER_NAME)
    assert payroll.group_company == logistics
    assert DataHolding.objects.filter(asset=asset, holder=payroll, received_from=logistics).exists()


def test_about_forty_partners_of_every_kind_across_four_tiers(loaded):  # type: ignore[no-untyped-def]
    partners = Organisation.objects.exclude(kind__in=OUR_KINDS)
    assert 35 <= partners.count() <= 45
    assert set(partners.values_list("kind", flat=True)) == set(OrganisationKind.values) - set(OUR_KINDS)
    assert set(partners.exclude(tier=None).values_list("tier", flat=True)) == {1, 2, 3, 4}
    assert set(Relationship.objects.values_list("type", flat=True)) == set(RelationshipType.values)
    redelegations = Relationship.objects.filter(type=RelationshipType.REDELEGATES_WORK)
    assert set(redelegations.values_list("redelegation_approved", flat=True)) == {True, False, None}
    assert partners.filter(status=OrganisationStatus.OFFBOARDED).count() >= 2
    assert partners.filter(criticality__in=["high", "critical"]).count() >= 5
    assert partners.filter(tags__name="個人情報取扱").exists()
    assert partners.filter(tags__name="海外").exists()


def test_unconnected_parties_and_a_cycle(loaded):  # type: ignore[no-untyped-def]
    for name in demo.UNCONNECTED_NAMES:
        org = Organisation.objects.get(name=name)
        assert org.tier is None
        assert not Relationship.objects.filter(client=org).exists()
        assert not Relationship.objects.filter(provider=org).exists()
    first, second = (Organisation.objects.get(name=n) for n in demo.CYCLE_NAMES)
    assert Relationship.objects.filter(client=first, provider=second).exists()
    assert Relationship.objects.filter(client=second, provider=first).exists()


def test_certifications_of_every_scheme_some_expired_some_expiring(loaded):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    certs = list(Certification.objects.all())
    assert {c.scheme for c in certs} == set(CertificationScheme.values)
    states = [c.state(today) for c in certs]
    assert states.count(CertificationState.EXPIRED) >= 2
    assert states.count(CertificationState.EXPIRING) >= 2
    assert CertificationState.VALID in states and CertificationState.UNKNOWN in states


def test_every_corporate_number_is_valid_and_every_record_clean(loaded):  # type: ignore[no-untyped-def]
    orgs = list(Organisation.objects.all())
    numbers = [o.corporate_number for o in orgs if o.corporate_number]
    assert len(numbers) >= 35 and len(set(numbers)) == len(numbers)
    for number in numbers:
        validate_corporate_number(number)
    for org in orgs:
        org.full_clean()
        for domain in org.web_domains.split(", "):
            assert domain.endswith((".example", ".example.jp"))


def test_contacts_and_system_access(loaded):  # type: ignore[no-untyped-def]
    partners = Organisation.objects.exclude(kind__in=OUR_KINDS)
    with_contacts = partners.filter(contacts__isnull=False).distinct().count()
    assert with_contacts >= partners.count() * 3 // 4
    assert Contact.objects.filter(role="security").exclude(verified_on=None).exists()
    assert Contact.objects.filter(role="incident").exists()
    assert {"portal", "vpn", "admin"} <= set(SystemAccess.objects.values_list("level", flat=True))
    # Child records share their organisation's group company, so scoping works the same everywhere.
    for access in SystemAccess.objects.select_related("organisation"):
        assert access.group_company_id == access.organisation.group_company_id


def test_audited_as_the_command(loaded):  # type: ignore[no-untyped-def]
    entries = LogEntry.objects.filter(additional_data__via=demo.AUDIT_VIA)
    assert entries.count() >= 150
    models = {e.content_type.model for e in entries.select_related("content_type")}
    assert {"organisation", "relationship", "dataholding", "certification", "user"} <= models
    assert not entries.exclude(actor=None).exists()


def test_demo_users_log_in_with_their_roles_and_scopes(loaded):  # type: ignore[no-untyped-def]
    for username, (password, role) in demo.DEMO_USERS.items():
        user = User.objects.get(username=username)
        assert user.check_password(password) and user.role == role
    limited = User.objects.get(username="demo-card-analyst")
    card = Organisation.objects.get(name=demo.CARD_COMPANY_NAME)
    assert list(limited.group_companies.all()) == [card]
    seen = visible(Organisation.objects.all(), limited)
    assert seen.exists() and not seen.exclude(group_company=card).exists()
    assert not visible(DataHolding.objects.all(), limited).exclude(group_company=card).exists()


