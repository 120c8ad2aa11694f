"""Pages of the intake: the public form and status page (no login), and the CSIRT's triage pages.

The public pages are deliberately open (listed as such in tests/permissions/test_coverage.py). What guards
them: CSRF, a rate limit per client address on every write and every code lookup (429), a request
size limit checked before the form is read (413), a honeypot field that bots fill in (they are
told "thank you" and nothing is stored), and attachment checks in `services.check_attachments`.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.files.downloads import attachment_response
from renkei.core.files.uploads import limit_mb, request_too_large
from renkei.core.network import client_address
from renkei.core.permissions import can, get_visible_or_404, require
from renkei.core.public import public_language, public_response
from renkei.core.ratelimit import rate_limit_hit
from renkei.core.views.objects import Column, ObjectListView
from renkei.incidents.intake import services
from renkei.incidents.intake.forms import (
    CreateIncidentForm,
    FollowUpForm,
    IntakeFilterForm,
    IntakeForm,
    LookupForm,
    ReplyForm,
    TriageForm,
)
from renkei.incidents.intake.models import IntakeAttachment, IntakeReport
from renkei.incidents.permissions import CHANGE_INCIDENTS, VIEW_INCIDENTS

RECEIPT_SESSION_KEY = "renkei_intake_receipt"
REPORT_SESSION_KEY = "renkei_intake_report"
# How long a correct receipt code keeps the status page open in this browser.
STATUS_SESSION_SECONDS = 30 * 60
HONEYPOT_FIELD = "website"


def _limits(bucket: str) -> tuple[int, int]:
    """(attempts, window seconds) per client address; overridable in settings for tests or busy sites."""
    defaults = {"submit": (5, 3600), "lookup": (10, 3600), "followup": (10, 3600)}
    configured = getattr(settings, "RENKEI_INTAKE_RATE_LIMITS", {}) or {}
    return tuple(configured.get(bucket, defaults[bucket]))  # type: ignore[return-value]


def _over_limit(request: HttpRequest, bucket: str) -> bool:
    limit, window = _limits(bucket)
    return rate_limit_hit(bucket=f"intake:{bucket}", client=client_address(request), limit=limit, window_seconds=window)


def _too_many(request: HttpRequest) -> HttpResponse:
    _limit, window = _limits("submit")
    response = render(request, "incidents/intake/rate_limited.html", {"title": _("Too many requests")}, status=429)
    response["Retry-After"] = str(window)
    return response


# --- forms --------------------------------------------------------------------------------------


def _attachment_context() -> dict[str, Any]:
    return {
        "max_files": services.MAX_ATTACHMENTS,
        "max_mb": limit_mb(services.max_total_bytes()),
        "allowed_types": ", ".join(services.ALLOWED_TYPES),
        "accept": ",".join(f".{t}" for t in services.ALLOWED_TYPES),
        "honeypot": HONEYPOT_FIELD,
    }


# --- public: the form ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def intake_form(request: HttpRequest) -> HttpResponse:
    """The public reporting form (tip or partner report)."""
    public_language(request)
    if request.method == "GET":
        return _render_form(request, IntakeForm())
    if _over_limit(request, "submit"):
        return _too_many(request)
    if request_too_large(request):
        return _render_form(request, IntakeForm(), error=services.attachments_too_large(), status=413)
    form = IntakeForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, status=400)
    data = form.cleaned_data
    if data.get(HONEYPOT_FIELD):
        # Pretend success so the bot learns nothing; the code is never stored and matches nothing.
        request.session[RECEIPT_SESSION_KEY] = services.new_receipt_code()
        return redirect("intake:receipt")
    try:
        _report, code = services.intake_submit(
            kind=data["kind"],
            message=data["message"],
            anonymous=data["anonymous"],
            reporter_name=data["reporter_name"],
            reporter_email=data["reporter_email"],
            reporter_organisation=data["reporter_organisation"],
            files=request.FILES.getlist("attachments"),
        )
    except RenkeiError as exc:
        return _render_form(request, form, error=exc, status=exc.status)
    request.session[RECEIPT_SESSION_KEY] = code
    return redirect("intake:receipt")


def _render_form(
    request: HttpRequest, form: IntakeForm, *, error: RenkeiError | None = None, status: int = 200
) -> HttpResponse:
    attachment_error = None
    if error is not None:
        if error.field_name == "attachments":
            attachment_error = error.message
        else:
            errors_to_form(form, error)
    context = {"title": _("Report a security concern"), "form": form, "attachment_error": attachment_error,
               **services.public_operator(), **_attachment_context()}
    return public_response(request, "incidents/intake/form.html", context, status=status)


@never_cache
def intake_receipt(request: HttpRequest) -> HttpResponse:
    """The receipt code, shown once: it is taken out of the session as it is shown."""
    public_language(request)
    code = request.session.pop(RECEIPT_SESSION_KEY, None)
    if not code:
        return redirect("intake:status")
    return public_response(request, "incidents/intake/receipt.html", {"title": _("Thank you"), "code": code})


# --- public: the status page --------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def intake_status(request: HttpRequest) -> HttpResponse:
    """Enter the receipt code to see the status of a report and to add information."""
    public_language(request)
    form = LookupForm(request.POST or None)
    if request.method == "GET":
        return public_response(request, "incidents/intake/status_lookup.html", {"title": _("Check a report"), "form": form})
    if _over_limit(request, "lookup"):
        return _too_many(request)
    report = services.intake_find(code=form.data.get("code", "")) if form.is_valid() else None
    if report is None:
        # One message for a malformed, unknown or mistyped code: nothing to learn by probing.
        context = {"title": _("Check a report"), "form": LookupForm(),
                   "error": _("No report matches this receipt code.")}
        return public_response(request, "incidents/intake/status_lookup.html", context, status=400)
    request.session.cycle_key()
    request.session[REPORT_SESSION_KEY] = {"pk": report.pk, "at": time.time()}
    return redirect("intake:status_detail")


def _session_report(request: HttpRequest) -> IntakeReport | None:
    entry = request.session.get(REPORT_SESSION_KEY)
    if not isinstance(entry, dict) or time.time() - float(entry.get("at", 0)) > STATUS_SESSION_SECONDS:
        request.session.pop(REPORT_SESSION_KEY, None)
        return None
    pk = entry.get("pk")
    return IntakeReport.objects.filter(pk=pk).first() if isinstance(pk, int) else None


@never_cache
@require_http_methods(["GET", "POST"])
def intake_status_detail(request: HttpRequest) -> HttpResponse:
    """The report's status, our replies, and a form to add information (after the code was entered)."""
    public_language(request)
    report = _session_report(request)
    if report is None:
        return redirect("intake:status")
    form = FollowUpForm()
    error: RenkeiError | None = None
    status = 200
    if request.method == "POST":
        if _over_limit(request, "followup"):
            return _too_many(request)
        if request_too_large(request):
            error, status = services.attachments_too_large(), 413
        else:
            form = FollowUpForm(request.POST)
            if form.is_valid():
                try:
                    services.intake_add_information(
                        report=report, text=form.cleaned_data["text"], files=request.FILES.getlist("attachments")
                    )
                except RenkeiError as exc:
                    error, status = exc, exc.status
                else:
                    messages.success(request, _("Thank you. Your information was added."))
                    return redirect("intake:status_detail")
            else:
                status = 400
    context = {
        "title": _("Your report"), "report": services.reporter_view(report), "form": form,
        "attachment_error": error.message if error and error.field_name == "attachments" else None,
        "error": error.message if error and error.field_name != "attachments" else None,
        **_attachment_context(),
    }
    return public_response(request, "incidents/intake/status_detail.html", context, status=status)


