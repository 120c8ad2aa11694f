"""Assessments: the list across parties and campaigns, and the review page of one assessment —
scores, level readiness, the radar chart of maturity frameworks, every answer with the last
cycle's and its thread, review controls per answer (htmx, with a plain-form fallback), accepting
or returning the whole assessment, proposed follow-ups, declared subcontractors, resending the
invitation and deleting an assessment nobody started."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from renkei.assessments import notifications, scoring
from renkei.assessments.answering import selectors as answer_selectors
from renkei.assessments.campaigns import forms as campaign_forms
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.campaigns.party_views import score_text, with_scores
from renkei.assessments.campaigns.views import filter_assignments
from renkei.assessments.followups import services as followup_services
from renkei.assessments.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    Evidence,
    FollowUp,
    FollowUpSeverity,
    Question,
    ReviewComment,
    SubcontractorDeclaration,
)
from renkei.assessments.review import forms as review_forms
from renkei.assessments.review import selectors as review_selectors
from renkei.assessments.review import services as review_services
from renkei.assessments.views import (
    WRITE,
    StaffActionView,
    StaffConfirmView,
    StaffDeleteView,
    StaffDetailView,
    StaffListView,
    is_htmx,
    optional_url,
)
from renkei.core.errors import RenkeiError
from renkei.core.permissions import can, get_visible_or_404, visible
from renkei.core.tenancy import is_group_company
from renkei.core.views.objects import Column, RenkeiViewMixin
from renkei.registry.models import OUR_KINDS, Organisation

MATURITY_MAX = 5


def assignment_queryset() -> QuerySet[Assignment]:
    return Assignment.objects.select_related("organisation", "framework", "campaign", "group_company", "reviewed_by", "previous")


# --- the list ------------------------------------------------------------------------------------


class AssignmentListView(StaffListView):
    model = Assignment
    template_name = "assessments/assignment_list.html"
    title = gettext_lazy("Assessments")
    columns = [
        Column("organisation", gettext_lazy("party"), sort="organisation__name"),
        Column("framework", gettext_lazy("framework")),
        Column("cycle", gettext_lazy("cycle")),
        Column("campaign", gettext_lazy("campaign")),
        Column("status", gettext_lazy("status"), sort="status"),
        Column("due_date", gettext_lazy("due date"), sort="due_date"),
        Column("submitted_at", gettext_lazy("submitted"), sort="submitted_at"),
    ]
    default_sort = "due_date"

    def base_queryset(self) -> QuerySet[Assignment]:
        return Assignment.objects.select_related("organisation", "framework", "campaign")

    def get_filter_form(self) -> Any:
        if not hasattr(self, "_filter_form"):
            self._filter_form = campaign_forms.AssignmentFilterForm(self.request.GET or None, user=self.request.user)
        return self._filter_form

    def filter_status(self, qs: QuerySet[Assignment], value: str) -> QuerySet[Assignment]:
        return filter_assignments(qs, value)

    def filter_framework(self, qs: QuerySet[Assignment], value: Any) -> QuerySet[Assignment]:
        return qs.filter(framework=value)

    def filter_campaign(self, qs: QuerySet[Assignment], value: Any) -> QuerySet[Assignment]:
        return qs.filter(campaign=value)

    def filter_party(self, qs: QuerySet[Assignment], value: str) -> QuerySet[Assignment]:
        if value.isdigit():
            return qs.filter(organisation_id=int(value))
        return qs.filter(organisation__name__icontains=value)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = with_scores(ctx["object_list"])
        return ctx


# --- the radar chart -------------------------------------------------------------------------------


@dataclass
class RadarAxis:
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str
    label: str
    title: str
    value: float | None


@dataclass
class Radar:
    size: int
    centre: float
    rings: list[str]
    axes: list[RadarAxis]
    polygon: str


def radar(sections: list[scoring.Score], size: int = 360, maximum: float = MATURITY_MAX) -> Radar | None:
    """The radar chart of section averages as SVG coordinates (drawn by the template, no script).
    None with fewer than three sections: a radar needs three axes."""
    if len(sections) < 3:
        return None
    centre = size / 2
    radius = size / 2 - 70  # room for the labels

    def point(index: int, fraction: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / len(sections)
        return round(centre + radius * fraction * math.cos(angle), 1), round(centre + radius * fraction * math.sin(angle), 1)

    rings = []
    for level in range(1, int(maximum) + 1):
        rings.append(" ".join(f"{x},{y}" for x, y in (point(i, level / maximum) for i in range(len(sections)))))
    axes = []
    polygon = []
    for index, section in enumerate(sections):
        x, y = point(index, 1)
        label_x, label_y = point(index, 1.16)
        anchor = "middle" if abs(label_x - centre) < 8 else ("start" if label_x > centre else "end")
        value = section.average
        axes.append(
            RadarAxis(x=x, y=y, label_x=label_x, label_y=label_y + 4, anchor=anchor, label=section.ref,
                      title=f"{section.ref} {section.title}", value=value)
        )
        px, py = point(index, min(max(value or 0.0, 0.0), maximum) / maximum)
        polygon.append(f"{px},{py}")
    return Radar(size=size, centre=centre, rings=rings, axes=axes, polygon=" ".join(polygon))


# --- the review page ------------------------------------------------------------------------------


def attach_links(items: list[answer_selectors.Item]) -> None:
    """Download links of the evidence (the page is built by another part of the app)."""
    for item in items:
        for evidence in item.evidence:
            evidence.download_url = optional_url("assessments:evidence_download", evidence.pk)  # type: ignore[attr-defined]


def reviewable(assignment: Assignment, user: Any) -> bool:
    return assignment.status == AssignmentStatus.SUBMITTED and can(user, WRITE)


class AssignmentDetailView(StaffDetailView):
    model = Assignment
    template_name = "assessments/assignment_detail.html"

    def base_queryset(self) -> QuerySet[Assignment]:
        return assignment_queryset()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        assignment: Assignment = self.object
        user = self.request.user
        questionnaire = answer_selectors.questionnaire(assignment)
        changed_only = self.request.GET.get("changed") == "1"
        sections = questionnaire.sections
        changed_count = sum(1 for s in sections for i in s.items if i.changed)
        if changed_only:
            sections = [
                answer_selectors.SectionItems(section=s.section, items=[i for i in s.items if i.changed]) for s in sections
            ]
            sections = [s for s in sections if s.items]
        attach_links([i for s in sections for i in s.items])
        summary = questionnaire.summary
        framework = assignment.framework
        is_ours = is_group_company(assignment.organisation)
        can_change = can(user, WRITE)
        declarations = list(answer_selectors.declarations(assignment))
        pending = [d for d in declarations if d.status == "proposed"]
        ctx.update(
            {
                "title": str(assignment),
                "questionnaire": questionnaire,
                "sections": sections,
                "summary": summary,
                "overall_text": score_text(framework.scoring, summary.as_dict()),
                "section_scores": [(s, score_text(framework.scoring, {"overall": vars(s)})) for s in summary.sections],
                "radar": radar(summary.sections) if framework.scoring == "maturity" or framework.chart == "radar" else None,
                "changed_only": changed_only,
                "changed_count": changed_count,
                "reviewable": reviewable(assignment, user),
                "is_ours": is_ours,
                "can_change": can_change,
                "proposals": proposals_with_labels(assignment) if can_change else [],
                "declarations": declarations,
                "organisation_choices": self.organisation_choices(assignment) if pending and can_change else None,
                "return_form": review_forms.ReturnForm(),
                "answer_url": optional_url("assessments:assignment_answer", assignment.pk),
                "excel_export_url": optional_url("assessments:assignment_excel_export", assignment.pk),
                "excel_import_url": optional_url("assessments:assignment_excel_import", assignment.pk),
                "pending_reviews": sum(
                    1 for s in questionnaire.sections for i in s.items if i.answer is not None and i.answer.review_state == "pending"
                ),
                "recipients": [] if is_ours else notifications.party_recipients(assignment.organisation),
            }
        )
        return ctx

    def organisation_choices(self, assignment: Assignment) -> QuerySet[Organisation]:
        """Registry records a declared subcontractor may be matched to: parties of the same group company."""
        return (
            visible(Organisation.objects.filter(group_company_id=assignment.organisation.group_company_id), self.request.user)
            .exclude(kind__in=OUR_KINDS)
            .exclude(pk=assignment.organisation_id)
            .only("pk", "name")
            .order_by("name")
        )


def proposals_with_labels(assignment: Assignment) -> list[review_selectors.FollowUpProposal]:
    proposals = review_selectors.proposed_followups(assignment)
    for p in proposals:
        p.severity_label = FollowUpSeverity(p.severity).label  # type: ignore[attr-defined]
    return proposals


def get_assignment(request: HttpRequest, pk: int) -> Assignment:
    return get_visible_or_404(assignment_queryset(), request.user, pk=pk)


def review_item(assignment: Assignment, question: Question, answer: Answer) -> answer_selectors.Item:
    """One question of the review page with its answer, evidence, thread and follow-ups."""
    answer.assignment = assignment
    item = answer_selectors.Item(
        question=question,
        answer=answer,
        evidence=list(Evidence.objects.filter(assignment=assignment, question=question).order_by("uploaded_at", "pk")),
        comments=list(ReviewComment.objects.filter(assignment=assignment, question=question).order_by("created_at", "pk")),
        follow_ups=list(FollowUp.objects.filter(assignment=assignment, question=question).order_by("due_date", "pk")),
    )
    item._yesno_answers = tuple(assignment.framework.answers or ())
    attach_links([item])
    return item


class AnswerReviewView(RenkeiViewMixin, View):
    """Accept one answer or ask for a change with a comment. With htmx the answer's block is
    replaced in place; without, the page reloads at the answer."""

    permission_action = WRITE

    def post(self, request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
        assignment = get_assignment(request, pk)
        answer = Answer.objects.select_related("question").filter(assignment=assignment, question_id=question_pk).first()
        if answer is None:
            raise Http404(_("Not found."))
        form = review_forms.AnswerReviewForm(request.POST)
        error = ""
        if not form.is_valid():
            error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        else:
            try:
                review_services.answer_review(
                    user=request.user, answer=answer, state=form.cleaned_data["state"], comment=form.cleaned_data.get("comment") or ""
                )
            except RenkeiError as exc:
                error = str(exc)
        if is_htmx(request):
            item = review_item(assignment, answer.question, answer)
            context = {"item": item, "object": assignment, "reviewable": reviewable(assignment, request.user), "error": error}
            return render(request, "assessments/_review_item.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Review saved."))
        return HttpResponseRedirect(f"{assignment.get_absolute_url()}#q-{answer.question_id}")


class AcceptPendingView(StaffActionView):
    model = Assignment

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        count = review_services.answers_accept_pending(user=self.request.user, assignment=obj)
        messages.success(self.request, _("{n} answers accepted.").format(n=count))


class AssignmentAcceptView(StaffConfirmView):
    title = gettext_lazy("Accept the assessment")
    explanation = gettext_lazy(
        "Answers not reviewed yet are accepted with it. It becomes the party's latest assessment, from which the next one is due."
    )
    button = gettext_lazy("Accept the assessment")

    def target(self) -> Assignment:
        return get_assignment(self.request, self.kwargs["pk"])

    def run(self, target: Any, data: dict[str, Any]) -> str:
        review_services.assignment_accept(user=self.request.user, assignment=target)
        messages.success(self.request, _("The assessment was accepted."))
        return str(target.get_absolute_url())


class AssignmentReturnView(StaffConfirmView):
    title = gettext_lazy("Return to the party")
    explanation = gettext_lazy(
        "The party can change its answers again and is e-mailed the change requests with a new portal link."
    )
    button = gettext_lazy("Return to the party")
    form_class = review_forms.ReturnForm

    def target(self) -> Assignment:
        return get_assignment(self.request, self.kwargs["pk"])

    def run(self, target: Any, data: dict[str, Any]) -> str:
        review_services.assignment_return(user=self.request.user, assignment=target, message=data.get("message") or "")
        messages.success(self.request, _("The assessment was returned to the party."))
        return str(target.get_absolute_url())


class AssignmentReopenView(StaffConfirmView):
    title = gettext_lazy("Reopen the assessment")
    explanation = gettext_lazy("The accepted assessment goes back to review; it no longer counts as the latest assessment until accepted again.")
    button = gettext_lazy("Reopen")

    def target(self) -> Assignment:
        return get_assignment(self.request, self.kwargs["pk"])

    def run(self, target: Any, data: dict[str, Any]) -> str:
        review_services.assignment_reopen(user=self.request.user, assignment=target)
        messages.success(self.request, _("The assessment was reopened for review."))
        return str(target.get_absolute_url())


class FollowupsFromAnswersView(StaffActionView):
    """Turn the ticked negative answers into follow-up items for the party."""

    model = Assignment

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        ids = [int(v) for v in self.request.POST.getlist("question") if v.isdigit()]
        if not ids:
            raise RenkeiError(_("Tick at least one answer."))
        created = followup_services.followups_from_answers(
            user=self.request.user, assignment=obj, question_ids=ids, owner_user=self.request.user
        )
        messages.success(self.request, _("{n} follow-up items created.").format(n=len(created)))

    def redirect_url(self, obj: Any) -> str:
        return f"{obj.get_absolute_url()}#follow-up-proposals"


class DeclarationAcceptView(RenkeiViewMixin, View):
    """Take a declared subcontractor into the registry (optionally as an existing record)."""

    permission_action = WRITE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        declaration = get_visible_or_404(
            SubcontractorDeclaration.objects.select_related("assignment__organisation"), request.user, pk=pk
        )
        assignment = declaration.assignment
        choices = visible(
            Organisation.objects.filter(group_company_id=assignment.organisation.group_company_id), request.user
        ).exclude(kind__in=OUR_KINDS)
        form = review_forms.DeclarationAcceptForm(request.POST, queryset=choices)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        else:
            try:
                review_services.declaration_accept(
                    user=request.user, declaration=declaration, organisation=form.cleaned_data.get("organisation")
                )
            except RenkeiError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, _("{name} was taken into the registry as a subcontractor of {party}.").format(
                        name=declaration.name, party=assignment.organisation.name
                    )
                )
        return HttpResponseRedirect(f"{assignment.get_absolute_url()}#declarations")


class DeclarationRejectView(StaffActionView):
    model = SubcontractorDeclaration
    form_class = review_forms.DeclarationRejectForm
    success_message = gettext_lazy("The declaration was rejected.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        review_services.declaration_reject(user=self.request.user, declaration=obj, note=data.get("note") or "")

    def redirect_url(self, obj: Any) -> str:
        return f"{obj.assignment.get_absolute_url()}#declarations"


class ResendInvitationView(StaffActionView):
    """E-mail the invitation again, with a new portal link (links are stored hashed: an earlier one
    cannot be sent again)."""

    model = Assignment

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        if is_group_company(obj.organisation):
            raise RenkeiError(_("Our own companies answer in this application; there is no invitation to send."))
        if not obj.is_editable:
            raise RenkeiError(_("The party has submitted this assessment; there is nothing to answer."), status=409)
        message = notifications.invitation(assignment=obj, user=self.request.user)
        if message is None:
            links = reverse("assessments:party_links", args=[obj.organisation_id])
            messages.warning(
                self.request,
                _("{party} has no contact e-mail. Issue a portal link on its links page ({url}) and pass it on another way.").format(
                    party=obj.organisation.name, url=links
                ),
            )
            return
        notifications.send_all([message])
        messages.success(self.request, _("The invitation was sent again to {emails}.").format(emails=", ".join(message.to)))


class AssignmentDeleteView(StaffDeleteView):
    model = Assignment

    def base_queryset(self) -> QuerySet[Assignment]:
        return assignment_queryset()

    def get_success_url(self, instance: Any) -> str:
        return reverse("assessments:party_assurance", args=[instance.organisation_id])

    def delete(self, *, instance: Any) -> None:
        campaign_services.assignment_delete(user=self.request.user, assignment=instance)
