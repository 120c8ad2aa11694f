"""Importing any Excel check sheet as a framework, in four steps: upload → sheet and header row →
columns → preview with the problems of each row → create. Nothing is created unless every row is
valid; the sheet's item IDs and level column are kept."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from renkei.assessments.excel import checksheet
from renkei.assessments.excel import reading as excel_reading
from renkei.assessments.excel.pending import (
    FRAMEWORK_UPLOADS,
    PREVIEW_QUESTIONS,
    PROBLEMS_SHOWN,
    TEMPLATES,
    WRITE,
    optional_url,
)
from renkei.assessments.frameworks import services as framework_services
from renkei.assessments.frameworks import spec as frameworks
from renkei.assessments.models import Framework, FrameworkOrigin
from renkei.core.errors import RenkeiError
from renkei.core.files.pending import load_json
from renkei.core.files.uploads import check_size, limit_mb, request_too_large, too_large
from renkei.core.permissions import visible
from renkei.core.tenancy import allowed_company_ids, group_companies, is_unrestricted
from renkei.core.views.objects import RenkeiViewMixin
from renkei.registry.models import Organisation

# --- 1. a check sheet as a framework -----------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Check sheet (.xlsx)"))


def _company_choices(user: Any) -> list[tuple[str, str]]:
    """The group companies the user may give the framework to ("" = the whole group, for a user
    with access to the whole group only)."""
    companies = visible(group_companies(), user).order_by("kind", "name")
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

    COLUMN_FIELDS = checksheet.FIELDS

    def __init__(self, *args: Any, columns: list[tuple[int, str]], user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [(str(index), label) for index, label in columns]
        for name in self.COLUMN_FIELDS:
            field = self.fields[name]
            field.choices = options if field.required else [("", "—"), *options]  # type: ignore[attr-defined]
        companies = _company_choices(user)
        self.fields["group_company"].choices = companies  # type: ignore[attr-defined]
        self.fields["group_company"].required = not is_unrestricted(user)

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

    def mapping(self) -> checksheet.ColumnMapping:
        data = self.cleaned_data
        return checksheet.ColumnMapping.from_dict(data)

    def framework_fields(self) -> checksheet.FrameworkFields:
        data = self.cleaned_data
        return checksheet.FrameworkFields(
            key=data["key"],
            version=data["version"],
            name_ja=data["name_ja"].strip(),
            name_en=(data.get("name_en") or "").strip(),
            levels_cumulative=bool(data.get("levels_cumulative")),
        )


class CheckSheetStep(RenkeiViewMixin, View):
    """A step of the check-sheet import; the workbook is the one this session uploaded."""

    permission_action = WRITE

    def book(self) -> tuple[dict[str, Any], excel_reading.Book] | None:
        entry = FRAMEWORK_UPLOADS.entry(self.request.session)
        data = load_json(entry["path"]) if entry else None
        if entry is None or data is None:
            return None
        return entry, excel_reading.Book.from_json(data)

    def restart(self) -> HttpResponse:
        messages.error(self.request, _("This upload is no longer available; upload the file again."))
        return HttpResponseRedirect(reverse("assessments:framework_excel_import"))

    def render_step(self, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        context.setdefault("title", _("Import an Excel check sheet"))
        return render(self.request, TEMPLATES + template, context, status=status)


def _chosen_sheet(entry: dict[str, Any], book: excel_reading.Book) -> tuple[int, excel_reading.Sheet] | None:
    index = entry.get("sheet")
    if isinstance(index, int) and 0 <= index < len(book.sheets):
        return index, book.sheets[index]
    return None


class FrameworkImportUploadView(CheckSheetStep):
    """Step 1: upload the workbook (read safely, once)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_step("framework_upload.html", {"form": UploadForm(), "max_mb": limit_mb()})

    def post(self, request: HttpRequest) -> HttpResponse:
        context: dict[str, Any] = {"form": UploadForm(), "max_mb": limit_mb()}
        if "cancel" in request.POST:
            FRAMEWORK_UPLOADS.discard(request.session)
            return HttpResponseRedirect(optional_url("assessments:framework_list") or reverse("assessments:framework_excel_import"))
        if request_too_large(request):
            return self.render_step("framework_upload.html", {**context, "error": too_large()}, status=413)
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return self.render_step("framework_upload.html", context, status=400)
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)
            book = excel_reading.read_book(upload.read(), filename=upload.name or "upload.xlsx")
        except RenkeiError as exc:
            return self.render_step("framework_upload.html", {**context, "error": exc}, status=exc.status)
        first = next((i for i, s in enumerate(book.sheets) if s.rows and not s.hidden), None)
        if first is None:
            first = next(i for i, s in enumerate(book.sheets) if s.rows)
        FRAMEWORK_UPLOADS.save_json(request.session, book.to_json(), sheet=first)
        return HttpResponseRedirect(reverse("assessments:framework_excel_import_sheet"))


