"""Deleting a party that holds data of ours: offboarding (history kept) is offered first; a hard
delete of a party holding personal data needs its exact name typed, else nothing is deleted."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from renkei.core.errors import RenkeiError
from renkei.registry import services
from renkei.registry.models import DataHolding, Organisation, OrganisationStatus, Relationship
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(own: Any) -> Organisation:
    org = f.OrganisationFactory(name="青空データ入力株式会社")
    f.DataHoldingFactory(holder=org, asset=f.InformationAssetFactory(name="会員名簿", has_personal_info=True))
    f.RelationshipFactory(client=own, provider=org)
    return org


def test_delete_page_offers_offboarding_first(analyst_client: Client, holder: Organisation) -> None:
    body = analyst_client.get(reverse("registry:organisation_delete", args=[holder.pk])).content.decode()
    assert 'id="offboard-first"' in body and "会員名簿" in body
    assert body.index('id="offboard-button"') < body.index('id="confirm-delete"')
    assert 'name="confirm_name"' in body

    response = analyst_client.post(reverse("registry:organisation_offboard", args=[holder.pk]))
    assert response.status_code == 302 and response.url == holder.get_absolute_url()
    holder.refresh_from_db()
    assert holder.status == OrganisationStatus.OFFBOARDED
    # The history stays: holdings, relationships, and the change in the audit trail.
    assert DataHolding.objects.filter(holder=holder).count() == 1 and Relationship.objects.filter(provider=holder).exists()
    from auditlog.models import LogEntry

    assert LogEntry.objects.get_for_object(holder).filter(changes__icontains="offboarded").exists()
    # Twice: a clear refusal.
    again = analyst_client.post(reverse("registry:organisation_offboard", args=[holder.pk]))
    assert again.status_code == 409 and "取引終了" in again.content.decode()


def test_hard_delete_needs_the_typed_name(analyst_client: Client, holder: Organisation) -> None:
    url = reverse("registry:organisation_delete", args=[holder.pk])
    for typed in ("", "青空データ入力", "青空データ入力株式会社X"):
        response = analyst_client.post(url, {"confirm_name": typed})
        assert response.status_code == 400
        assert "一致しません" in response.content.decode() and "削除していません" in response.content.decode()
        assert Organisation.objects.filter(pk=holder.pk).exists() and DataHolding.objects.filter(holder=holder).exists()
    response = analyst_client.post(url, {"confirm_name": "青空データ入力株式会社"})
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=holder.pk).exists()


def test_party_without_personal_data_deletes_without_typing(analyst_client: Client, own: Any) -> None:
    org = f.OrganisationFactory(name="備品業者")
    f.DataHoldingFactory(holder=org, asset=f.InformationAssetFactory(name="発注書", has_personal_info=False))
    body = analyst_client.get(reverse("registry:organisation_delete", args=[org.pk])).content.decode()
    assert 'id="offboard-first"' in body and 'name="confirm_name"' not in body
    assert analyst_client.post(reverse("registry:organisation_delete", args=[org.pk])).status_code == 302
    plain = f.OrganisationFactory(name="何も預けていない会社")
    body = analyst_client.get(reverse("registry:organisation_delete", args=[plain.pk])).content.decode()
    assert 'id="offboard-first"' not in body


def test_services(own: Any, analyst: Any, holder: Organisation) -> None:
    with pytest.raises(RenkeiError) as refused:
        services.organisation_delete(user=analyst, organisation=holder, confirm_name="違う名前")
    assert refused.value.field_name == "confirm_name" and Organisation.objects.filter(pk=holder.pk).exists()
    with pytest.raises(RenkeiError):
        services.organisation_offboard(user=analyst, organisation=own)
    services.organisation_delete(user=analyst, organisation=holder, confirm_name=" 青空データ入力株式会社 ")
    assert not Organisation.objects.filter(pk=holder.pk).exists()


def test_viewer_and_other_company_cannot_offboard(client: Client, viewer: Any, limited_analyst: Any, holder: Organisation) -> None:
    url = reverse("registry:organisation_offboard", args=[holder.pk])
    client.force_login(viewer)
    assert client.post(url).status_code == 403
    client.force_login(limited_analyst)
    assert client.post(url).status_code == 404
    assert client.post(reverse("registry:organisation_delete", args=[holder.pk]), {"confirm_name": holder.name}).status_code == 404
    holder.refresh_from_db()
    assert holder.status == OrganisationStatus.ACTIVE