@require_POST
def intake_status_end(request: HttpRequest) -> HttpResponse:
    """Close the status page in this browser (on a shared computer, the next person sees nothing)."""
    request.session.pop(REPORT_SESSION_KEY, None)
    return redirect("intake:status")


# Mounted at a stable public address by the project's urls.py: path("report/", include(...)).


# --- CSIRT: triage ------------------------------------------------------------------------------


class IntakeListView(ObjectListView):
    """Intake / 受付: reports from the public form, newest activity first."""

    permission_action = VIEW_INCIDENTS
    change_action = CHANGE_INCIDENTS
    model = IntakeReport
    title = gettext_lazy("Intake")
    columns = [
        Column("receipt_prefix", gettext_lazy("receipt"), link=True),
        Column("kind", gettext_lazy("kind"), sort="kind"),
        Column("status", gettext_lazy("status"), sort="status"),
        Column("created_at", gettext_lazy("received"), sort="created_at"),
        Column("updated_at", gettext_lazy("last activity"), sort="updated_at"),
        Column("anonymous", gettext_lazy("anonymous")),
        Column("message_count", gettext_lazy("follow-ups")),
        Column("attachment_count", gettext_lazy("attachments")),
        Column("incident", gettext_lazy("incident")),
    ]
    search_fields = ("receipt_prefix", "message", "reporter_name", "reporter_organisation")
    filter_form_class = IntakeFilterForm
    filter_lookups = {"status": "status", "kind": "kind"}
    default_sort = "-updated_at"

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        return qs.select_related("incident").annotate(**services.count_annotations())


