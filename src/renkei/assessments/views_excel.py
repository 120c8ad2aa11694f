"""Excel round trip pages: check sheets as frameworks, assessments as workbooks.

- Staff import a check sheet as a framework in four steps (upload → sheet and header row → columns
  → preview with the problems of each row → create). The uploaded workbook is read once, safely,
  and its rows are kept under the data directory (storage API) by a random name held in the
  session, so later steps never take data back from the browser; files left behind are removed
  after a day.
- Staff and the partner portal download an assessment as .xlsx and import the filled file: the
  rows are matched by question ID, every answer is checked, the preview lists unmatched IDs and
  invalid answers with their row numbers, and nothing is saved unless the whole file is valid.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

import orjson
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from renkei.accounts.models import PortalLink
from renkei.assessments import answer_services, excel, excel_export, frameworks, selectors, services
from renkei.assessments.models import Answer, Assignment, Framework, FrameworkOrigin, Question
from renkei.assessments.views_portal import NAME_SESSION_KEY, portal_response, portal_view
from renkei.core.audit import set_current_actor
from renkei.core.errors import RenkeiError
from renkei.core.permissions import Action, allowed_company_ids, get_visible_or_404, visible
from renkei.core.views import RenkeiViewMixin, request_too_large
from renkei.registry.importexport.reading import file_too_large_message
from renkei.registry.models import OUR_KINDS, Organisation

READ = Action.VIEW
WRITE = Action.CHANGE_ASSESSMENTS
PENDING_DIR = "assessments/excel-pending"
PENDING_MAX_AGE = dt.timedelta(hours=24)
FRAMEWORK_SESSION_KEY = "assessments_excel_framework"
ANSWERS_SESSION_KEY = "assessments_excel_answers"
PREVIEW_QUESTIONS = 50
PROBLEMS_SHOWN = 200
TEMPLATES = "assessments/excel/"


def _optional_url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _too_large(request: HttpRequest) -> RenkeiError | None:
    if request_too_large(request):
        return RenkeiError(file_too_large_message(settings.RENKEI_MAX_UPLOAD_BYTES), field_name="file", status=413)
    return None


# --- pending uploads (kept between the steps) ---------------------------------------------------


def _pending_save(session: Any, key: str, data: dict[str, Any], **entry: Any) -> str:
    """Store an upload's parsed content under a random name; the session remembers the name."""
    _pending_discard(session, key)
    token = secrets.token_urlsafe(24)
    stored = default_storage.save(f"{PENDING_DIR}/{token}.json", ContentFile(orjson.dumps(data)))
    session[key] = {"token": token, "path": stored, **entry}
    _remove_stale()
    return token


def _pending_entry(session: Any, key: str, token: str | None = None) -> dict[str, Any] | None:
    entry = session.get(key)
    if not isinstance(entry, dict) or not entry.get("path"):
        return None
    if token is not None and not secrets.compare_digest(str(entry.get("token", "")), token):
        return None
    return entry


