"""Writes to the registry. Views, API, import and commands all come through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from renkei.core.errors import RenkeiError
from renkei.core.permissions import Action, visible
from renkei.core.services import check_write, record_delete, record_save, validate
from renkei.core.tenancy import default_group_company_id
from renkei.core.text import company_name_key
from renkei.registry import selectors
from renkei.registry.models import (
    OUR_KINDS,
    Certification,
    Contact,
    DataHolding,
    InformationAsset,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Relationship,
    SystemAccess,
    Tag,
)
from renkei.registry.permissions import CHANGE_REGISTRY
from renkei.registry.signals import graph_changed_on_commit
from renkei.registry.validators import normalise_corporate_number, normalise_domains

ACTION = CHANGE_REGISTRY
MOVES_WITH_ORGANISATION = (
    "assessments.Assignment",
    "assessments.FollowUp",
    "assessments.AssuranceOverride",
    "accounts.PortalLink",
)


def tags_from_names(names: Iterable[str]) -> list[Tag]:
    """Tags by name, created on first use."""
    tags = []
    for name in {n.strip() for n in names if n and n.strip()}:
        tag, _created = Tag.objects.get_or_create(name=name[:50])
        tags.append(tag)
    return tags


def _manages_other_records(company: Organisation) -> bool:
    """Whether records other than the company's own contacts and certifications belong to it."""
    return (
        Organisation.objects.filter(group_company_id=company.pk).exclude(pk=company.pk).exists()
        or Relationship.objects.filter(group_company_id=company.pk).exists()
        or InformationAsset.objects.filter(group_company_id=company.pk).exists()
    )


def _move_children(*, organisation: Organisation, company_id: int | None) -> None:
    # Contacts, certifications and access share their organisation's scope; move them with it,
    # one save each so that every move is in the audit trail.
    # Assessment records of the party (its assessments, follow-up items, portal links, level override)
    # go with it too, looked up by name so the registry does not import the assessments app.
    models: list[type[Model]] = [Contact, Certification, SystemAccess]
    models += [apps.get_model(label) for label in MOVES_WITH_ORGANISATION]
    for model in models:
        for child in model._default_manager.filter(organisation=organisation).exclude(group_company_id=company_id):
            child.group_company_id = company_id  # type: ignore[attr-defined]
            child.save(update_fields=["group_company", "updated_at"])


class PossibleDuplicateError(RenkeiError):
    """The name matches other organisations once legal forms, width, kana and spaces are ignored.

    Answers 409. Besides the usual error body, `duplicates` lists those the user may see (id,
    name, url) and `hidden_duplicates` counts the others, which stay unnamed."""

    def __init__(self, duplicates: selectors.PossibleDuplicates) -> None:
        self.duplicates = duplicates
        super().__init__(
            message=_(
                "Possibly a duplicate: an organisation with the same name is already registered. "
                "Check the list; save again with the confirmation if it is a different organisation."
            ),
            field_name="confirm_duplicate",
            status=409,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            **super().as_dict(),
            "duplicates": [
                {"id": o.pk, "name": o.name, "url": o.get_absolute_url()} for o in self.duplicates.shown
            ],
            "hidden_duplicates": self.duplicates.hidden_count,
        }


def _check_corporate_number(*, user: Any, organisation: Organisation) -> None:
    """A corporate number identifies one company: a second registration is an error, not a warning
    (the database constraint backs this up). The other record is named only if the user may see it."""
    taken = selectors.organisation_with_corporate_number(
        corporate_number=organisation.corporate_number, exclude_pk=organisation.pk
    )
    if taken is not None:
        if visible(Organisation.objects.filter(pk=taken.pk), user).exists():
            message = _("This corporate number is already registered: {name}").format(name=taken.name)
        else:
            message = _("This corporate number is already registered for another organisation.")
        raise RenkeiError(message, field_name="corporate_number")


def _check_duplicate_name(*, user: Any, organisation: Organisation, previous_name: str | None) -> None:
    """Warn about a name already registered in another spelling. Only a new or renamed organisation
    is checked, so that editing a record that already had a twin is not blocked on every save."""
    if previous_name is not None and company_name_key(previous_name) == company_name_key(organisation.name):
        return
    duplicates = selectors.possible_duplicates(user=user, name=organisation.name, exclude_pk=organisation.pk)
    if duplicates:
        raise PossibleDuplicateError(duplicates)


