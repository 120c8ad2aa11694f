"""factory_boy factories for every model tests need."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from renkei.accounts.models import User
from renkei.core.permissions import Role
from renkei.registry.models import (
    AccessLevel,
    Certification,
    CertificationScheme,
    Contact,
    ContactRole,
    DataHolding,
    InformationAsset,
    Organisation,
    OrganisationKind,
    Relationship,
    RelationshipType,
    SystemAccess,
)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"取引先{n}株式会社")
    kind = OrganisationKind.CONTRACTOR
    group_company = factory.LazyFunction(lambda: Organisation.objects.get(kind=OrganisationKind.OWN))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        obj = super()._create(model_class, *args, **kwargs)
        if obj.kind in (OrganisationKind.OWN, OrganisationKind.GROUP) and obj.group_company_id != obj.pk:
            obj.group_company = obj
            obj.save(update_fields=["group_company"])
        return obj


def own_company(name: str = "連携テスト本社株式会社") -> Organisation:
    existing = Organisation.objects.filter(kind=OrganisationKind.OWN).first()
    if existing:
        return existing
    return OrganisationFactory(name=name, kind=OrganisationKind.OWN, group_company=None)


def group_company(name: str = "連携テスト子会社株式会社") -> Organisation:
    return OrganisationFactory(name=name, kind=OrganisationKind.GROUP, group_company=None)


class RelationshipFactory(DjangoModelFactory):
    class Meta:
        model = Relationship

    client = factory.SubFactory(OrganisationFactory)
    provider = factory.SubFactory(OrganisationFactory)
    type = RelationshipType.CONTRACTS_WORK
    group_company = factory.LazyAttribute(lambda o: o.client.group_company)


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"担当者{n}")
    role = ContactRole.SECURITY
    email = factory.Sequence(lambda n: f"contact{n}@example.jp")
    group_company = factory.LazyAttribute(lambda o: o.organisation.group_company)


class CertificationFactory(DjangoModelFactory):
    class Meta:
        model = Certification

    organisation = factory.SubFactory(OrganisationFactory)
    scheme = CertificationScheme.ISMS
    group_company = factory.LazyAttribute(lambda o: o.organisation.group_company)


class InformationAssetFactory(DjangoModelFactory):
    class Meta:
        model = InformationAsset

    name = factory.Sequence(lambda n: f"顧客情報{n}")
    record_count = 1000
    group_company = factory.LazyFunction(lambda: Organisation.objects.get(kind=OrganisationKind.OWN))


class DataHoldingFactory(DjangoModelFactory):
    class Meta:
        model = DataHolding

    asset = factory.SubFactory(InformationAssetFactory)
    holder = factory.SubFactory(OrganisationFactory)
    received_from = factory.LazyAttribute(lambda o: o.asset.group_company)
    record_count = 100
    group_company = factory.LazyAttribute(lambda o: o.asset.group_company)


class SystemAccessFactory(DjangoModelFactory):
    class Meta:
        model = SystemAccess

    organisation = factory.SubFactory(OrganisationFactory)
    system = "社内ポータル"
    level = AccessLevel.VPN
    account_count = 3
    group_company = factory.LazyAttribute(lambda o: o.organisation.group_company)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.jp")
    role = Role.ANALYST
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def companies(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.group_companies.set(extracted)
        if create:
            self.save()
