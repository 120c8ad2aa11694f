"""Registry services: validation, scope, audit."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from renkei.core.audit import audit_context
from renkei.core.errors import RenkeiError
from renkei.registry import services
from renkei.registry.models import (
    DataHolding,
    Organisation,
    OrganisationKind,
    Relationship,
    RelationshipType,
)
from tests import factories as f


def test_organisation_create_defaults_to_own_company_and_is_audited(analyst, own):
    org = Organisation(name="新規委託先株式会社", kind=OrganisationKind.CONTRACTOR, corporate_number="7000012050002")
    with audit_context(actor=analyst, via="web"):
        services.organisation_save(user=analyst, organisation=org, tags=["個人情報", "重要"])
    org.refresh_from_db()
    assert org.group_company == own
    assert sorted(t.name for t in org.tags.all()) == ["個人情報", "重要"]
    entry = LogEntry.objects.get_for_object(org).get(action=LogEntry.Action.CREATE)
    assert entry.actor == analyst


def test_invalid_corporate_number_saves_nothing(analyst, own):
    org = Organisation(name="誤番号株式会社", kind=OrganisationKind.CONTRACTOR, corporate_number="7000012050003")
    with pytest.raises(RenkeiError) as exc:
        services.organisation_save(user=analyst, organisation=org)
    assert exc.value.field_name == "corporate_number"
    assert not Organisation.objects.filter(name="誤番号株式会社").exists()


def test_duplicate_corporate_number_is_refused(analyst, own):
    f.OrganisationFactory(corporate_number="7000012050002")
    org = Organisation(name="重複", kind=OrganisationKind.CONTRACTOR, corporate_number="7000-0120-50002")
    with pytest.raises(RenkeiError):
        services.organisation_save(user=analyst, organisation=org)


def test_second_own_company_is_refused(admin_user, own):
    with pytest.raises(RenkeiError) as exc:
        services.organisation_save(user=admin_user, organisation=Organisation(name="別本社", kind=OrganisationKind.OWN))
    assert own.name in exc.value.message


def test_group_company_belongs_to_itself(admin_user, own):
    group = services.organisation_save(
        user=admin_user, organisation=Organisation(name="新子会社", kind=OrganisationKind.GROUP)
    )
    assert group.group_company_id == group.pk


def test_viewer_cannot_write(viewer, own):
    with pytest.raises(PermissionDenied):
        services.organisation_save(user=viewer, organisation=Organisation(name="x", kind=OrganisationKind.OTHER))


def test_limited_user_cannot_write_to_other_company(limited_analyst, own, subsidiary):
    org = Organisation(name="他社管理", kind=OrganisationKind.CONTRACTOR, group_company=own)
    with pytest.raises(RenkeiError) as exc:
        services.organisation_save(user=limited_analyst, organisation=org)
    assert exc.value.status == 403
    # Without a choice, the limited user's record lands in their own group company.
    mine = services.organisation_save(
        user=limited_analyst, organisation=Organisation(name="自社管理", kind=OrganisationKind.CONTRACTOR)
    )
    assert mine.group_company == subsidiary


def test_relationship_to_itself_is_refused(analyst, own):
    org = f.OrganisationFactory()
    with pytest.raises(RenkeiError) as exc:
        services.relationship_save(
            user=analyst, relationship=Relationship(client=org, provider=org, type=RelationshipType.CONTRACTS_WORK)
        )
    assert exc.value.field_name == "provider"
    assert Relationship.objects.count() == 0


def test_relationship_dates_must_be_ordered(analyst, own):
    import datetime as dt

    rel = Relationship(
        client=own,
        provider=f.OrganisationFactory(),
        type=RelationshipType.CONTRACTS_WORK,
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2025, 3, 31),
    )
    with pytest.raises(RenkeiError) as exc:
        services.relationship_save(user=analyst, relationship=rel)
    assert exc.value.field_name == "end_date"


def test_relationship_change_recomputes_tiers(analyst, own, django_capture_on_commit_callbacks):
    a = f.OrganisationFactory()
    b = f.OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.relationship_save(user=analyst, relationship=Relationship(client=own, provider=a, type="contracts_work"))
        services.relationship_save(user=analyst, relationship=Relationship(client=a, provider=b, type="redelegates_work"))
    b.refresh_from_db()
    assert b.tier == 2


def test_holding_needs_a_relationship_along_the_flow(analyst, own):
    contractor = f.OrganisationFactory(name="委託先C")
    sub = f.OrganisationFactory(name="再委託先D")
    asset = f.InformationAssetFactory(name="顧客情報")
    f.RelationshipFactory(client=own, provider=contractor)
    services.holding_save(user=analyst, holding=DataHolding(asset=asset, holder=contractor))
    with pytest.raises(RenkeiError) as exc:
        services.holding_save(user=analyst, holding=DataHolding(asset=asset, holder=sub, received_from=contractor))
    assert "委託先C → 再委託先D" in exc.value.message
    assert DataHolding.objects.filter(holder=sub).count() == 0
    f.RelationshipFactory(client=contractor, provider=sub, type=RelationshipType.REDELEGATES_WORK)
    held = services.holding_save(user=analyst, holding=DataHolding(asset=asset, holder=sub, received_from=contractor))
    assert held.group_company == own


def test_holding_cannot_exceed_asset_records(analyst, own):
    contractor = f.OrganisationFactory()
    f.RelationshipFactory(client=own, provider=contractor)
    asset = f.InformationAssetFactory(record_count=10)
    with pytest.raises(RenkeiError) as exc:
        services.holding_save(user=analyst, holding=DataHolding(asset=asset, holder=contractor, record_count=11))
    assert exc.value.field_name == "record_count"


def test_relationship_with_holdings_cannot_be_deleted(analyst, own):
    contractor = f.OrganisationFactory()
    rel = f.RelationshipFactory(client=own, provider=contractor)
    f.DataHoldingFactory(holder=contractor, received_from=own)
    with pytest.raises(RenkeiError) as exc:
        services.relationship_delete(user=analyst, relationship=rel)
    assert exc.value.status == 409


def test_contact_inherits_scope_of_organisation(limited_analyst, subsidiary):
    from renkei.registry.models import Contact

    org = f.OrganisationFactory(group_company=subsidiary)
    contact = services.contact_save(
        user=limited_analyst, contact=Contact(organisation=org, name="担当", role="security", email="a@example.jp")
    )
    assert contact.group_company == subsidiary


def test_command_changes_are_audited_with_their_origin(own):
    with audit_context(actor=None, via="command: test"):
        org = services.organisation_save(user=None, organisation=Organisation(name="CLI社", kind="vendor"))
    entry = LogEntry.objects.get_for_object(org).first()
    assert entry.actor is None
    assert entry.additional_data == {"via": "command: test"}


def test_sensitive_asset_is_personal(analyst, own):
    from renkei.registry.models import InformationAsset

    asset = services.asset_save(
        user=analyst, asset=InformationAsset(name="健康診断結果", has_sensitive_personal_info=True)
    )
    assert asset.has_personal_info


def test_own_company_cannot_be_deleted_and_group_company_needs_an_administrator(admin_user, analyst, own):
    with pytest.raises(RenkeiError):
        services.organisation_delete(user=admin_user, organisation=own)
    group = f.group_company(name="削除する子会社")
    with pytest.raises(PermissionDenied):
        services.organisation_delete(user=analyst, organisation=group)
    services.organisation_delete(user=admin_user, organisation=group)
    assert not Organisation.objects.filter(pk=group.pk).exists()


def test_moving_an_organisation_moves_its_contacts_and_access(admin_user, own, subsidiary):
    org = f.OrganisationFactory(group_company=own)
    contact = f.ContactFactory(organisation=org)
    access = f.SystemAccessFactory(organisation=org)
    org.group_company = subsidiary
    services.organisation_save(user=admin_user, organisation=org)
    contact.refresh_from_db()
    access.refresh_from_db()
    assert contact.group_company == subsidiary and access.group_company == subsidiary


def test_only_an_administrator_turns_a_party_into_a_group_company(analyst, admin_user, own):
    org = f.OrganisationFactory()
    org.kind = OrganisationKind.GROUP
    with pytest.raises(PermissionDenied):
        services.organisation_save(user=analyst, organisation=org)
    services.organisation_save(user=admin_user, organisation=org)
    assert Organisation.objects.get(pk=org.pk).group_company_id == org.pk


def test_group_company_with_records_cannot_become_a_partner(admin_user, own, subsidiary):
    f.InformationAssetFactory(group_company=subsidiary)
    subsidiary.kind = OrganisationKind.PARTNER
    with pytest.raises(RenkeiError):
        services.organisation_save(user=admin_user, organisation=subsidiary)
    assert Organisation.objects.get(pk=subsidiary.pk).kind == OrganisationKind.GROUP


def test_redirecting_a_relationship_that_data_flows_along_is_refused(analyst, own):
    contractor = f.OrganisationFactory()
    other = f.OrganisationFactory()
    rel = f.RelationshipFactory(client=own, provider=contractor)
    f.DataHoldingFactory(holder=contractor, received_from=own)
    rel.provider = other
    with pytest.raises(RenkeiError):
        services.relationship_save(user=analyst, relationship=rel)
    assert Relationship.objects.get(pk=rel.pk).provider == contractor