def _staff_report(request: HttpRequest, pk: int) -> IntakeReport:
    require(request.user, VIEW_INCIDENTS)
    return get_visible_or_404(IntakeReport.objects.select_related("incident", "group_company"), request.user, pk=pk)


def _render_detail(request: HttpRequest, report: IntakeReport, *, status: int = 200, **forms_: Any) -> HttpResponse:
    context = {
        "title": _("Intake report {prefix}").format(prefix=report.receipt_prefix),
        "object": report,
        "conversation": report.messages.order_by("at", "pk"),
        "attachments": report.attachments.order_by("pk"),
        "can_change": can(request.user, CHANGE_INCIDENTS),
        "triage_form": forms_.get("triage_form")
        or TriageForm(initial={"status": report.status, "public_status_note": report.public_status_note}),
        "reply_form": forms_.get("reply_form") or ReplyForm(),
        "incident_form": forms_.get("incident_form") or CreateIncidentForm(),
    }
    return render(request, "incidents/intake/detail.html", context, status=status)


@login_required
def intake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One intake report with its conversation and attachments; triage forms for the CSIRT."""
    return _render_detail(request, _staff_report(request, pk))


def _report_to_change(request: HttpRequest, pk: int) -> IntakeReport:
    report = _staff_report(request, pk)
    require(request.user, CHANGE_INCIDENTS)
    return report


@require_POST
@login_required
def intake_triage(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the status and the note the reporter sees."""
    report = _report_to_change(request, pk)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            services.intake_set_status(user=request.user, report=report, **form.cleaned_data)
        except RenkeiError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(report.get_absolute_url())
    report.refresh_from_db()
    return _render_detail(request, report, status=400, triage_form=form)


@require_POST
@login_required
def intake_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Reply to the reporter (shown on the public status page)."""
    report = _report_to_change(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.intake_reply(user=request.user, report=report, text=form.cleaned_data["text"])
        except RenkeiError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The reply is visible to the reporter."))
            return HttpResponseRedirect(report.get_absolute_url())
    return _render_detail(request, report, status=400, reply_form=form)


@require_POST
@login_required
def intake_create_incident(request: HttpRequest, pk: int) -> HttpResponse:
    """Open an incident from the report and link them."""
    report = _report_to_change(request, pk)
    form = CreateIncidentForm(request.POST)
    if form.is_valid():
        try:
            incident = services.intake_create_incident(user=request.user, report=report, title=form.cleaned_data["title"])
        except RenkeiError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Incident opened from the report."))
            return HttpResponseRedirect(incident.get_absolute_url())
    return _render_detail(request, report, status=400, incident_form=form)


@login_required
def intake_attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Download an attachment; always as a download, never shown inline (it came from outside)."""
    require(request.user, VIEW_INCIDENTS)
    attachment = IntakeAttachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404(_("Not found."))
    _staff_report(request, attachment.report_id)  # the report's scope decides: out of scope is 404
    if not attachment.file:
        raise Http404(_("Not found."))
    return attachment_response(attachment.file.open("rb"), attachment.name)