def _pending_load(entry: dict[str, Any]) -> dict[str, Any] | None:
    try:
        with default_storage.open(str(entry["path"]), "rb") as handle:
            data = orjson.loads(handle.read())
    except (OSError, KeyError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _pending_update(session: Any, key: str, **changes: Any) -> None:
    entry = dict(session.get(key) or {})
    entry.update(changes)
    session[key] = entry


def _pending_discard(session: Any, key: str) -> None:
    entry = session.pop(key, None)
    if isinstance(entry, dict) and entry.get("path"):
        with contextlib.suppress(OSError):
            default_storage.delete(str(entry["path"]))


def _remove_stale() -> None:
    cutoff = timezone.now() - PENDING_MAX_AGE
    try:
        _folders, files = default_storage.listdir(PENDING_DIR)
        for name in files:
            stored = f"{PENDING_DIR}/{name}"
            if default_storage.get_modified_time(stored) < cutoff:
                default_storage.delete(stored)
    except (OSError, NotImplementedError):
        # Cleaning up is a courtesy; a storage that cannot list files keeps them.
        return


# --- 1. a check sheet as a framework -----------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Check sheet (.xlsx)"))


def _company_choices(user: Any) -> list[tuple[str, str]]:
    """The group companies the user may give the framework to ("" = the whole group, for a user
    with access to the whole group only)."""
    companies = visible(Organisation.objects.filter(kind__in=OUR_KINDS), user).order_by("kind", "name")
    ids = allowed_company_ids(user)
    if ids is not None:
        companies = companies.filter(pk__in=ids)
    choices = [(str(c.pk), c.name) for c in companies]
    return choices if ids is not None else [("", _("The whole group")), *choices]


class ColumnsForm(forms.Form):
    id = forms.TypedChoiceField(label=gettext_lazy("ID column"), coerce=int)
    section = forms.TypedChoiceField(label=gettext_lazy("Section"), coerce=int, required=False, empty_value=None)
    question = forms.TypedChoiceField(label=gettext_lazy("Question"), coerce=int)
    choices = forms.TypedChoiceField(
        label=gettext_lazy("Answer choices"), coerce=int, required=False, empty_value=None,
        help_text=gettext_lazy("A cell such as 「はい/いいえ/該当なし」, separated by / , 、 or new lines. Empty: yes / partly / no / not applicable / don't know."),
    )  # fmt: skip
    level = forms.TypedChoiceField(
        label=gettext_lazy("Level"), coerce=int, required=False, empty_value=None,
        help_text=gettext_lazy("For example Lv1 / Lv2 / Lv3 or ★3 / ★4."),
    )  # fmt: skip
    question_en = forms.TypedChoiceField(label=gettext_lazy("Question in English"), coerce=int, required=False, empty_value=None)
    evidence = forms.TypedChoiceField(label=gettext_lazy("Typical evidence"), coerce=int, required=False, empty_value=None)
    weight = forms.TypedChoiceField(label=gettext_lazy("Weight"), coerce=int, required=False, empty_value=None)
    key = forms.CharField(
        label=gettext_lazy("key"), max_length=80,
        help_text=gettext_lazy("Lower-case letters, digits and hyphens, e.g. automotive-check-2024."),
    )  # fmt: skip
    version = forms.CharField(label=gettext_lazy("version"), max_length=40, initial="1")
    name_ja = forms.CharField(label=gettext_lazy("name (Japanese)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("name (English)"), max_length=200, required=False)
    levels_cumulative = forms.BooleanField(
        label=gettext_lazy("Levels are cumulative (Lv1 ⊂ Lv2 ⊂ Lv3)"), required=False,
        help_text=gettext_lazy("A question of a lower level also counts for every higher level."),
    )  # fmt: skip
    group_company = forms.ChoiceField(label=gettext_lazy("available to"), required=False)

    COLUMN_FIELDS = excel.FIELDS

    def __init__(self, *args: Any, columns: list[tuple[int, str]], user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [(str(index), label) for index, label in columns]
        for name in self.COLUMN_FIELDS:
            field = self.fields[name]
            field.choices = options if field.required else [("", "—"), *options]  # type: ignore[attr-defined]
        companies = _company_choices(user)
        self.fields["group_company"].choices = companies  # type: ignore[attr-defined]
        self.fields["group_company"].required = allowed_company_ids(user) is not None

    def clean_key(self) -> str:
        key = str(self.cleaned_data["key"]).strip()
        if not frameworks.KEY_PATTERN.match(key):
            raise forms.ValidationError(_("Use lower-case letters, digits and hyphens (starting with a letter or digit)."))
        return key

    def clean_version(self) -> str:
        return str(self.cleaned_data["version"]).strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        used: dict[int, str] = {}
        for name in self.COLUMN_FIELDS:
            value = data.get(name)
            if value is None:
                continue
            if value in used:
                self.add_error(name, _("This column is already used for “{field}”.").format(field=self.fields[used[value]].label))
            else:
                used[value] = name
        return data

    def mapping(self) -> excel.ColumnMapping:
        data = self.cleaned_data
        return excel.ColumnMapping.from_dict(data)

    def framework_fields(self) -> excel.FrameworkFields:
        data = self.cleaned_data
        return excel.FrameworkFields(
            key=data["key"],
            version=data["version"],
            name_ja=data["name_ja"].strip(),
            name_en=(data.get("name_en") or "").strip(),
            levels_cumulative=bool(data.get("levels_cumulative")),
        )


class CheckSheetStep(RenkeiViewMixin, View):
    """A step of the check-sheet import; the workbook is the one this session uploaded."""

    permission_action = WRITE

    def book(self) -> tuple[dict[str, Any], excel.Book] | None:
        entry = _pending_entry(self.request.session, FRAMEWORK_SESSION_KEY)
        data = _pending_load(entry) if entry else None
        if entry is None or data is None:
            return None
        return entry, excel.Book.from_json(data)

    def restart(self) -> HttpResponse:
        messages.error(self.request, _("This upload is no longer available; upload the file again."))
        return HttpResponseRedirect(reverse("assessments:framework_excel_import"))

    def render_step(self, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        context.setdefault("title", _("Import an Excel check sheet"))
        return render(self.request, TEMPLATES + template, context, status=status)


def _chosen_sheet(entry: dict[str, Any], book: excel.Book) -> tuple[int, excel.Sheet] | None:
    index = entry.get("sheet")
    if isinstance(index, int) and 0 <= index < len(book.sheets):
        return index, book.sheets[index]
    return None


class FrameworkImportUploadView(CheckSheetStep):
    """Step 1: upload the workbook (read safely, once)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_step("framework_upload.html", {"form": UploadForm(), "max_mb": settings.RENKEI_MAX_UPLOAD_BYTES // 2**20})

    def post(self, request: HttpRequest) -> HttpResponse:
        context: dict[str, Any] = {"form": UploadForm(), "max_mb": settings.RENKEI_MAX_UPLOAD_BYTES // 2**20}
        if "cancel" in request.POST:
            _pending_discard(request.session, FRAMEWORK_SESSION_KEY)
            return HttpResponseRedirect(_optional_url("assessments:framework_list") or reverse("assessments:framework_excel_import"))
        too_large = _too_large(request)
        if too_large is not None:
            return self.render_step("framework_upload.html", {**context, "error": too_large}, status=413)
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return self.render_step("framework_upload.html", context, status=400)
        upload = form.cleaned_data["file"]
        try:
            if upload.size > settings.RENKEI_MAX_UPLOAD_BYTES:
                raise RenkeiError(file_too_large_message(settings.RENKEI_MAX_UPLOAD_BYTES), field_name="file", status=413)
            book = excel.read_book(upload.read(), filename=upload.name or "upload.xlsx")
        except RenkeiError as exc:
            return self.render_step("framework_upload.html", {**context, "error": exc}, status=exc.status)
        first = next((i for i, s in enumerate(book.sheets) if s.rows and not s.hidden), None)
        if first is None:
            first = next(i for i, s in enumerate(book.sheets) if s.rows)
        _pending_save(request.session, FRAMEWORK_SESSION_KEY, book.to_json(), sheet=first)
        return HttpResponseRedirect(reverse("assessments:framework_excel_import_sheet"))


class FrameworkImportSheetView(CheckSheetStep):
    """Step 2: the sheet and its header row (the first rows are shown with their numbers)."""

    def page(self, entry: dict[str, Any], book: excel.Book, index: int, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
        sheet = book.sheets[index]
        header_row = entry.get("header_row") if entry.get("sheet") == index else None
        if not isinstance(header_row, int) or sheet.row(header_row) is None:
            header_row = excel.guess_header_row(sheet)
        rows = excel.preview_rows(sheet)
        width = max((len(cells) for _n, cells in rows), default=0)
        context = {
            "token": entry["token"],
            "filename": book.filename,
            "sheets": [(i, s.title, len(s.rows), s.hidden) for i, s in enumerate(book.sheets)],
            "sheet_index": index,
            "sheet": sheet,
            "rows": rows,
            "letters": [excel.column_letter(i) for i in range(width)],
            "header_row": header_row,
            "last_row": entry.get("last_row") if entry.get("sheet") == index else None,
            "more_rows": max(0, len(sheet.rows) - len(rows)),
            "errors": errors or [],
        }
        return self.render_step("framework_sheet.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        loaded = self.book()
        if loaded is None:
            return self.restart()
        entry, book = loaded
        try:
            index = int(request.GET.get("sheet", entry.get("sheet", 0)))
        except ValueError:
            index = 0
        if not 0 <= index < len(book.sheets):
            index = 0
        return self.page(entry, book, index)

    def post(self, request: HttpRequest) -> HttpResponse:
        loaded = self.book()
        if loaded is None or not secrets.compare_digest(str(loaded[0].get("token")), request.POST.get("token", "")):
            return self.restart()
        entry, book = loaded
        errors: list[str] = []
        try:
            index = int(request.POST.get("sheet", ""))
            book.sheets[index]
        except (ValueError, IndexError):
            return self.page(entry, book, 0, [_("Choose a sheet.")], status=400)
        sheet = book.sheets[index]
        try:
            header_row = int(request.POST.get("header_row", ""))
        except ValueError:
            header_row = 0
        if sheet.row(header_row) is None:
            errors.append(_("Choose the row that holds the column headers."))
        last_text = request.POST.get("last_row", "").strip()
        last_row: int | None = None
        if last_text:
            try:
                last_row = int(last_text)
            except ValueError:
                errors.append(_("The last row must be a row number."))
            else:
                if last_row <= header_row:
                    errors.append(_("The last row must be below the header row."))
        if errors:
            entry = {**entry, "sheet": index}
            return self.page(entry, book, index, errors, status=400)
        _pending_update(request.session, FRAMEWORK_SESSION_KEY, sheet=index, header_row=header_row, last_row=last_row, columns=None)
        return HttpResponseRedirect(reverse("assessments:framework_excel_import_columns"))


class FrameworkImportColumnsView(CheckSheetStep):
    """Step 3: which column holds what, and the framework's key, name and version. Posting it shows
    step 4, the preview with every row's problems."""

    def chosen(self) -> tuple[dict[str, Any], excel.Book, excel.Sheet, int] | None:
        loaded = self.book()
        if loaded is None:
            return None
        entry, book = loaded
        chosen = _chosen_sheet(entry, book)
        header_row = entry.get("header_row")
        if chosen is None or not isinstance(header_row, int) or chosen[1].row(header_row) is None:
            return None
        return entry, book, chosen[1], header_row

    def make_form(self, entry: dict[str, Any], book: excel.Book, sheet: excel.Sheet, header_row: int, data: Any = None) -> ColumnsForm:
        columns = excel.column_choices(sheet, header_row)
        initial: dict[str, Any] = {"version": "1"}
        saved = entry.get("columns")
        if isinstance(saved, dict):
            initial.update({k: ("" if v is None else str(v)) if k in excel.FIELDS else v for k, v in saved.items()})
        else:
            guess = excel.guess_columns(sheet.row(header_row) or [])
            initial.update({k: "" if v is None else str(v) for k, v in guess.items()})
            stem = book.filename.rsplit(".", 1)[0]
            initial["name_ja"] = f"{stem} {sheet.title}".strip()[:200]
            initial["key"] = f"excel-{timezone.localdate():%Y%m%d}-{secrets.token_hex(2)}"
            levels = excel.column_levels(sheet, header_row, guess.get("level"), entry.get("last_row"))
            initial["levels_cumulative"] = excel.looks_cumulative(levels)
        return ColumnsForm(data, columns=columns, user=self.request.user, initial=initial)

    def columns_page(self, form: ColumnsForm, entry: dict[str, Any], book: excel.Book, sheet: excel.Sheet, header_row: int, status: int = 200) -> HttpResponse:
        context = {
            "token": entry["token"],
            "form": form,
            "filename": book.filename,
            "sheet": sheet,
            "header_row": header_row,
            "header": [(excel.column_letter(i), text) for i, text in enumerate(sheet.row(header_row) or [])],
            "sample": excel.preview_rows(excel.Sheet(title=sheet.title, rows=[r for r in sheet.rows if r[0] > header_row]), 3),
        }
        return self.render_step("framework_columns.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        chosen = self.chosen()
        if chosen is None:
            return self.restart()
        entry, book, sheet, header_row = chosen
        return self.columns_page(self.make_form(entry, book, sheet, header_row), entry, book, sheet, header_row)

    def post(self, request: HttpRequest) -> HttpResponse:
        chosen = self.chosen()
        if chosen is None or not secrets.compare_digest(str(chosen[0].get("token")), request.POST.get("token", "")):
            return self.restart()
        entry, book, sheet, header_row = chosen
        form = self.make_form(entry, book, sheet, header_row, request.POST)
        if not form.is_valid():
            return self.columns_page(form, entry, book, sheet, header_row, status=400)
        saved = {**form.mapping().as_dict(), **{k: form.cleaned_data.get(k) for k in (
            "key", "version", "name_ja", "name_en", "levels_cumulative", "group_company")}}  # fmt: skip
        _pending_update(request.session, FRAMEWORK_SESSION_KEY, columns=saved)
        result = _check_sheet(book, sheet, header_row, entry.get("last_row"), form.mapping(), form.framework_fields())
        return _preview_page(self, entry["token"], book, sheet, header_row, result)


def _check_sheet(
    book: excel.Book, sheet: excel.Sheet, header_row: int, last_row: Any, mapping: excel.ColumnMapping, fields: excel.FrameworkFields
) -> excel.CheckSheetResult:
    result = excel.check_sheet_spec(
        sheet,
        header_row=header_row,
        columns=mapping,
        fields=fields,
        last_row=last_row if isinstance(last_row, int) else None,
        filename=book.filename,
    )
    existing = Framework.objects.filter(key=fields.key, version=fields.version).first()
    if existing is not None:
        # Importing never replaces a framework: a new sheet of the same framework gets a new version.
        result.problems.append(
            excel.RowProblem(
                row=None,
                message=_("A framework with the key {key} and version {version} already exists. Choose another key or raise the version.").format(
                    key=fields.key, version=fields.version
                ),
            )
        )
    return result


def _preview_page(
    step: CheckSheetStep, token: str, book: excel.Book, sheet: excel.Sheet, header_row: int, result: excel.CheckSheetResult,
    error: RenkeiError | None = None,
) -> HttpResponse:
    spec = result.spec
    type_labels = {
        "yesno": _("Yes / partly / no"), "single": _("Single choice"), "text": _("Text"),
        "number": _("Number"), "date": _("Date"),
    }  # fmt: skip
    yesno = [frameworks.yesno_labels()[a] for a in spec.answers] if spec else []
    sample: list[tuple[str, Any, str]] = []
    if spec is not None:
        for section in spec.sections:
            for question in section.questions:
                if len(sample) >= PREVIEW_QUESTIONS:
                    break
                if question.answer_type == "yesno":
                    answers = " / ".join(yesno)
                elif question.choices:
                    answers = " / ".join(str(c["ja"]) for c in question.choices)
                else:
                    answers = type_labels.get(question.answer_type, question.answer_type)
                sample.append((section.title_ja, question, answers))
    context = {
        "token": token,
        "filename": book.filename,
        "sheet": sheet,
        "header_row": header_row,
        "result": result,
        "spec": spec,
        "problems": result.problems[:PROBLEMS_SHOWN],
        "more_problems": max(0, len(result.problems) - PROBLEMS_SHOWN),
        "sample": sample,
        "more_questions": max(0, result.question_count - len(sample)),
        "types": [(type_labels.get(t, t), n) for t, n in sorted(result.types.items())],
        "answers": yesno if result.types.get("yesno") else [],
        "error": error,
        "title": _("Import an Excel check sheet"),
    }
    status = 400 if (result.problems or error is not None) else 200
    return step.render_step("framework_preview.html", context, status=error.status if error is not None else status)


class FrameworkImportCreateView(CheckSheetStep):
    """Create the framework from the previewed sheet: whole or nothing."""

    def post(self, request: HttpRequest) -> HttpResponse:
        loaded = self.book()
        if loaded is None or not secrets.compare_digest(str(loaded[0].get("token")), request.POST.get("token", "")):
            return self.restart()
        entry, book = loaded
        chosen = _chosen_sheet(entry, book)
        header_row = entry.get("header_row")
        saved = entry.get("columns")
        if chosen is None or not isinstance(header_row, int) or not isinstance(saved, dict):
            return self.restart()
        sheet = chosen[1]
        mapping = excel.ColumnMapping.from_dict(saved)
        fields = excel.FrameworkFields(
            key=str(saved["key"]), version=str(saved["version"]), name_ja=str(saved["name_ja"]),
            name_en=str(saved.get("name_en") or ""), levels_cumulative=bool(saved.get("levels_cumulative")),
        )  # fmt: skip
        result = _check_sheet(book, sheet, header_row, entry.get("last_row"), mapping, fields)
        if not result.ok or result.spec is None:
            return _preview_page(self, entry["token"], book, sheet, header_row, result)
        company_id = str(saved.get("group_company") or "")
        if company_id not in {value for value, _label in _company_choices(request.user)}:
            error = RenkeiError(_("Choose a group company you may add frameworks for."), field_name="group_company", status=403)
            return _preview_page(self, entry["token"], book, sheet, header_row, result, error)
        company = Organisation.objects.get(pk=int(company_id)) if company_id else None
        try:
            framework, _changed = services.framework_install(
                user=request.user, spec=result.spec, origin=FrameworkOrigin.EXCEL, group_company=company
            )
        except RenkeiError as exc:
            return _preview_page(self, entry["token"], book, sheet, header_row, result, exc)
        _pending_discard(request.session, FRAMEWORK_SESSION_KEY)
        messages.success(
            request,
            _("{name}: {n} questions imported from {file}.").format(name=framework.name, n=framework.question_count, file=book.filename),
        )
        return HttpResponseRedirect(_optional_url("assessments:framework_detail", framework.pk) or reverse("assessments:framework_excel_import"))


# --- 2. an assessment as a workbook --------------------------------------------------------------


def _export_rows(assignment: Assignment) -> list[excel_export.ExportRow]:
    data = selectors.questionnaire(assignment, with_follow_ups=False)
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
                excel_export.ExportRow(
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
    info = excel_export.ExportInfo(
        assignment_id=assignment.pk,
        framework_key=assignment.framework.key,
        framework_version=assignment.framework.version,
        framework_name=assignment.framework.name,
        organisation=assignment.organisation.name,
        requester=assignment.group_company.name if assignment.group_company_id else "",
        due_date=assignment.due_date,
        language=language,
    )
    content = excel_export.write_workbook(info, _export_rows(assignment))
    response = HttpResponse(content, content_type=excel_export.XLSX_CONTENT_TYPE)
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


def _question_infos(assignment: Assignment) -> dict[str, excel_export.QuestionInfo]:
    return {
        ref: excel_export.QuestionInfo(ref=ref, answer_type=answer_type, choices=tuple(choices or ()))
        for ref, answer_type, choices in Question.objects.filter(framework_id=assignment.framework_id).values_list(
            "ref", "answer_type", "choices"
        )
    }


def _current_answers(assignment: Assignment) -> dict[str, excel_export.CurrentAnswer]:
    rows = Answer.objects.filter(assignment=assignment).values_list("question__ref", "value", "note", "carried_over", "version")
    return {
        ref: excel_export.CurrentAnswer(value=value, note=note, carried_over=carried, version=version)
        for ref, value, note, carried, version in rows
    }


def _refuse_read_only(assignment: Assignment) -> None:
    if not assignment.is_editable:
        raise RenkeiError(
            _("These answers were submitted and are read only until changes are requested; a workbook cannot be imported now."),
            status=409,
        )


def _plan(assignment: Assignment, data: bytes, filename: str, confirm_carried: bool) -> tuple[excel_export.Filled, excel_export.AnswerPlan]:
    book = excel.read_book(data, filename=filename)
    filled = excel_export.read_filled(book)
    framework = assignment.framework
    excel_export.check_meta(filled, assignment_id=assignment.pk, framework_key=framework.key, framework_version=framework.version)
    language = filled.meta.get("language") if filled.meta.get("language") in ("ja", "en") else None
    plan = excel_export.plan_answers(
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
            "max_mb": settings.RENKEI_MAX_UPLOAD_BYTES // 2**20,
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
            _pending_discard(self.request.session, ANSWERS_SESSION_KEY)
            return HttpResponseRedirect(self.done_url)
        if "confirm" in self.request.POST:
            return self.confirm()
        form = AnswersUploadForm(ask_name=self.ask_name())
        too_large = _too_large(self.request)
        if too_large is not None:
            return self.page(form, too_large, 413)
        form = AnswersUploadForm(self.request.POST, self.request.FILES, ask_name=self.ask_name())
        if not form.is_valid():
            return self.page(form, status=400)
        if "name" in form.cleaned_data:
            self.request.session[NAME_SESSION_KEY] = form.cleaned_data["name"].strip()
        upload = form.cleaned_data["file"]
        try:
            if upload.size > settings.RENKEI_MAX_UPLOAD_BYTES:
                raise RenkeiError(file_too_large_message(settings.RENKEI_MAX_UPLOAD_BYTES), field_name="file", status=413)
            filled, plan = _plan(self.assignment, upload.read(), upload.name or "answers.xlsx", confirm_carried=True)
        except RenkeiError as exc:
            return self.page(form, exc, exc.status)
        token = _pending_save(
            self.request.session,
            ANSWERS_SESSION_KEY,
            {"values": plan.values, "versions": plan.versions},
            assignment=self.assignment.pk,
            filename=upload.name or "",
            ok=plan.ok,
        )
        return self.preview(upload.name or "", filled, plan, token)

    def preview(self, filename: str, filled: excel_export.Filled, plan: excel_export.AnswerPlan, token: str, error: RenkeiError | None = None, status: int = 200) -> HttpResponse:
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
        entry = _pending_entry(self.request.session, ANSWERS_SESSION_KEY, self.request.POST.get("token", ""))
        data = _pending_load(entry) if entry else None
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
            _pending_discard(self.request.session, ANSWERS_SESSION_KEY)
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
        _pending_discard(self.request.session, ANSWERS_SESSION_KEY)
        messages.success(self.request, _("{n} answer(s) imported from {file}.").format(n=changed, file=entry.get("filename") or "Excel"))
        return HttpResponseRedirect(self.done_url)


_NO_ANSWER = excel_export.CurrentAnswer(value=None, note="", carried_over=False, version=0)


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
            done_url=_optional_url("assessments:assignment_detail", assignment.pk) or reverse("assessments:assignment_excel_import", args=[pk]),
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
    assignment = selectors.portal_assignments(link.organisation).select_related("organisation").filter(pk=pk).first()
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
        done_url=_optional_url("portal:assignment", pk) or reverse("portal:home"),
        portal=True,
        respondent=respondent,
        base_context=_portal_context(request, link),
    )
    return handler.post() if request.method == "POST" else handler.get()


def staff_urlpatterns() -> list[URLPattern]:
    return [
        path("frameworks/import-excel/", FrameworkImportUploadView.as_view(), name="framework_excel_import"),
        path("frameworks/import-excel/sheet/", FrameworkImportSheetView.as_view(), name="framework_excel_import_sheet"),
        path("frameworks/import-excel/columns/", FrameworkImportColumnsView.as_view(), name="framework_excel_import_columns"),
        path("frameworks/import-excel/create/", FrameworkImportCreateView.as_view(), name="framework_excel_import_create"),
        path("assignments/<int:pk>/excel/export/", AssignmentExportView.as_view(), name="assignment_excel_export"),
        path("assignments/<int:pk>/excel/import/", AssignmentImportView.as_view(), name="assignment_excel_import"),
    ]


def portal_urlpatterns() -> list[URLPattern]:
    return [
        path("a/<int:pk>/excel/export/", portal_export, name="excel_export"),
        path("a/<int:pk>/excel/import/", portal_import, name="excel_import"),
    ]

