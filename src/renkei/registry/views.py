"""Registry pages: one list, detail, edit and delete view per model, all on the generic views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from renkei.core.errors import RenkeiError
from renkei.core.files.downloads import attachment_response
from renkei.core.permissions import get_visible_or_404, visible
from renkei.core.views.actions import ConfirmView
from renkei.core.views.objects import (
    Column,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    deletion_summary,
)
from renkei.registry import forms, selectors, services
from renkei.registry.models import (
    Certification,
    Contact,
    DataHolding,
    InformationAsset,
    Organisation,
    Relationship,
    SystemAccess,
)
from renkei.registry.permissions import CHANGE_REGISTRY


class RegistryAccess:
    """Registry pages are seen with core's `view` and written with `registry.change`."""

    change_action = CHANGE_REGISTRY


# --- organisations -----------------------------------------------------------------------------


class OrganisationListView(RegistryAccess, ObjectListView):
    model = Organisation
    title = _("Organisations")
    columns = [
        Column("name", _("name"), link=True, sort="name", order_by="sort_key"),
        Column("kind", _("kind"), sort="kind"),
        Column("tier", _("tier"), sort="tier"),
        Column("criticality", _("criticality"), sort="criticality"),
        Column("status", _("status")),
        Column("group_company", _("group company")),
        Column("tags", _("tags")),
    ]
    # The normalised key (name, reading, corporate number, domains) and the notes as typed.
    search_fields = ("search_text", "notes")
    filter_form_class = forms.OrganisationFilterForm
    filter_lookups = {"kind": "kind", "criticality": "criticality", "status": "status", "tag": "tags__name"}
    default_sort = "sort_key"
    create_url_name = "registry:organisation_create"

    def base_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.select_related("group_company").prefetch_related("tags")

    def filter_tier(self, qs: QuerySet[Organisation], value: str) -> QuerySet[Organisation]:
        if value == "none":
            return qs.filter(tier__isnull=True)
        if value == "5+":
            return qs.filter(tier__gte=5)
        return qs.filter(tier=int(value))

    def filter_certification(self, qs: QuerySet[Organisation], value: str) -> QuerySet[Organisation]:
        return selectors.filter_by_certification_state(qs, value)


class OrganisationDetailView(RegistryAccess, ObjectDetailView):
    model = Organisation
    template_name = "registry/organisation_detail.html"

    def base_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.select_related("group_company").prefetch_related("tags")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        org = self.object
        user = self.request.user
        ctx.update(selectors.neighbours(user=user, organisation=org))
        ctx["contacts"] = visible(Contact.objects.filter(organisation=org), user)
        ctx["certifications"] = visible(Certification.objects.filter(organisation=org), user)
        ctx["holdings"] = holdings = visible(DataHolding.objects.filter(holder=org), user).select_related("asset", "received_from")
        ctx["return_overdue"] = [h for h in holdings if h.return_overdue_days()]
        ctx["access"] = visible(SystemAccess.objects.filter(organisation=org), user)
        return ctx


class OrganisationEditView(RegistryAccess, ObjectEditView):
    model = Organisation
    form_class = forms.OrganisationForm
    template_name = "registry/organisation_edit.html"
    title_create = _("Add organisation")
    title_update = _("Edit organisation")

    def save(self, *, form: Any, instance: Any) -> Any:
        # A possible duplicate is saved only on a second submit with the confirmation ticked.
        confirmed = form.duplicate_confirmed(self.request.POST)
        try:
            return services.organisation_save(
                user=self.request.user, organisation=instance, tags=form.tag_list(), check_duplicates=not confirmed
            )
        except services.PossibleDuplicateError as exc:
            form.show_duplicates(exc.duplicates)
            raise