def organisation_save(
    *,
    user: Any,
    organisation: Organisation,
    tags: Iterable[str] | None = None,
    check_duplicates: bool = False,
) -> Organisation:
    """Create or update an organisation. Our own companies belong to themselves.

    Making an organisation one of our group companies, or ceasing to, is an administrator's
    decision: it changes who may see what.

    With `check_duplicates` (the pages and the API, until the user confirms), a new or renamed
    organisation whose name matches another one raises `PossibleDuplicateError`. Imports and the
    demo match their rows themselves and leave it off.
    """
    organisation.corporate_number = normalise_corporate_number(organisation.corporate_number or "")
    organisation.web_domains = normalise_domains(organisation.web_domains or "")
    organisation.name = (organisation.name or "").strip()
    organisation.name_reading = (organisation.name_reading or "").strip()
    is_new = organisation.pk is None
    previous = (
        None
        if is_new
        else Organisation.objects.filter(pk=organisation.pk).values("kind", "group_company_id", "name").first()
    )
    _check_corporate_number(user=user, organisation=organisation)
    if check_duplicates:
        _check_duplicate_name(user=user, organisation=organisation, previous_name=previous["name"] if previous else None)
    previous_kind = previous["kind"] if previous else None
    becomes_ours = organisation.kind in OUR_KINDS and previous_kind not in OUR_KINDS
    stops_being_ours = previous_kind in OUR_KINDS and organisation.kind not in OUR_KINDS
    if becomes_ours or stops_being_ours:
        check_write(user=user, action=Action.ADMINISTER, company_id=None)
    if stops_being_ours:
        if _manages_other_records(organisation):
            raise RenkeiError(
                _("This group company still manages other records; move them first."), field_name="kind"
            )
        if organisation.group_company_id == organisation.pk:
            organisation.group_company_id = None
    if organisation.kind in OUR_KINDS and not is_new:
        organisation.group_company_id = organisation.pk
    elif organisation.kind not in OUR_KINDS and organisation.group_company_id is None:
        organisation.group_company_id = default_group_company_id(user)
        if organisation.group_company_id is None:
            raise RenkeiError(_("Register the own company first."), field_name="group_company")
    if organisation.kind == OrganisationKind.OWN:
        other = Organisation.objects.filter(kind=OrganisationKind.OWN).exclude(pk=organisation.pk).first()
        if other:
            raise RenkeiError(
                _("The own company is already registered: {name}").format(name=other.name), field_name="kind"
            )
    m2m = {"tags": tags_from_names(tags)} if tags is not None else None
    try:
        with transaction.atomic():
            if organisation.kind in OUR_KINDS and is_new:
                validate(organisation, exclude=["group_company"])
                organisation.save()
                organisation.group_company_id = organisation.pk
                organisation.save(update_fields=["group_company"])
                for name, values in (m2m or {}).items():
                    getattr(organisation, name).set(values)
            else:
                record_save(user=user, instance=organisation, action=ACTION, m2m=m2m)
            if previous and previous["group_company_id"] != organisation.group_company_id:
                _move_children(organisation=organisation, company_id=organisation.group_company_id)
            if is_new or previous_kind != organisation.kind:
                graph_changed_on_commit()
    except IntegrityError as exc:
        raise RenkeiError(_("This record conflicts with an existing one.")) from exc
    return organisation


def holds_personal_data(organisation: Organisation) -> bool:
    """Whether the party holds any of our assets with personal information."""
    return DataHolding.objects.filter(holder=organisation, asset__has_personal_info=True).exists()


def organisation_offboard(*, user: Any, organisation: Organisation) -> Organisation:
    """End the relationship but keep the history: the party becomes "offboarded" with its
    holdings, relationships, assessments and audit trail intact (what it held of ours still shows,
    e.g. data still to be returned or erased). The way out for a party that holds our data."""
    if organisation.kind in OUR_KINDS:
        raise RenkeiError(_("Our own companies cannot be offboarded."), status=409)
    if organisation.status == OrganisationStatus.OFFBOARDED:
        raise RenkeiError(_("{name} is already offboarded.").format(name=organisation.name), status=409)
    organisation.status = OrganisationStatus.OFFBOARDED
    saved = record_save(user=user, instance=organisation, action=ACTION)
    graph_changed_on_commit()
    return saved


def organisation_delete(*, user: Any, organisation: Organisation, confirm_name: str | None = None) -> None:
    """Delete an organisation with its contacts, certifications, relationships and holdings.

    `confirm_name`: the name the person typed on the deletion page. A party holding personal data
    of ours is only deleted when it matches the party's name exactly (a mistake here erases the
    record of who holds personal data). The API passes None: its callers name the party by id."""
    if confirm_name is not None and holds_personal_data(organisation) and confirm_name.strip() != organisation.name:
        raise RenkeiError(
            _("The name you typed does not match “{name}”; nothing was deleted.").format(name=organisation.name),
            field_name="confirm_name",
            status=400,
        )
    if organisation.kind == OrganisationKind.OWN:
        raise RenkeiError(_("The own company cannot be deleted."), status=409)
    if organisation.kind in OUR_KINDS:
        check_write(user=user, action=Action.ADMINISTER, company_id=organisation.pk)
    if organisation.kind in OUR_KINDS and Organisation.objects.filter(group_company=organisation).exclude(
        pk=organisation.pk
    ).exists():
        raise RenkeiError(_("This group company still manages other records; move them first."), status=409)
    with transaction.atomic():
        if organisation.kind in OUR_KINDS:
            Organisation.objects.filter(pk=organisation.pk).update(group_company=None)
            organisation.group_company_id = None
        if DataHolding.objects.filter(received_from=organisation).exists():
            raise RenkeiError(
                _("Other parties hold data received from this organisation; remove those holdings first."),
                status=409,
            )
        record_delete(user=user, instance=organisation, action=ACTION)
        graph_changed_on_commit()


