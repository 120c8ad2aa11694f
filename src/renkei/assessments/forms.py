"""Forms of the staff pages of the assessments app. Choices are limited to what the user may see;
writes still go through the services, which check the scope again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from renkei.accounts.services import PORTAL_LINK_MAX_DAYS
from renkei.assessments.models import (
    AssessmentPolicy,
    Assignment,
    AssignmentStatus,
    AssuranceLevel,
    Campaign,
    CampaignStatus,
    FollowUp,
    FollowUpOwner,
    FollowUpSeverity,
    FollowUpStatus,
    Framework,
    FrameworkOrigin,
)
from renkei.core.forms import ScopedModelForm
from renkei.core.permissions import visible
from renkei.core.tenancy import allowed_company_ids, group_companies, is_group_company, is_unrestricted
from renkei.registry.models import OUR_KINDS, Criticality, Organisation, OrganisationKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LANGUAGES = [("ja", "日本語"), ("en", "English")]


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *list(choices)]


def our_companies(user: Any) -> Any:
    """The group companies the user may put records under."""
    qs = visible(group_companies(), user).order_by("kind", "name")
    ids = allowed_company_ids(user)
    return qs if ids is None else qs.filter(pk__in=ids)


def usable_frameworks(user: Any, company_id: int | None = None) -> Any:
    """Active frameworks the user may see (and, given a company, that this company may use)."""
    qs = visible(Framework.objects.filter(is_active=True), user)
    if company_id is not None:
        qs = qs.filter(Q(group_company__isnull=True) | Q(group_company_id=company_id))
    return qs.order_by("name_ja", "-version")


class FrameworkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


# --- required levels, links, policy ------------------------------------------------------------


class OverrideForm(forms.Form):
    level = forms.ChoiceField(label=_("required level"), choices=AssuranceLevel.choices)
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Give the reason for overriding the proposed level.")},
    )


class LinkIssueForm(forms.Form):
    days = forms.IntegerField(
        label=_("valid for (days)"), min_value=1, max_value=PORTAL_LINK_MAX_DAYS, initial=90,
        help_text=_("1 to {days} days.").format(days=PORTAL_LINK_MAX_DAYS),
    )
    purpose = forms.CharField(label=_("purpose"), max_length=200, required=False)
    sent_to = forms.CharField(
        label=_("sent to"), max_length=500, required=False, help_text=_("To whom you will pass the link (for the record).")
    )


class AssignmentCreateForm(forms.Form):
    framework = FrameworkChoiceField(label=_("framework"), queryset=Framework.objects.none())
    due_date = forms.DateField(label=_("due date"), widget=DATE)
    language = forms.ChoiceField(label=_("language"), choices=LANGUAGES, initial="ja")
    invite = forms.BooleanField(label=_("E-mail the invitation with a portal link"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = usable_frameworks(user, organisation.group_company_id)  # type: ignore[attr-defined]
        if is_group_company(organisation):
            del self.fields["invite"]


class PolicyForm(forms.ModelForm):
    class Meta:
        model = AssessmentPolicy
        fields = [
            "months_critical",
            "months_high",
            "months_medium",
            "months_low",
            "reminder_days_before",
            "overdue_reminder_days",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("months_critical", "months_high", "months_medium", "months_low"):
            value = data.get(name)
            if value is not None and not 1 <= value <= 120:
                self.add_error(name, _("Between 1 and 120 months."))
        return data


class PartyFilterForm(forms.Form):
    level = forms.ChoiceField(label=_("required level"), required=False, choices=_blank(AssuranceLevel.choices))
    overdue = forms.BooleanField(label=_("overdue only"), required=False)
    criticality = forms.ChoiceField(label=_("criticality"), required=False, choices=_blank(Criticality.choices))
    kind = forms.ChoiceField(
        label=_("kind"),
        required=False,
        choices=_blank([(k, v) for k, v in OrganisationKind.choices if k not in OUR_KINDS]),
    )
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("Active")), ("offboarded", _("Offboarded")), ("all", _("All"))],
    )


# --- frameworks --------------------------------------------------------------------------------


class FrameworkFilterForm(forms.Form):
    active = forms.ChoiceField(
        label=_("available"),
        required=False,
        choices=[("", "—"), ("yes", pgettext_lazy("framework", "Active")), ("no", _("Retired"))],
    )
    origin = forms.ChoiceField(label=_("origin"), required=False, choices=_blank(FrameworkOrigin.choices))


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(label=_("framework file (YAML)"))
    group_company = forms.ModelChoiceField(
        label=_("available to"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("The whole group"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group_company"]
        field.queryset = our_companies(user)  # type: ignore[attr-defined]
        if not is_unrestricted(user):
            # Only a user with access to the whole group can add a framework for the whole group.
            field.required = True
            field.empty_label = None  # type: ignore[attr-defined]


# --- campaigns ---------------------------------------------------------------------------------


class CampaignForm(ScopedModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "framework", "group_company", "due_date", "message"]
        widgets = {"due_date": DATE, "message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        framework = self.fields["framework"]
        qs = usable_frameworks(self.user)
        if self.instance.pk and self.instance.framework_id:
            qs = Framework.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk=self.instance.framework_id))
        framework.queryset = qs.order_by("name_ja", "-version")  # type: ignore[attr-defined]
        framework.label_from_instance = str  # type: ignore[attr-defined]
        company = self.fields["group_company"]
        choices = list(company.queryset[:2])  # type: ignore[attr-defined]
        if not self.instance.pk and len(choices) == 1:
            company.initial = choices[0].pk
        if self.instance.pk and self.instance.status != CampaignStatus.DRAFT:
            # Launched: the assignments exist; only the name, message and due date may change.
            framework.disabled = True
            company.disabled = True


class CampaignFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, choices=_blank(CampaignStatus.choices))


class CampaignPartiesForm(forms.Form):
    """The filter parties are chosen by (kept in campaign.party_filter)."""

    kind = forms.ChoiceField(
        label=_("kind"),
        required=False,
        choices=_blank([(k, v) for k, v in OrganisationKind.choices if k not in OUR_KINDS]),
    )
    criticality = forms.MultipleChoiceField(
        label=_("criticality"), required=False, choices=Criticality.choices, widget=forms.CheckboxSelectMultiple
    )
    tag = forms.CharField(label=_("tag"), required=False, max_length=50)
    tier_max = forms.IntegerField(label=_("tier at most"), required=False, min_value=0, max_value=50)
    level = forms.ChoiceField(label=_("required level"), required=False, choices=_blank(AssuranceLevel.choices))
    due = forms.BooleanField(label=_("due for reassessment"), required=False)

    def as_filter(self) -> dict[str, Any]:
        """The cleaned filter without empty values (JSON-safe, stored on the campaign)."""
        data = self.cleaned_data
        return {k: v for k, v in data.items() if v not in (None, "", [], False)}


# --- assessments and review --------------------------------------------------------------------


ASSIGNMENT_STATUS_FILTER = [
    ("", "—"),
    *AssignmentStatus.choices,
    ("overdue", _("Overdue")),
    ("open", pgettext_lazy("filter", "Open")),
]


class AssignmentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, choices=ASSIGNMENT_STATUS_FILTER)
    framework = forms.ModelChoiceField(label=_("framework"), required=False, queryset=Framework.objects.none())
    campaign = forms.ModelChoiceField(label=_("campaign"), required=False, queryset=Campaign.objects.none())
    party = forms.CharField(label=_("party"), required=False, max_length=100)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = visible(Framework.objects.all(), user).order_by("name_ja")  # type: ignore[attr-defined]
        self.fields["framework"].label_from_instance = str  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = visible(Campaign.objects.all(), user).order_by("-created_at")  # type: ignore[attr-defined]


class CampaignAssignmentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, choices=ASSIGNMENT_STATUS_FILTER)
    party = forms.CharField(label=_("party"), required=False, max_length=100)


class AnswerReviewForm(forms.Form):
    state = forms.ChoiceField(
        choices=[("accepted", _("Accept")), ("change_requested", _("Request a change")), ("pending", _("Not reviewed"))]
    )
    comment = forms.CharField(label=_("comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    message = forms.CharField(
        label=_("message to the party"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The change requests on single answers are sent with it."),
    )


class DeclarationAcceptForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("registry record"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("Match by corporate number or name, else add a new one"),
    )

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = queryset  # type: ignore[attr-defined]


class DeclarationRejectForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, max_length=2000)


# --- follow-up items ---------------------------------------------------------------------------


def colleagues(user: Any) -> Any:
    """Users a follow-up item can be given to: the user's colleagues (or everybody, for headquarters)."""
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    ids = allowed_company_ids(user)
    if ids is not None:
        users = users.filter(Q(group_companies__in=ids) | Q(group_companies__isnull=True)).distinct()
    return users


