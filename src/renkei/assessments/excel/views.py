"""Excel round trip pages: an assessment as a workbook (the check-sheet import is in `checksheet_views`).

Staff and the partner portal download an assessment as .xlsx and import the filled file: the rows
are matched by question ID, every answer is checked, the preview lists unmatched IDs and invalid
answers with their row numbers, and nothing is saved unless the whole file is valid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from renkei.accounts.models import PortalLink
from renkei.assessments.answering import selectors as answer_selectors
from renkei.assessments.answering import services as answer_services
from renkei.assessments.excel import answer_export, answer_import
from renkei.assessments.excel import reading as excel_reading
from renkei.assessments.excel.pending import (
    ANSWER_UPLOADS,
    READ,
    TEMPLATES,
    WRITE,
    optional_url,
)
from renkei.assessments.frameworks import spec as frameworks
from renkei.assessments.models import Answer, Assignment, Question
from renkei.assessments.portal import selectors as portal_selectors
from renkei.assessments.portal.access import NAME_SESSION_KEY, portal_view
from renkei.core.audit import set_current_actor
from renkei.core.errors import RenkeiError
from renkei.core.files.pending import load_json
from renkei.core.files.uploads import check_size, limit_mb, request_too_large, too_large
from renkei.core.permissions import get_visible_or_404
from renkei.core.public import public_response as portal_response
from renkei.core.views.objects import RenkeiViewMixin

# --- 2. an assessment as a workbook --------------------------------------------------------------


def _export_rows(assignment: Assignment) -> list[answer_export.ExportRow]:
    data = answer_selectors.questionnaire(assignment, with_follow_ups=False)
    rows = []
    for section in data.sections:
        for item in section.items:
            question = item.question
            value: Any = None
            if item.is_answered:
                if question.answer_type == "number":
                    value = item.value
                elif question.answer_type == "date":
                    try:
                        value = dt.date.fromisoformat(str(item.value))
                    except ValueError:
                        value = str(item.value)
                elif question.answer_type == "text":
                    value = str(item.value)
                else:
                    value = item.value_label
            rows.append(
                answer_export.ExportRow(
                    ref=question.ref,
                    section=section.section.title,
                    text=question.text,
                    evidence=question.evidence_hint,
                    levels=tuple(question.levels or ()),
                    answer_type=question.answer_type,
                    options=tuple(label for _value, label in item.options),
                    value=value,
                    note=item.answer.note if item.answer else "",
                    carried_over=item.carried_over,
                )
            )
    return rows


def workbook_response(assignment: Assignment, *, portal: bool = False) -> HttpResponse:
    """The .xlsx download of an assessment in the active language."""
    language = (translation.get_language() or "ja")[:2]
    info = answer_export.ExportInfo(
        assignment_id=assignment.pk,
        framework_key=assignment.framework.key,
        framework_version=assignment.framework.version,
        framework_name=assignment.framework.name,
        organisation=assignment.organisation.name,
        requester=assignment.group_company.name if assignment.group_company_id else "",
        due_date=assignment.due_date,
        language=language,
    )
    content = answer_export.write_workbook(info, _export_rows(assignment))
    response = HttpResponse(content, content_type=answer_export.XLSX_CONTENT_TYPE)
    filename = f"assessment-{assignment.pk}-{assignment.framework.key}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Language"] = language
    if portal:
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "same-origin"
    return response


def _assignments() -> QuerySet[Assignment]:
    return Assignment.objects.select_related("framework", "organisation", "group_company", "campaign")


class AssignmentExportView(RenkeiViewMixin, View):
    permission_action = READ

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        assignment = get_visible_or_404(_assignments(), request.user, pk=pk)
        return workbook_response(assignment)


# --- 3. the filled workbook back into its assessment --------------------------------------------


class AnswersUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Filled workbook (.xlsx)"))
    name = forms.CharField(
        label=gettext_lazy("Your name"), max_length=answer_services.MAX_NAME_CHARS,
        help_text=gettext_lazy("Shown beside the answers you import."),
    )  # fmt: skip

    def __init__(self, *args: Any, ask_name: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_name:
            del self.fields["name"]


def _question_infos(assignment: Assignment) -> dict[str, answer_import.QuestionInfo]:
    return {
        ref: answer_import.QuestionInfo(ref=ref, answer_type=answer_type, choices=tuple(choices or ()))
        for ref, answer_type, choices in Question.objects.filter(framework_id=assignment.framework_id).values_list(
            "ref", "answer_type", "choices"
        )
    }


def _current_answers(assignment: Assignment) -> dict[str, answer_import.CurrentAnswer]:
    rows = Answer.objects.filter(assignment=assignment).values_list("question__ref", "value", "note", "carried_over", "version")
    return {
        ref: answer_import.CurrentAnswer(value=value, note=note, carried_over=carried, version=version)
        for ref, value, note, carried, version in rows
    }


def _refuse_read_only(assignment: Assignment) -> None:
    if not assignment.is_editable:
        raise RenkeiError(
            _("These answers were submitted and are read only until changes are requested; a workbook cannot be imported now."),
            status=409,
        )


def _plan(assignment: Assignment, data: bytes, filename: str, confirm_carried: bool) -> tuple[answer_import.Filled, answer_import.AnswerPlan]:
    book = excel_reading.read_book(data, filename=filename)
    filled = answer_import.read_filled(book)
    framework = assignment.framework
    answer_import.check_meta(filled, assignment_id=assignment.pk, framework_key=framework.key, framework_version=framework.version)
    language = filled.meta.get("language") if filled.meta.get("language") in ("ja", "en") else None
    plan = answer_import.plan_answers(
        filled,
        questions=_question_infos(assignment),
        current=_current_answers(assignment),
        yesno_answers=tuple(framework.answers or frameworks.YESNO_VALUES),
        confirm_carried=confirm_carried,
        file_language=language,
    )
    return filled, plan


class AnswersImport:
    """The import of a filled workbook, shared by the staff page and the portal page: `respond`
    renders a page of the right kind, `respondent()` says who answers."""

    def __init__(
        self,
        request: HttpRequest,
        assignment: Assignment,
        *,
        respond: Callable[[str, dict[str, Any], int], HttpResponse],
        done_url: str,
        portal: bool,
        respondent: Callable[[], answer_services.Respondent | None],
        base_context: dict[str, Any],
    ) -> None:
        self.request = request
        self.assignment = assignment
        self.respond = respond
        self.done_url = done_url
        self.portal = portal
        self.respondent = respondent
        self.base_context = base_context

    def url(self) -> str:
        name = "portal:excel_import" if self.portal else "assessments:assignment_excel_import"
        return reverse(name, args=[self.assignment.pk])

    def export_url(self) -> str:
        name = "portal:excel_export" if self.portal else "assessments:assignment_excel_export"
        return reverse(name, args=[self.assignment.pk])

    def ask_name(self) -> bool:
        return self.portal and not self.request.session.get(NAME_SESSION_KEY)

    def page(self, form: AnswersUploadForm | None, error: RenkeiError | None = None, status: int = 200) -> HttpResponse:
        context = {
            **self.base_context,
            "title": _("Import answers from Excel"),
            "assignment": self.assignment,
            "form": form,
            "error": error,
            "import_url": self.url(),
            "export_url": self.export_url(),
            "done_url": self.done_url,
            "portal": self.portal,
            "max_mb": limit_mb(),
        }
        return self.respond(TEMPLATES + "answers_import.html", context, status)

    def get(self) -> HttpResponse:
        try:
            _refuse_read_only(self.assignment)
        except RenkeiError as exc:
            return self.page(None, exc, exc.status)
        return self.page(AnswersUploadForm(ask_name=self.ask_name()))

    def post(self) -> HttpResponse:
        try:
            _refuse_read_only(self.assignment)
        except RenkeiError as exc:
            return self.page(None, exc, exc.status)
        if "cancel" in self.request.POST:
            ANSWER_UPLOADS.discard(self.request.session)
            return HttpResponseRedirect(self.done_url)
        if "confirm" in self.request.POST:
            return self.confirm()
        form = AnswersUploadForm(ask_name=self.ask_name())
        if request_too_large(self.request):
            return self.page(form, too_large(), 413)
        form = AnswersUploadForm(self.request.POST, self.request.FILES, ask_name=self.ask_name())
        if not form.is_valid():
            return self.page(form, status=400)
        if "name" in form.cleaned_data:
            self.request.session[NAME_SESSION_KEY] = form.cleaned_data["name"].strip()
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)
            filled, plan = _plan(self.assignment, upload.read(), upload.name or "answers.xlsx", confirm_carried=True)
        except RenkeiError as exc:
            return self.page(form, exc, exc.status)
        token = ANSWER_UPLOADS.save_json(self.request.session, {"values": plan.values, "versions": plan.versions},
            assignment=self.assignment.pk,
            filename=upload.name or "",
            ok=plan.ok,
        )
        return self.preview(upload.name or "", filled, plan, token)

    def preview(self, filename: str, filled: answer_import.Filled, plan: answer_import.AnswerPlan, token: str, error: RenkeiError | None = None, status: int = 200) -> HttpResponse:
        context = {
            **self.base_context,
            "title": _("Import answers from Excel"),
            "assignment": self.assignment,
            "filename": filename,
            "sheet": filled.sheet,
            "plan": plan,
            "token": token,
            "error": error,
            "import_url": self.url(),
            "done_url": self.done_url,
            "portal": self.portal,
            "matched_by_meta": bool(filled.meta),
        }
        return self.respond(TEMPLATES + "answers_preview.html", context, status if plan.ok else 400)

    def confirm(self) -> HttpResponse:
        entry = ANSWER_UPLOADS.entry(self.request.session, self.request.POST.get("token", ""))
        data = load_json(entry["path"]) if entry else None
        if entry is None or data is None or entry.get("assignment") != self.assignment.pk or not entry.get("ok"):
            messages.error(self.request, _("This upload is no longer available; upload the file again."))
            return HttpResponseRedirect(self.url())
        values = {ref: (value, note) for ref, (value, note) in data["values"].items()}
        confirm_carried = self.request.POST.get("confirm_carried") == "1"
        current = _current_answers(self.assignment)
        if not confirm_carried:
            values = {
                ref: pair for ref, pair in values.items()
                if not (ref in current and current[ref].carried_over and current[ref].value == pair[0]
                        and (pair[1] is None or pair[1] == current[ref].note))
            }  # fmt: skip
        moved = [ref for ref, version in data["versions"].items() if ref in values and current.get(ref, _NO_ANSWER).version != version]
        if moved:
            messages.error(
                self.request,
                _("{n} answer(s) were changed by someone else since you uploaded the file ({refs}); nothing was saved. Upload the file again to see the current state.").format(
                    n=len(moved), refs=", ".join(moved[:10])
                ),
            )
            ANSWER_UPLOADS.discard(self.request.session)
            return HttpResponseRedirect(self.url())
        respondent = self.respondent()
        if respondent is None:
            messages.error(self.request, _("Enter your name before changing anything: it is shown beside your changes."))
            return HttpResponseRedirect(self.url())
        try:
            changed = answer_services.answers_save_many(respondent=respondent, assignment=self.assignment, values=values) if values else 0
        except RenkeiError as exc:
            messages.error(self.request, exc.message)
            return HttpResponseRedirect(self.url())
        ANSWER_UPLOADS.discard(self.request.session)
        messages.success(self.request, _("{n} answer(s) imported from {file}.").format(n=changed, file=entry.get("filename") or "Excel"))
        return HttpResponseRedirect(self.done_url)


_NO_ANSWER = answer_import.CurrentAnswer(value=None, note="", carried_over=False, version=0)


class AssignmentImportView(RenkeiViewMixin, View):
    permission_action = WRITE

    def handler(self, request: HttpRequest, pk: int) -> AnswersImport:
        assignment = get_visible_or_404(_assignments(), request.user, pk=pk)
        user = request.user

        def respondent() -> answer_services.Respondent:
            name = user.get_full_name() or user.get_username()  # type: ignore[union-attr]
            return answer_services.Respondent(name=name, user=user, from_party=False)

        def respond(template: str, context: dict[str, Any], status: int) -> HttpResponse:
            return render(request, template, context, status=status)

        return AnswersImport(
            request,
            assignment,
            respond=respond,
            done_url=optional_url("assessments:assignment_detail", assignment.pk) or reverse("assessments:assignment_excel_import", args=[pk]),
            portal=False,
            respondent=respondent,
            base_context={"base_template": "base.html"},
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.handler(request, pk).get()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.handler(request, pk).post()


# --- the portal ----------------------------------------------------------------------------------


def _portal_assignment(link: PortalLink, pk: int) -> Assignment:
    """One of the link's party's assessments; any other id is 404."""
    assignment = portal_selectors.portal_assignments(link.organisation).select_related("organisation").filter(pk=pk).first()
    if assignment is None:
        raise Http404(_("Not found."))
    return assignment


def _portal_context(request: HttpRequest, link: PortalLink) -> dict[str, Any]:
    return {
        "base_template": "assessments/portal/base.html",
        "link": link,
        "company": link.group_company,
        "party": link.organisation,
        "respondent_name": str(request.session.get(NAME_SESSION_KEY) or ""),
    }


@portal_view("GET")
def portal_export(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponse:
    return workbook_response(_portal_assignment(link, pk), portal=True)


@portal_view("GET", "POST")
def portal_import(request: HttpRequest, link: PortalLink, pk: int) -> HttpResponse:
    assignment = _portal_assignment(link, pk)

    def respondent() -> answer_services.Respondent | None:
        name = str(request.session.get(NAME_SESSION_KEY) or "").strip()
        if not name:
            return None
        # No user account stands behind a portal visitor: the audit trail names the party and person.
        set_current_actor(None, f"portal: {link.organisation} / {name}")
        return answer_services.Respondent(name=name, user=None, from_party=True)

    def respond(template: str, context: dict[str, Any], status: int) -> HttpResponse:
        return portal_response(request, template, context, status=status)

    handler = AnswersImport(
        request,
        assignment,
        respond=respond,
        done_url=optional_url("portal:assignment", pk) or reverse("portal:home"),
        portal=True,
        respondent=respondent,
        base_context=_portal_context(request, link),
    )
    return handler.post() if request.method == "POST" else handler.get()
