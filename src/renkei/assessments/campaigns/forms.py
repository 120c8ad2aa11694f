"""Forms of the required-level, link, policy and campaign pages. Choices are limited to what the
user may see; writes still go through the services, which check the scope again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from renkei.accounts.services import PORTAL_LINK_MAX_DAYS
from renkei.assessments.forms import DATE, LANGUAGES, FrameworkChoiceField, blank_choice, usable_frameworks
from renkei.assessments.models import (
    AssessmentPolicy,
    AssignmentStatus,
    AssuranceLevel,
    Campaign,
    CampaignStatus,
    Framework,
)
from renkei.core.forms import ScopedModelForm
from renkei.core.permissions import visible
from renkei.core.tenancy import is_group_company
from renkei.registry.models import OUR_KINDS, Criticality, Organisation, OrganisationKind

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
    level = forms.ChoiceField(label=_("required level"), required=False, choices=blank_choice(AssuranceLevel.choices))
    overdue = forms.BooleanField(label=_("Overdue for assessment"), required=False)
    criticality = forms.ChoiceField(label=_("criticality"), required=False, choices=blank_choice(Criticality.choices))
    kind = forms.ChoiceField(
        label=_("kind"),
        required=False,
        choices=blank_choice([(k, v) for k, v in OrganisationKind.choices if k not in OUR_KINDS]),
    )
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("Active")), ("offboarded", _("Offboarded")), ("all", _("All"))],
    )


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
    status = forms.ChoiceField(label=_("status"), required=False, choices=blank_choice(CampaignStatus.choices))


class CampaignPartiesForm(forms.Form):
    """The filter parties are chosen by (kept in campaign.party_filter)."""

    kind = forms.ChoiceField(
        label=_("kind"),
        required=False,
        choices=blank_choice([(k, v) for k, v in OrganisationKind.choices if k not in OUR_KINDS]),
    )
    criticality = forms.MultipleChoiceField(
        label=_("criticality"), required=False, choices=Criticality.choices, widget=forms.CheckboxSelectMultiple
    )
    tag = forms.CharField(label=_("tag"), required=False, max_length=50)
    tier_max = forms.IntegerField(label=_("tier at most"), required=False, min_value=0, max_value=50)
    level = forms.ChoiceField(label=_("required level"), required=False, choices=blank_choice(AssuranceLevel.choices))
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