def relationship_save(*, user: Any, relationship: Relationship) -> Relationship:
    """Create or update a directed relationship client → provider (any depth, cycles allowed)."""
    if relationship.client_id and relationship.client_id == relationship.provider_id:
        raise RenkeiError(_("A relationship must connect two different organisations."), field_name="provider")
    if relationship.group_company_id is None:
        relationship.group_company_id = default_group_company_id(user)
    if relationship.pk is not None:
        before = Relationship.objects.filter(pk=relationship.pk).values("client_id", "provider_id").first()
        if before and (before["client_id"], before["provider_id"]) != (relationship.client_id, relationship.provider_id):
            _check_no_flow_depends_on(pk=relationship.pk, client_id=before["client_id"], provider_id=before["provider_id"])
    with transaction.atomic():
        record_save(user=user, instance=relationship, action=ACTION)
        graph_changed_on_commit()
    return relationship


def _check_no_flow_depends_on(*, pk: int, client_id: int, provider_id: int) -> None:
    """Refuse to remove the only relationship a data holding flows along."""
    if DataHolding.objects.filter(received_from_id=client_id, holder_id=provider_id).exists():
        others = Relationship.objects.filter(client_id=client_id, provider_id=provider_id).exclude(pk=pk)
        if not others.exists():
            raise RenkeiError(
                _("Data holdings flow along this relationship; remove or move them first."), status=409
            )


def relationship_delete(*, user: Any, relationship: Relationship) -> None:
    """Delete a relationship unless data holdings still flow along it."""
    _check_no_flow_depends_on(pk=relationship.pk, client_id=relationship.client_id, provider_id=relationship.provider_id)
    with transaction.atomic():
        record_delete(user=user, instance=relationship, action=ACTION)
        graph_changed_on_commit()


def _inherit_company(instance: Any, organisation: Organisation | None) -> None:
    # Child records share their organisation's scope, so the permission filter is the same everywhere.
    if organisation is not None:
        instance.group_company_id = organisation.group_company_id


def contact_save(*, user: Any, contact: Contact) -> Contact:
    """Create or update a contact of an organisation."""
    _inherit_company(contact, contact.organisation if contact.organisation_id else None)
    return record_save(user=user, instance=contact, action=ACTION)


def certification_save(*, user: Any, certification: Certification) -> Certification:
    """Create or update a certification of an organisation."""
    _inherit_company(certification, certification.organisation if certification.organisation_id else None)
    return record_save(user=user, instance=certification, action=ACTION)


def system_access_save(*, user: Any, access: SystemAccess) -> SystemAccess:
    """Create or update what a party can reach of our systems."""
    _inherit_company(access, access.organisation if access.organisation_id else None)
    return record_save(user=user, instance=access, action=ACTION)


def asset_save(*, user: Any, asset: InformationAsset) -> InformationAsset:
    """Create or update an information asset owned by one of our group companies."""
    if asset.group_company_id is None:
        asset.group_company_id = default_group_company_id(user)
    if asset.has_sensitive_personal_info:
        asset.has_personal_info = True
    return record_save(user=user, instance=asset, action=ACTION)


def missing_relationship_message(sender: Organisation, holder: Organisation) -> str:
    return _(
        "{holder} cannot have received this data from {sender}: there is no relationship "
        "{sender} → {holder}. Register that relationship first."
    ).format(holder=holder.name, sender=sender.name)


def holding_save(*, user: Any, holding: DataHolding) -> DataHolding:
    """Create or update a data holding; it must flow along an existing relationship sender → holder.

    When no sender is given, the data comes straight from the company that owns the asset.
    """
    if holding.asset_id is None:
        raise RenkeiError(_("Choose an information asset."), field_name="asset")
    asset = holding.asset
    holding.group_company_id = asset.group_company_id
    if holding.received_from_id is None:
        holding.received_from_id = asset.group_company_id
    if holding.holder_id == holding.received_from_id:
        raise RenkeiError(_("An organisation cannot receive data from itself."), field_name="received_from")
    if holding.holder_id and not Relationship.objects.filter(
        client_id=holding.received_from_id, provider_id=holding.holder_id
    ).exists():
        raise RenkeiError(
            missing_relationship_message(holding.received_from, holding.holder), field_name="received_from"
        )
    if asset.record_count is not None and holding.record_count is not None and holding.record_count > asset.record_count:
        raise RenkeiError(
            _("The holding cannot have more records ({held}) than the asset ({total}).").format(
                held=holding.record_count, total=asset.record_count
            ),
            field_name="record_count",
        )
    return record_save(user=user, instance=holding, action=ACTION)


def record_remove(*, user: Any, instance: Any) -> None:
    """Delete a contact, certification, asset, holding or access record."""
    if isinstance(instance, InformationAsset) and instance.holdings.exists():
        raise RenkeiError(_("Parties still hold this asset; remove the holdings first."), status=409)
    record_delete(user=user, instance=instance, action=ACTION)
