"""The framework library: list, one framework's sections and questions, YAML upload and download,
retiring and deleting. Built-in frameworks and those of the whole group are shared by every group
company; only a user with access to the whole group may change them."""

from __future__ import annotations

import re
from typing import Any

import yaml
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from renkei.assessments.frameworks import forms as framework_forms
from renkei.assessments.frameworks import selectors as framework_selectors
from renkei.assessments.frameworks import services as framework_services
from renkei.assessments.frameworks import spec as frameworks
from renkei.assessments.models import Framework, Question, Section, pick
from renkei.assessments.views import (
    READ,
    WRITE,
    StaffActionView,
    StaffDeleteView,
    StaffDetailView,
    StaffListView,
    optional_url,
)
from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import limit_mb, request_too_large, request_too_large_message
from renkei.core.permissions import can, get_visible_or_404
from renkei.core.tenancy import is_unrestricted
from renkei.core.views.objects import Column, RenkeiViewMixin

# Sections start collapsed above this many questions (a 1,000-question check sheet stays readable).
OPEN_SECTIONS_UP_TO = 150


def may_manage(user: Any, framework: Framework) -> bool:
    """Whether the user may retire, activate or delete this framework (the whole group's ones need
    a user with access to the whole group)."""
    if not can(user, WRITE):
        return False
    return framework.group_company_id is not None or is_unrestricted(user)


class FrameworkListView(StaffListView):
    model = Framework
    template_name = "assessments/framework_list.html"
    title = gettext_lazy("Frameworks")
    columns = [
        Column("name", gettext_lazy("name"), link=True, sort="name_ja"),
        Column("version", gettext_lazy("version")),
        Column("origin", gettext_lazy("origin"), sort="origin"),
        Column("question_count", gettext_lazy("questions"), sort="question_count"),
    ]
    search_fields = ("name_ja", "name_en", "key", "description_ja", "description_en")
    filter_form_class = framework_forms.FrameworkFilterForm
    filter_lookups = {"origin": "origin"}
    default_sort = "name_ja"

    def base_queryset(self) -> QuerySet[Framework]:
        return Framework.objects.select_related("group_company")

    def filter_active(self, qs: QuerySet[Framework], value: str) -> QuerySet[Framework]:
        return qs.filter(is_active=value == "yes")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["excel_import_url"] = optional_url("assessments:framework_excel_import")
        return ctx


class FrameworkDetailView(StaffDetailView):
    model = Framework
    template_name = "assessments/framework_detail.html"

    def base_queryset(self) -> QuerySet[Framework]:
        return Framework.objects.select_related("group_company")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        framework: Framework = self.object
        sections = list(Section.objects.filter(framework=framework).order_by("order"))
        by_section: dict[int, list[Question]] = {s.pk: [] for s in sections}
        for q in Question.objects.filter(framework=framework).order_by("order"):
            q.mapping_text = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in (q.mappings or {}).items())  # type: ignore[attr-defined]
            q.choice_text = ", ".join(  # type: ignore[attr-defined]
                pick(str(c.get("ja") or ""), str(c.get("en") or "")) + (f" ({c['score']:g})" if c.get("score") is not None else "")
                for c in q.choices or []
            )
            by_section[q.section_id].append(q)
        for s in sections:
            s.question_list = by_section[s.pk]  # type: ignore[attr-defined]
        ctx.update(
            {
                "title": framework.name,
                "sections": sections,
                "open_sections": framework.question_count <= OPEN_SECTIONS_UP_TO,
                "used_by": framework.assignments.count(),
                "campaign_count": framework.campaigns.count(),
                "may_manage": may_manage(self.request.user, framework),
                "answer_points": [(frameworks.yesno_labels().get(k, k), v) for k, v in (framework.answer_points or {}).items()],
            }
        )
        return ctx


class FrameworkUploadView(RenkeiViewMixin, View):
    """Upload a framework file: checked whole; every problem is listed, nothing half-stored."""

    permission_action = WRITE
    template_name = "assessments/framework_upload.html"

    def render_page(self, form: framework_forms.FrameworkUploadForm, error: RenkeiError | None = None, status: int = 200) -> HttpResponse:
        context = {
            "title": _("Upload a framework"),
            "form": form,
            "error": error,
            "problems": error.items if error is not None else [],
            "limit_mb": limit_mb(frameworks.MAX_YAML_BYTES),
            "schema": frameworks.SCHEMA_ID,
            "excel_import_url": optional_url("assessments:framework_excel_import"),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(framework_forms.FrameworkUploadForm(user=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = framework_forms.FrameworkUploadForm(user=request.user)
        if request_too_large(request):
            error = RenkeiError(request_too_large_message(), status=413)
            return self.render_page(form, error, status=413)
        form = framework_forms.FrameworkUploadForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_page(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            framework = framework_services.framework_upload(
                user=request.user,
                # One byte past the limit is enough for the loader to refuse the file by name.
                data=upload.read(frameworks.MAX_YAML_BYTES + 1),
                filename=upload.name,
                group_company=form.cleaned_data.get("group_company"),
            )
        except RenkeiError as exc:
            return self.render_page(form, exc, status=exc.status)
        messages.success(
            request,
            _("Framework {name} ({n} questions) is available.").format(name=str(framework), n=framework.question_count),
        )
        return HttpResponseRedirect(framework.get_absolute_url())


class _NoAliasDumper(yaml.SafeDumper):
    """safe_dump without anchors and aliases: the framework loader refuses them (they can make a
    small file expand enormously), so a download must never contain any."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def framework_yaml(framework: Framework) -> str:
    document = frameworks.spec_to_document(framework_selectors.framework_spec(framework))
    return yaml.dump(document, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=1000)


class FrameworkDownloadView(RenkeiViewMixin, View):
    permission_action = READ

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        framework = get_visible_or_404(Framework.objects.all(), request.user, pk=pk)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", f"{framework.key}-{framework.version}") + ".yaml"
        response = HttpResponse(framework_yaml(framework), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class FrameworkActiveView(StaffActionView):
    """Retire a framework from new assessments (`active=0`) or bring it back (`active=1`)."""

    model = Framework

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        active = self.request.POST.get("active") == "1"
        framework_services.framework_set_active(user=self.request.user, framework=obj, active=active)
        if active:
            messages.success(self.request, _("The framework is available for new assessments again."))
        else:
            messages.success(self.request, _("The framework was retired; its past assessments keep it."))


class FrameworkDeleteView(StaffDeleteView):
    model = Framework
    success_url_name = "assessments:framework_list"

    def delete(self, *, instance: Any) -> None:
        framework_services.framework_delete(user=self.request.user, framework=instance)