class OrganisationDeleteView(RegistryAccess, ObjectDeleteView):
    """A party holding data of ours is offered offboarding first (the history stays); deleting one
    that holds personal data asks for its name, typed."""

    model = Organisation
    success_url_name = "registry:organisation_list"
    template_name = "registry/organisation_delete.html"

    def page(self, instance: Organisation, *, error: Any = None, typed: str = "", status: int = 200) -> HttpResponse:
        holdings = visible(DataHolding.objects.filter(holder=instance), self.request.user).select_related("asset")
        context = {
            "object": instance,
            "cascade": deletion_summary(instance),
            "holdings": holdings[:20],
            "holding_count": holdings.count(),
            "personal": services.holds_personal_data(instance),
            "error": error,
            "typed": typed,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.page(get_visible_or_404(self.base_queryset(), request.user, pk=kwargs["pk"]))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = get_visible_or_404(self.base_queryset(), request.user, pk=kwargs["pk"])
        typed = request.POST.get("confirm_name", "")
        try:
            services.organisation_delete(user=request.user, organisation=instance, confirm_name=typed)
        except RenkeiError as exc:
            return self.page(instance, error=exc, typed=typed, status=exc.status)
        messages.success(request, _("Deleted."))
        return HttpResponseRedirect(reverse(self.success_url_name))


class OrganisationOffboardView(RegistryAccess, ConfirmView):
    """End the relationship and keep the history (status "offboarded")."""

    title = _("Offboard")
    explanation = _(
        "The party is marked as offboarded. Its holdings, relationships, assessments and history stay, so you can still see what it held of ours and follow up its return or erasure."
    )
    button = _("Offboard")

    def target(self) -> Organisation:
        return get_visible_or_404(Organisation.objects.all(), self.request.user, pk=self.kwargs["pk"])

    def run(self, target: Any, data: dict[str, Any]) -> str:
        services.organisation_offboard(user=self.request.user, organisation=target)
        messages.success(self.request, _("{name} was offboarded; its history is kept.").format(name=target.name))
        return str(target.get_absolute_url())


# --- relationships -----------------------------------------------------------------------------


class RelationshipListView(RegistryAccess, ObjectListView):
    model = Relationship
    title = _("Relationships")
    columns = [
        Column("client", _("client (upstream)"), sort="client__name", order_by="client__sort_key"),
        Column("provider", _("provider (downstream)"), sort="provider__name", order_by="provider__sort_key"),
        Column("type", _("type"), link=True, sort="type"),
        Column("service", _("service")),
        Column("redelegation_approved", _("re-delegation approved")),
        Column("end_date", _("end date"), sort="end_date"),
    ]
    search_fields = ("client__search_text", "provider__search_text", "service")
    filter_form_class = forms.RelationshipFilterForm
    filter_lookups = {"type": "type"}
    default_sort = "client__sort_key"
    create_url_name = "registry:relationship_create"

    def base_queryset(self) -> QuerySet[Relationship]:
        return Relationship.objects.select_related("client", "provider")


class RelationshipDetailView(RegistryAccess, ObjectDetailView):
    model = Relationship
    template_name = "registry/relationship_detail.html"

    def base_queryset(self) -> QuerySet[Relationship]:
        return Relationship.objects.select_related("client", "provider", "group_company")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.object.label_for(self.request.user)
        return ctx


class RelationshipEditView(RegistryAccess, ObjectEditView):
    model = Relationship
    form_class = forms.RelationshipForm
    title_create = _("Add relationship")
    title_update = _("Edit relationship")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.relationship_save(user=self.request.user, relationship=instance)


class RelationshipDeleteView(RegistryAccess, ObjectDeleteView):
    model = Relationship
    success_url_name = "registry:relationship_list"

    def delete(self, *, instance: Any) -> None:
        services.relationship_delete(user=self.request.user, relationship=instance)


# --- records that hang off an organisation -------------------------------------------------------


class RecordDeleteView(RegistryAccess, ObjectDeleteView):
    """Delete a record kept on an organisation (contact, certification, holding …): the record has a
    page of its own, so afterwards go to its organisation's page (core's ChildDeleteView goes to the
    record's own URL, right for records that live inside their parent's page)."""

    def get_success_url(self, instance: Any) -> str:
        org = getattr(instance, "organisation", None) or getattr(instance, "holder", None)
        if org is not None:
            return str(org.get_absolute_url())
        return super().get_success_url(instance)

    def delete(self, *, instance: Any) -> None:
        services.record_remove(user=self.request.user, instance=instance)


class ContactListView(RegistryAccess, ObjectListView):
    model = Contact
    title = _("Contacts")
    columns = [
        Column("name", _("name"), link=True, sort="name"),
        Column("organisation", _("organisation"), sort="organisation__name", order_by="organisation__sort_key"),
        Column("role", _("role"), sort="role"),
        Column("email", _("e-mail")),
        Column("phone", _("phone")),
        Column("verified_on", _("channel verified on"), sort="verified_on"),
    ]
    search_fields = ("search_text", "organisation__search_text")
    default_sort = "organisation__sort_key"
    create_url_name = "registry:contact_create"

    def base_queryset(self) -> QuerySet[Contact]:
        return Contact.objects.select_related("organisation")


class ContactDetailView(RegistryAccess, ObjectDetailView):
    model = Contact
    template_name = "registry/record_detail.html"
    fields = ["organisation", "name", "name_reading", "role", "email", "phone", "verified_on"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "fields": self.fields}


class ContactEditView(RegistryAccess, ObjectEditView):
    model = Contact
    form_class = forms.ContactForm
    title_create = _("Add contact")
    title_update = _("Edit contact")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.contact_save(user=self.request.user, contact=instance)


class ContactDeleteView(RecordDeleteView):
    model = Contact


class CertificationListView(RegistryAccess, ObjectListView):
    model = Certification
    title = _("Certifications")
    columns = [
        Column("scheme", _("scheme"), link=True, sort="scheme"),
        Column("organisation", _("organisation"), sort="organisation__name", order_by="organisation__sort_key"),
        Column("number", _("number")),
        Column("valid_until", _("valid until"), sort="valid_until"),
        Column("state_label", _("state")),
    ]
    search_fields = ("organisation__search_text", "number", "issuer", "scheme_other")
    filter_form_class = forms.CertificationFilterForm
    default_sort = "valid_until"
    create_url_name = "registry:certification_create"

    def base_queryset(self) -> QuerySet[Certification]:
        return Certification.objects.select_related("organisation")

    def filter_state(self, qs: QuerySet[Certification], value: str) -> QuerySet[Certification]:
        return selectors.certification_state_filter(qs, value)


class CertificationDetailView(RegistryAccess, ObjectDetailView):
    model = Certification
    template_name = "registry/record_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        fields = ["organisation", "scheme", "scheme_other", "number", "issuer", "valid_from", "valid_until", "state_label"]
        return {**super().get_context_data(**kwargs), "fields": fields, "evidence": self.object.evidence}


class CertificationEvidenceView(RegistryAccess, ObjectDetailView):
    """The evidence file, served only to users who may see the certification."""

    model = Certification

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from django.http import Http404

        cert = self.get_object()
        if not cert.evidence:
            raise Http404
        return attachment_response(cert.evidence.open("rb"), cert.evidence.name.rsplit("/", 1)[-1])


class CertificationEditView(RegistryAccess, ObjectEditView):
    model = Certification
    form_class = forms.CertificationForm
    title_create = _("Add certification")
    title_update = _("Edit certification")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.certification_save(user=self.request.user, certification=instance)


class CertificationDeleteView(RecordDeleteView):
    model = Certification


class AssetListView(RegistryAccess, ObjectListView):
    model = InformationAsset
    title = _("Information assets")
    columns = [
        Column("name", _("name"), link=True, sort="name"),
        Column("classification", _("classification"), sort="classification"),
        Column("has_personal_info", _("personal information")),
        Column("has_sensitive_personal_info", _("special-care (要配慮)")),
        Column("record_count", _("records"), sort="record_count"),
        Column("person_count", _("persons"), sort="person_count"),
        Column("group_company", _("owner")),
    ]
    search_fields = ("search_text",)
    default_sort = "name"
    create_url_name = "registry:asset_create"

    def base_queryset(self) -> QuerySet[InformationAsset]:
        return InformationAsset.objects.select_related("group_company")


class AssetDetailView(RegistryAccess, ObjectDetailView):
    model = InformationAsset
    template_name = "registry/asset_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["holdings"] = visible(DataHolding.objects.filter(asset=self.object), self.request.user).select_related(
            "holder", "received_from"
        )
        return ctx