class FrameworkImportSheetView(CheckSheetStep):
    """Step 2: the sheet and its header row (the first rows are shown with their numbers)."""

    def page(self, entry: dict[str, Any], book: excel_reading.Book, index: int, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
        sheet = book.sheets[index]
        header_row = entry.get("header_row") if entry.get("sheet") == index else None
        if not isinstance(header_row, int) or sheet.row(header_row) is None:
            header_row = checksheet.guess_header_row(sheet)
        rows = checksheet.preview_rows(sheet)
        width = max((len(cells) for _n, cells in rows), default=0)
        context = {
            "token": entry["token"],
            "filename": book.filename,
            "sheets": [(i, s.title, len(s.rows), s.hidden) for i, s in enumerate(book.sheets)],
            "sheet_index": index,
            "sheet": sheet,
            "rows": rows,
            "letters": [checksheet.column_letter(i) for i in range(width)],
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
        FRAMEWORK_UPLOADS.update(request.session, sheet=index, header_row=header_row, last_row=last_row, columns=None)
        return HttpResponseRedirect(reverse("assessments:framework_excel_import_columns"))


class FrameworkImportColumnsView(CheckSheetStep):
    """Step 3: which column holds what, and the framework's key, name and version. Posting it shows
    step 4, the preview with every row's problems."""

    def chosen(self) -> tuple[dict[str, Any], excel_reading.Book, excel_reading.Sheet, int] | None:
        loaded = self.book()
        if loaded is None:
            return None
        entry, book = loaded
        chosen = _chosen_sheet(entry, book)
        header_row = entry.get("header_row")
        if chosen is None or not isinstance(header_row, int) or chosen[1].row(header_row) is None:
            return None
        return entry, book, chosen[1], header_row

    def make_form(self, entry: dict[str, Any], book: excel_reading.Book, sheet: excel_reading.Sheet, header_row: int, data: Any = None) -> ColumnsForm:
        columns = checksheet.column_choices(sheet, header_row)
        initial: dict[str, Any] = {"version": "1"}
        saved = entry.get("columns")
        if isinstance(saved, dict):
            initial.update({k: ("" if v is None else str(v)) if k in checksheet.FIELDS else v for k, v in saved.items()})
        else:
            guess = checksheet.guess_columns(sheet.row(header_row) or [])
            initial.update({k: "" if v is None else str(v) for k, v in guess.items()})
            stem = book.filename.rsplit(".", 1)[0]
            initial["name_ja"] = f"{stem} {sheet.title}".strip()[:200]
            initial["key"] = f"excel-{timezone.localdate():%Y%m%d}-{secrets.token_hex(2)}"
            levels = checksheet.column_levels(sheet, header_row, guess.get("level"), entry.get("last_row"))
            initial["levels_cumulative"] = checksheet.looks_cumulative(levels)
        return ColumnsForm(data, columns=columns, user=self.request.user, initial=initial)

    def columns_page(self, form: ColumnsForm, entry: dict[str, Any], book: excel_reading.Book, sheet: excel_reading.Sheet, header_row: int, status: int = 200) -> HttpResponse:
        context = {
            "token": entry["token"],
            "form": form,
            "filename": book.filename,
            "sheet": sheet,
            "header_row": header_row,
            "header": [(checksheet.column_letter(i), text) for i, text in enumerate(sheet.row(header_row) or [])],
            "sample": checksheet.preview_rows(excel_reading.Sheet(title=sheet.title, rows=[r for r in sheet.rows if r[0] > header_row]), 3),
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
        FRAMEWORK_UPLOADS.update(request.session, columns=saved)
        result = _check_sheet(book, sheet, header_row, entry.get("last_row"), form.mapping(), form.framework_fields())
        return _preview_page(self, entry["token"], book, sheet, header_row, result)


def _check_sheet(
    book: excel_reading.Book, sheet: excel_reading.Sheet, header_row: int, last_row: Any, mapping: checksheet.ColumnMapping, fields: checksheet.FrameworkFields
) -> checksheet.CheckSheetResult:
    result = checksheet.check_sheet_spec(
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
            checksheet.RowProblem(
                row=None,
                message=_("A framework with the key {key} and version {version} already exists. Choose another key or raise the version.").format(
                    key=fields.key, version=fields.version
                ),
            )
        )
    return result


def _preview_page(
    step: CheckSheetStep, token: str, book: excel_reading.Book, sheet: excel_reading.Sheet, header_row: int, result: checksheet.CheckSheetResult,
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
        mapping = checksheet.ColumnMapping.from_dict(saved)
        fields = checksheet.FrameworkFields(
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
            framework, _changed = framework_services.framework_install(
                user=request.user, spec=result.spec, origin=FrameworkOrigin.EXCEL, group_company=company
            )
        except RenkeiError as exc:
            return _preview_page(self, entry["token"], book, sheet, header_row, result, exc)
        FRAMEWORK_UPLOADS.discard(request.session)
        messages.success(
            request,
            _("{name}: {n} questions imported from {file}.").format(name=framework.name, n=framework.question_count, file=book.filename),
        )
        return HttpResponseRedirect(optional_url("assessments:framework_detail", framework.pk) or reverse("assessments:framework_excel_import"))
