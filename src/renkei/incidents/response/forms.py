"""Forms for the incident pages. Choices are limited to what the user may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from renkei.core.files.uploads import INCIDENT_ATTACHMENT_TYPES, accept_attribute, allowed_list
from renkei.core.forms import ScopedModelForm
from renkei.core.permissions import visible
from renkei.core.tenancy import allowed_company_ids
from renkei.incidents.response.models import (
    CostEntry,
    Incident,
    IncidentAsset,
    IncidentStatus,
    IncidentTask,
    Inquiry,
    NotificationEntry,
    Playbook,
    PlaybookStep,
    PlaybookTask,
    ReplyTemplate,
    ResponseRole,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UNKNOWN_YES_NO = [("unknown", _("Unknown")), ("true", _("Yes")), ("false", _("No"))]


def tristate(label: Any, help_text: Any = "") -> forms.NullBooleanField:
    return forms.NullBooleanField(
        label=label, required=False, help_text=help_text, widget=forms.Select(choices=UNKNOWN_YES_NO)
    )


class IncidentsModelForm(ScopedModelForm):
    """Scoped choices (organisations, assets, group companies) plus the incidents app's own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateTimeField):
                field.widget = DATETIME
            elif isinstance(field, forms.DateField):
                field.widget = DATE
        if "playbook" in self.fields:
            field = self.fields["playbook"]
            field.queryset = visible(Playbook.objects.all(), self.user).order_by("-is_default", "name")  # type: ignore[attr-defined]
        if "owner" in self.fields:
            users = get_user_model().objects.filter(is_active=True).order_by("username")
            ids = allowed_company_ids(self.user)
            if ids is not None:
                # A limited user assigns tasks to colleagues of its companies or to headquarters users.
                users = users.filter(Q(group_companies__in=ids) | Q(group_companies__isnull=True)).distinct()
            self.fields["owner"].queryset = users  # type: ignore[attr-defined]
        if "group_company" in self.fields:
            self.fields["group_company"].required = False


APPI_FIELDS = [
    "appi_sensitive",
    "appi_financial_risk",
    "appi_wrongful_purpose",
    "persons_estimate",
    "appi_encrypted",
    "appi_key_leaked",
    "our_role",
    "principal",
    "prelim_start_days",
]


class IncidentOpenForm(IncidentsModelForm):
    playbook = forms.ModelChoiceField(
        label=_("playbook"),
        queryset=Playbook.objects.none(),
        required=False,
        help_text=_("Empty: the company's default flow."),
    )

    class Meta:
        model = Incident
        fields = [
            "title",
            "learned_at",
            "occurred_at",
            "source",
            "category",
            "severity",
            "group_company",
            "parties",
            "our_role",
            "principal",
            "description",
            "persons_estimate",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "parties": forms.SelectMultiple(attrs={"size": 8})}
        help_texts = {
            "parties": _("The registry proposes the assets these parties hold; you confirm each on the incident."),
            "persons_estimate": _(
                "Persons, not records. Empty: proposed from the affected assets, for you to confirm."
            ),
        }


class IncidentForm(IncidentsModelForm):
    class Meta:
        model = Incident
        fields = [
            "title",
            "learned_at",
            "occurred_at",
            "source",
            "category",
            "severity",
            "status",
            "parties",
            "description",
            *APPI_FIELDS,
            "after_action_note",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "after_action_note": forms.Textarea(attrs={"rows": 4}),
            "parties": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["appi_sensitive"] = tristate(Incident._meta.get_field("appi_sensitive").verbose_name)
        self.fields["appi_financial_risk"] = tristate(Incident._meta.get_field("appi_financial_risk").verbose_name)
        self.fields["appi_wrongful_purpose"] = tristate(Incident._meta.get_field("appi_wrongful_purpose").verbose_name)
        self.fields["appi_key_leaked"] = tristate(
            Incident._meta.get_field("appi_key_leaked").verbose_name,
            Incident._meta.get_field("appi_key_leaked").help_text,
        )
        if not self.instance.is_drill:
            del self.fields["after_action_note"]


class AppiForm(IncidentsModelForm):
    """The four questions, the encryption exemption and our role, on the APPI panel."""

    class Meta:
        model = Incident
        fields = APPI_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["appi_sensitive"] = tristate(
            _("Is special-care personal information involved?"), _("e.g. health, criminal record, beliefs.")
        )
        self.fields["appi_financial_risk"] = tristate(
            _("Is there a risk of financial damage?"), _("e.g. card numbers, bank or shop log-ins.")
        )
        self.fields["appi_wrongful_purpose"] = tristate(
            _("Is a wrongful purpose suspected?"), _("e.g. unauthorised access, theft, an insider.")
        )
        self.fields["persons_estimate"].label = _("How many persons are affected?")
        help_text: Any = _(
            "Persons, not records: the same person may appear in many records. Empty: not answered yet."
        )
        if self.instance.pk is not None:
            from renkei.incidents.response.selectors import persons_proposal

            proposal = persons_proposal(self.instance)
            if proposal.at_least is not None:
                help_text = format_lazy(
                    "{} {}",
                    help_text,
                    _("The affected assets suggest at least {n} persons.").format(n=f"{proposal.at_least:,}"),
                )
        self.fields["persons_estimate"].help_text = help_text
        self.fields["appi_key_leaked"] = tristate(
            _("Did the decryption key leak too?"),
            _("Only with “No” here does strong encryption exempt the incident from reporting."),
        )


class PersonsConfirmForm(forms.Form):
    persons = forms.IntegerField(label=_("persons"), min_value=0)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=IncidentStatus.choices)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TimelineForm(forms.Form):
    text = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    at = forms.DateTimeField(label=_("when"), required=False, widget=DATETIME, help_text=_("Empty: now."))


