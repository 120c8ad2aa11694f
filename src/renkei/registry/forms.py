"""Forms for registry pages. Choices are limited to what the user may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import check_size
from renkei.core.forms import DATE, ScopedModelForm
from renkei.registry.models import (
    Certification,
    Contact,
    Criticality,
    DataHolding,
    InformationAsset,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Relationship,
    RelationshipType,
    SystemAccess,
)

CONFIRM_DUPLICATE = "confirm_duplicate"


class OrganisationForm(ScopedModelForm):
    duplicates: Any = None

    tag_names = forms.CharField(
        label=_("tags"), required=False, help_text=_("Comma-separated, e.g. 個人情報, 重要委託先")
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "name_reading",
            "corporate_number",
            "kind",
            "group_company",
            "country",
            "address",
            "web_domains",
            "criticality",
            "status",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group_company"].required = False
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def clean_corporate_number(self) -> str:
        from renkei.registry.validators import normalise_corporate_number

        return normalise_corporate_number(self.cleaned_data.get("corporate_number") or "")

    def clean_web_domains(self) -> str:
        from renkei.registry.validators import normalise_domains

        return normalise_domains(self.cleaned_data.get("web_domains") or "")

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").strip().upper()

    def tag_list(self) -> list[str]:
        raw = self.cleaned_data.get("tag_names") or ""
        return [t.strip() for t in raw.replace("、", ",").split(",") if t.strip()]

    # The confirmation checkbox is added only once possible duplicates were shown (show_duplicates),
    # so an ordinary first submit always runs the check; sending it unasked is an explicit choice.
    def duplicate_confirmed(self, data: Any) -> bool:
        return str(data.get(CONFIRM_DUPLICATE, "")).lower() in {"on", "true", "1"}

    def show_duplicates(self, duplicates: Any) -> None:
        """Show the possible duplicates above the form and ask for the explicit confirmation."""
        self.duplicates = duplicates
        self.fields[CONFIRM_DUPLICATE] = forms.BooleanField(label=_("Not a duplicate: save it"), required=False)


class RelationshipForm(ScopedModelForm):
    class Meta:
        model = Relationship
        fields = ["client", "provider", "type", "service", "start_date", "end_date", "redelegation_approved", "group_company"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group_company"].required = False
        self.fields["redelegation_approved"].widget = forms.Select(
            choices=[("", _("Unknown")), ("true", _("Yes")), ("false", _("No"))]
        )
        self.fields["redelegation_approved"] = forms.NullBooleanField(
            label=_("re-delegation approved"),
            required=False,
            widget=forms.Select(choices=[("unknown", _("Unknown")), ("true", _("Yes")), ("false", _("No"))]),
        )


class ContactForm(ScopedModelForm):
    class Meta:
        model = Contact
        fields = ["organisation", "name", "name_reading", "role", "email", "phone", "verified_on"]
        widgets = {"verified_on": DATE}


class CertificationForm(ScopedModelForm):
    class Meta:
        model = Certification
        fields = ["organisation", "scheme", "scheme_other", "number", "issuer", "valid_from", "valid_until", "evidence"]
        widgets = {"valid_from": DATE, "valid_until": DATE}

    def clean_evidence(self) -> Any:
        upload = self.cleaned_data.get("evidence")
        if upload:
            try:
                check_size(getattr(upload, "size", None))
            except RenkeiError as exc:
                raise forms.ValidationError(exc.message) from exc
        return upload


class InformationAssetForm(ScopedModelForm):
    class Meta:
        model = InformationAsset
        fields = [
            "name",
            "group_company",
            "classification",
            "has_personal_info",
            "has_sensitive_personal_info",
            "record_count",
            "person_count",
            "owning_department",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group_company"].required = False


class DataHoldingForm(ScopedModelForm):
    visible_choice_fields = ("asset",)

    class Meta:
        model = DataHolding
        fields = ["asset", "holder", "received_from", "purpose", "record_count", "since", "retention", "return_due"]
        widgets = {"since": DATE, "return_due": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_from"].required = False
        self.fields["received_from"].help_text = _("Leave empty when the data comes straight from the owning company.")


class SystemAccessForm(ScopedModelForm):
    class Meta:
        model = SystemAccess
        fields = ["organisation", "system", "level", "account_count", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


# --- list filters -------------------------------------------------------------------------------

def _choices_with_blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *list(choices)]


class OrganisationFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=_choices_with_blank(OrganisationKind.choices))
    tier = forms.ChoiceField(
        label=_("tier"),
        required=False,
        choices=[("", "—"), ("0", "0"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5+", "5+"), ("none", _("Not connected"))],
    )
    criticality = forms.ChoiceField(
        label=_("criticality"), required=False, choices=_choices_with_blank(Criticality.choices)
    )
    status = forms.ChoiceField(label=_("status"), required=False, choices=_choices_with_blank(OrganisationStatus.choices))
    tag = forms.CharField(label=_("tag"), required=False, widget=forms.TextInput(attrs={"size": 10}))
    certification = forms.ChoiceField(
        label=_("certification"),
        required=False,
        choices=[("", "—"), ("expiring", _("Expiring soon")), ("expired", _("Expired")), ("none", _("None"))],
    )


class RelationshipFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("type"), required=False, choices=_choices_with_blank(RelationshipType.choices))


class CertificationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("state"),
        required=False,
        choices=[("", "—"), ("valid", _("Valid")), ("expiring", _("Expiring soon")), ("expired", _("Expired"))],
    )


class HoldingFilterForm(forms.Form):
    return_state = forms.ChoiceField(
        label=_("return or erasure"), required=False, choices=[("", "—"), ("overdue", _("Return or erasure overdue"))]
    )