class AssetEditView(RegistryAccess, ObjectEditView):
    model = InformationAsset
    form_class = forms.InformationAssetForm
    title_create = _("Add information asset")
    title_update = _("Edit information asset")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.asset_save(user=self.request.user, asset=instance)


class AssetDeleteView(RecordDeleteView):
    model = InformationAsset
    success_url_name = "registry:asset_list"


class HoldingListView(RegistryAccess, ObjectListView):
    model = DataHolding
    title = _("Data holdings")
    columns = [
        Column("asset", _("information asset"), link=True, sort="asset__name"),
        Column("holder", _("held by"), sort="holder__name", order_by="holder__sort_key"),
        Column("received_from", _("received from"), sort="received_from__name", order_by="received_from__sort_key"),
        Column("record_count", _("records"), sort="record_count"),
        Column("purpose", _("purpose")),
        Column("return_due", _("return or erasure due"), sort="return_due"),
        Column("return_flag", _("Return or erasure overdue")),
    ]
    search_fields = ("asset__search_text", "holder__search_text", "received_from__search_text", "purpose")
    filter_form_class = forms.HoldingFilterForm
    default_sort = "asset__name"
    create_url_name = "registry:holding_create"

    def base_queryset(self) -> QuerySet[DataHolding]:
        return DataHolding.objects.select_related("asset", "holder", "received_from")

    def filter_return_state(self, qs: QuerySet[DataHolding], value: str) -> QuerySet[DataHolding]:
        return selectors.return_overdue_holdings(qs) if value == "overdue" else qs