class FollowUpForm(ScopedModelForm):
    class Meta:
        model = FollowUp
        fields = ["organisation", "assignment", "title", "description", "severity", "owner", "owner_user", "due_date", "status"]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignments = visible(Assignment.objects.select_related("organisation", "framework"), self.user)
        organisation_id = self.instance.organisation_id or self.initial.get("organisation") or self.data.get("organisation")
        if organisation_id and str(organisation_id).isdigit():
            assignments = assignments.filter(organisation_id=int(organisation_id))
        self.fields["assignment"].queryset = assignments.order_by("-created_at")  # type: ignore[attr-defined]
        self.fields["owner_user"].queryset = colleagues(self.user)  # type: ignore[attr-defined]


FOLLOW_UP_STATUS_FILTER = [
    ("", pgettext_lazy("filter", "Open")),
    ("overdue", _("Overdue")),
    ("closed", _("Closed")),
    ("all", _("All")),
    *FollowUpStatus.choices,
]


class FollowUpFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, choices=FOLLOW_UP_STATUS_FILTER)
    severity = forms.ChoiceField(label=_("severity"), required=False, choices=_blank(FollowUpSeverity.choices))
    owner = forms.ChoiceField(
        label=pgettext_lazy("follow-up", "owner"),
        required=False,
        choices=[*_blank(FollowUpOwner.choices), ("mine", _("Given to me"))],
    )
    party = forms.CharField(label=_("party"), required=False, max_length=100)


class FollowUpMessageForm(forms.Form):
    body = forms.CharField(
        label=pgettext_lazy("follow-up", "message"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(label=_("new status"), required=False, choices=[("", _("(unchanged)")), *FollowUpStatus.choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("status"):
            raise forms.ValidationError(_("Write a message."))
        return data
