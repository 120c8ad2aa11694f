"""Forms of the intake: the reporter's (report, look-up by receipt code, follow-up) and the CSIRT's
(triage, reply, create an incident, filter the list)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from renkei.incidents.intake import services
from renkei.incidents.intake.models import IntakeKind, IntakeStatus


class IntakeForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What are you reporting?"), choices=IntakeKind.choices, widget=forms.RadioSelect,
        initial=IntakeKind.TIP,
    )
    message = forms.CharField(
        label=gettext_lazy("What happened?"), widget=forms.Textarea(attrs={"rows": 8}),
        max_length=services.MAX_MESSAGE_CHARS,
        help_text=gettext_lazy("What you saw, when, and which company or system it concerns."),
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("Report anonymously"), required=False,
        help_text=gettext_lazy("We will not store your name, e-mail address or organisation."),
    )
    reporter_name = forms.CharField(label=gettext_lazy("Your name"), required=False, max_length=200)
    reporter_email = forms.EmailField(label=gettext_lazy("Your e-mail address"), required=False)
    reporter_organisation = forms.CharField(label=gettext_lazy("Your organisation"), required=False, max_length=200)
    # The honeypot: hidden from people by CSS, filled in by bots that fill in every field.
    website = forms.CharField(
        required=False, label=gettext_lazy("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class LookupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Receipt code"), max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Additional information"), widget=forms.Textarea(attrs={"rows": 5}),
        max_length=services.MAX_MESSAGE_CHARS,
    )


class TriageForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("status"), choices=IntakeStatus.choices)
    public_status_note = forms.CharField(
        label=gettext_lazy("status note for the reporter"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown to the reporter with the receipt code."),
    )


class ReplyForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Reply to the reporter"), widget=forms.Textarea(attrs={"rows": 4}))


class CreateIncidentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), required=False, max_length=300)


class IntakeFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("status"), required=False,
                               choices=[("", "---------"), *IntakeStatus.choices])
    kind = forms.ChoiceField(label=gettext_lazy("kind"), required=False,
                             choices=[("", "---------"), *IntakeKind.choices])