class HoldingDetailView(RegistryAccess, ObjectDetailView):
    model = DataHolding
    template_name = "registry/record_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        fields = ["asset", "holder", "received_from", "purpose", "record_count", "since", "retention", "return_due"]
        return {**super().get_context_data(**kwargs), "fields": fields}


class HoldingEditView(RegistryAccess, ObjectEditView):
    model = DataHolding
    form_class = forms.DataHoldingForm
    title_create = _("Add data holding")
    title_update = _("Edit data holding")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.holding_save(user=self.request.user, holding=instance)


class HoldingDeleteView(RecordDeleteView):
    model = DataHolding


class AccessListView(RegistryAccess, ObjectListView):
    model = SystemAccess
    title = _("System access")
    columns = [
        Column("organisation", _("organisation"), sort="organisation__name", order_by="organisation__sort_key"),
        Column("system", _("system or network"), link=True, sort="system"),
        Column("level", _("access level"), sort="level"),
        Column("account_count", _("accounts"), sort="account_count"),
    ]
    search_fields = ("organisation__search_text", "system", "notes")
    default_sort = "organisation__sort_key"
    create_url_name = "registry:access_create"

    def base_queryset(self) -> QuerySet[SystemAccess]:
        return SystemAccess.objects.select_related("organisation")


class AccessDetailView(RegistryAccess, ObjectDetailView):
    model = SystemAccess
    template_name = "registry/record_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        fields = ["organisation", "system", "level", "account_count", "notes"]
        return {**super().get_context_data(**kwargs), "fields": fields}


class AccessEditView(RegistryAccess, ObjectEditView):
    model = SystemAccess
    form_class = forms.SystemAccessForm
    title_create = _("Add system access")
    title_update = _("Edit system access")

    def save(self, *, form: Any, instance: Any) -> Any:
        return services.system_access_save(user=self.request.user, access=instance)


class AccessDeleteView(RecordDeleteView):
    model = SystemAccess