class IncidentAssetForm(IncidentsModelForm):
    visible_choice_fields = ("asset",)

    class Meta:
        model = IncidentAsset
        fields = ["asset", "records", "persons", "note"]


class AssetProposalsForm(forms.Form):
    """The assets the registry proposes for the involved parties: one box each, ticked in advance
    only for what a party holds (`asset_proposals`)."""

    asset_ids = forms.TypedMultipleChoiceField(
        label=_("Assets to add"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, proposals: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"asset_ids": [p.asset_id for p in proposals if p.selected]})
        super().__init__(*args, **kwargs)
        self.fields["asset_ids"].choices = [(p.asset_id, p.name) for p in proposals]  # type: ignore[attr-defined]


class TaskForm(IncidentsModelForm):
    class Meta:
        model = IncidentTask
        fields = ["title", "step_name", "owner_kind", "owner", "due_at", "status"]


class TaskMoveForm(forms.Form):
    status = forms.ChoiceField(choices=IncidentTask._meta.get_field("status").choices)  # type: ignore[arg-type]


class InquiryForm(IncidentsModelForm):
    template = forms.ModelChoiceField(
        label=_("reply template"),
        queryset=ReplyTemplate.objects.none(),
        required=False,
        help_text=_("Fills an empty answer with the template."),
    )

    class Meta:
        model = Inquiry
        fields = ["received_at", "channel", "requester", "question", "template", "answer", "answered_at"]
        widgets = {"question": forms.Textarea(attrs={"rows": 3}), "answer": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = visible(ReplyTemplate.objects.all(), self.user)  # type: ignore[attr-defined]
        self.fields["received_at"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        template = data.get("template")
        if template is not None and not (data.get("answer") or "").strip():
            data["answer"] = template.body
            self.instance.answer = template.body
        return data


class CostForm(IncidentsModelForm):
    class Meta:
        model = CostEntry
        fields = ["kind", "party", "amount", "currency", "date", "note"]


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("file"),
        help_text=format_lazy(_("Allowed: {types}."), types=allowed_list(INCIDENT_ATTACHMENT_TYPES)),
        widget=forms.ClearableFileInput(attrs={"accept": accept_attribute(INCIDENT_ATTACHMENT_TYPES)}),
    )


class NotificationForm(IncidentsModelForm):
    class Meta:
        model = NotificationEntry
        fields = ["category", "recipient", "organisation", "role", "reason", "deadline", "status", "sent_at", "what_sent"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2}), "what_sent": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = visible(ResponseRole.objects.all(), self.user)  # type: ignore[attr-defined]


class ResponseRoleForm(IncidentsModelForm):
    class Meta:
        model = ResponseRole
        fields = [
            "kind",
            "name",
            "organisation_name",
            "department",
            "email",
            "phone",
            "escalation_level",
            "group_company",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class PlaybookForm(IncidentsModelForm):
    class Meta:
        model = Playbook
        fields = ["name", "description", "is_default", "group_company"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PlaybookStepForm(IncidentsModelForm):
    class Meta:
        model = PlaybookStep
        fields = ["order", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PlaybookTaskForm(IncidentsModelForm):
    class Meta:
        model = PlaybookTask
        fields = ["title", "owner_kind", "due_hours", "deadline_key"]


class ReplyTemplateForm(IncidentsModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ["name", "body", "group_company"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}


class DrillForm(forms.Form):
    title = forms.CharField(label=_("title"), required=False, max_length=300, help_text=_("Empty: named after the playbook."))


class IncidentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", "—"), *IncidentStatus.choices])
    severity = forms.ChoiceField(
        label=_("severity"), required=False, choices=[("", "—"), *Incident._meta.get_field("severity").choices]  # type: ignore[misc]
    )
    show = forms.ChoiceField(
        label=_("show"), required=False, choices=[("", _("Incidents")), ("drills", _("Drills"))]
    )
