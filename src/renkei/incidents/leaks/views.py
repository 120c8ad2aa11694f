"""Leak attribution pages: the ledger of shared datasets, sharing a dataset (the file comes back with
canary rows), and tracing a leaked file. Reading needs `VIEW_INCIDENTS`, writing
`CHANGE_INCIDENTS`; datasets outside the user's group companies answer 404."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.db.models.functions import Length
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.files.uploads import check_size, limit_mb, request_too_large, too_large
from renkei.core.tenancy import default_group_company_id
from renkei.core.views.objects import (
    Column,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectListView,
    RenkeiViewMixin,
)
from renkei.incidents.leaks import fingerprinting, selectors, services, tasks
from renkei.incidents.leaks.canaries import kind_from_header
from renkei.incidents.leaks.forms import ShareForm, TraceForm
from renkei.incidents.leaks.models import SharedDataset
from renkei.incidents.permissions import CHANGE_INCIDENTS, VIEW_INCIDENTS

READ, WRITE = VIEW_INCIDENTS, CHANGE_INCIDENTS
COLUMN_KINDS = {
    "email": gettext_lazy("e-mail"),
    "phone": gettext_lazy("phone"),
    "name": gettext_lazy("name"),
    "family_name": gettext_lazy("family name"),
    "given_name": gettext_lazy("given name"),
    "kana": gettext_lazy("reading"),
    "family_kana": gettext_lazy("reading of family name"),
    "given_kana": gettext_lazy("reading of given name"),
    "birthdate": gettext_lazy("birth date"),
    "age": gettext_lazy("age"),
    "gender": gettext_lazy("gender"),
    "postal_code": gettext_lazy("postal code"),
    "prefecture": gettext_lazy("prefecture"),
    "city": gettext_lazy("city"),
    "address": gettext_lazy("address"),
    "member_number": gettext_lazy("member number"),
}
MATCH_KINDS = {
    "row": gettext_lazy("whole row"),
    "email": gettext_lazy("e-mail"),
    "phone": gettext_lazy("phone"),
    "name_address": gettext_lazy("name and address"),
    "name_birth": gettext_lazy("name and birth date"),
    "postal_address": gettext_lazy("postal code and address"),
    "member": gettext_lazy("member number"),
}


def request_language(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", None) or translation.get_language() or "ja"


# --- the ledger ---------------------------------------------------------------------------------


class DatasetListView(ObjectListView):
    model = SharedDataset
    permission_action = READ
    change_action = WRITE
    title = gettext_lazy("Shared datasets")
    columns = [
        Column("name", gettext_lazy("name"), link=True, sort="name"),
        Column("recipient", gettext_lazy("recipient"), sort="recipient__name"),
        Column("asset", gettext_lazy("information asset")),
        Column("row_count", gettext_lazy("rows"), sort="row_count"),
        Column("canary_count", gettext_lazy("canary rows")),
        Column("shared_on", gettext_lazy("shared on"), sort="shared_on"),
        Column("method", gettext_lazy("method")),
        Column("group_company", gettext_lazy("group company")),
    ]
    search_fields = ("name", "recipient__name", "method", "asset__name")
    default_sort = "-shared_on"
    create_url_name = "incidents:dataset_create"
    extra_actions = [(reverse_lazy("incidents:leak_trace"), gettext_lazy("Trace a leaked file"))]  # type: ignore[list-item]

    def base_queryset(self) -> QuerySet[SharedDataset]:
        return SharedDataset.objects.select_related("recipient", "asset", "group_company").defer("fingerprints")


class DatasetDetailView(ObjectDetailView):
    model = SharedDataset
    permission_action = READ
    change_action = WRITE
    template_name = "incidents/leaks/dataset_detail.html"

    def base_queryset(self) -> QuerySet[SharedDataset]:
        return (
            SharedDataset.objects.select_related("recipient", "asset", "group_company")
            .defer("fingerprints")
            .annotate(fingerprint_bytes=Length("fingerprints"))
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        dataset = self.object
        ctx.update(
            columns=[(name, COLUMN_KINDS.get(kind_from_header(str(name)) or "", "")) for name in dataset.columns],
            fingerprint_count=(dataset.fingerprint_bytes or 0) // 8,
            key_current=dataset.key_version == fingerprinting.key_id(services.leak_key()),
            canaries=list(dataset.canaries.all()),
        )
        return ctx


class DatasetDeleteView(ObjectDeleteView):
    model = SharedDataset
    permission_action = READ
    change_action = WRITE
    success_url_name = "incidents:dataset_list"

    def base_queryset(self) -> QuerySet[SharedDataset]:
        return SharedDataset.objects.select_related("recipient").defer("fingerprints")

    def delete(self, *, instance: Any) -> None:
        services.dataset_delete(user=self.request.user, dataset=instance)


# --- sharing a dataset --------------------------------------------------------------------------


class DatasetShareView(RenkeiViewMixin, View):
    """Upload the dataset about to be sent; the answer is the same file with canary rows mixed in."""

    permission_action = WRITE
    template_name = "incidents/leaks/share.html"

    def render_form(self, form: ShareForm, status: int = 200, error: RenkeiError | None = None) -> HttpResponse:
        context = {"form": form, "error": error, "max_mb": limit_mb(), "title": _("Share a dataset")}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {"group_company": default_group_company_id(request.user)}
        return self.render_form(ShareForm(user=request.user, initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        if request_too_large(request):
            return self.render_form(ShareForm(user=request.user), 413, too_large())
        form = ShareForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_form(form, 400)
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)
        except RenkeiError as exc:
            return self.render_form(form, exc.status, exc)
        try:
            shared = services.dataset_share(
                user=request.user,
                dataset=form.instance,
                data=upload.read(),
                filename=upload.name or "dataset.csv",
                encoding=form.cleaned_data["encoding"],
                canary_count=form.cleaned_data["canary_count"],
            )
        except RenkeiError as exc:
            errors_to_form(form, exc)
            return self.render_form(form, exc.status)
        # The file is not kept on the server (only fingerprints are): it is this answer.
        response = HttpResponse(shared.content, content_type=shared.content_type)
        response["Content-Disposition"] = content_disposition_header(True, shared.filename) or "attachment"
        response["X-Renkei-Dataset"] = reverse("incidents:dataset_detail", args=[shared.dataset.pk])
        return response


# --- tracing a leaked file ----------------------------------------------------------------------


class TraceView(RenkeiViewMixin, View):
    """Upload a leaked file: small files are traced at once, larger ones in the worker (`?token=`
    then shows the progress and, when done, the result)."""

    permission_action = READ
    template_name = "incidents/leaks/trace.html"

    def render_page(self, form: TraceForm, status: int = 200, **extra: Any) -> HttpResponse:
        result = extra.get("result") or {}
        # The conclusion is stored in both languages; the page shows the reader's.
        extra["conclusion"] = selectors.conclusion_points(result, request_language(self.request))
        context = {
            "title": _("Trace a leaked file"),
            "form": form,
            "max_mb": limit_mb(services.max_leak_bytes()),
            "match_kinds": MATCH_KINDS,
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        token = request.GET.get("token", "")
        if not token:
            return self.render_page(TraceForm())
        if not tasks.owns(request.session, token):
            raise Http404(_("Not found."))
        status = tasks.load_status(token) or {"state": "failed", "message": _("This trace is no longer available.")}
        return self.render_page(TraceForm(), status=200, job=status, result=status.get("result"))

    def post(self, request: HttpRequest) -> HttpResponse:
        # A leaked sample has a limit of its own (RENKEI_MAX_LEAK_BYTES): leaks are often large.
        limit = services.max_leak_bytes()
        if request_too_large(request, limit):
            return self.render_page(TraceForm(), 413, error=too_large(limit))
        form = TraceForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form, 400)
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size, limit)
        except RenkeiError as exc:
            return self.render_page(form, exc.status, error=exc)
        filename = upload.name or "sample"
        if upload.size > services.inline_leak_bytes():
            token = tasks.queue_trace(
                request.session,
                upload,
                filename=filename,
                encoding=form.cleaned_data["encoding"],
                user_id=cast(int, request.user.pk),  # the mixin has required a logged-in user
                language=request_language(request),
            )
            return HttpResponseRedirect(f"{reverse('incidents:leak_trace')}?token={token}")
        try:
            result = services.leak_trace(
                user=request.user, data=upload.read(), filename=filename, encoding=form.cleaned_data["encoding"]
            )
        except RenkeiError as exc:
            errors_to_form(form, exc)
            return self.render_page(form, exc.status)
        return self.render_page(TraceForm(), result=result)
