"""Tracing an incident's attachment and reading the trace kept as evidence."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.files.base import File
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from renkei.core.errors import RenkeiError
from renkei.core.files.uploads import check_size
from renkei.core.permissions import get_visible_or_404
from renkei.core.views.objects import ObjectDetailView, RenkeiViewMixin
from renkei.incidents.leaks import evidence, evidence_report, services, tasks
from renkei.incidents.leaks.models import TraceEvidence
from renkei.incidents.leaks.selectors import conclusion_points
from renkei.incidents.leaks.views import MATCH_KINDS, request_language
from renkei.incidents.permissions import CHANGE_INCIDENTS, VIEW_INCIDENTS
from renkei.incidents.response.models import Attachment
from renkei.incidents.response.timeline import check_incident


class AttachmentTraceView(RenkeiViewMixin, View):
    """POST: trace an attachment against the ledger and keep the result on the incident. A small
    file is traced at once (then the evidence page); a large one in the worker (then the trace page
    with its progress, which links to the evidence when done)."""

    permission_action = VIEW_INCIDENTS
    change_action = CHANGE_INCIDENTS
    writes = True

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        attachment = get_visible_or_404(Attachment.objects.select_related("incident"), request.user, pk=pk)
        back = attachment.incident.get_absolute_url() + "#attachments"
        try:
            check_incident(request.user, attachment.incident)
            if attachment.size <= services.inline_leak_bytes():
                found = evidence.evidence_trace(user=request.user, attachment=attachment)
                return HttpResponseRedirect(found.get_absolute_url())
            check_size(attachment.size, services.max_leak_bytes())
            with attachment.file.open("rb") as handle:
                token = tasks.queue_trace(
                    request.session,
                    File(handle, name=attachment.name),
                    filename=attachment.name,
                    encoding="auto",
                    user_id=cast(int, request.user.pk),
                    language=request_language(request),
                    attachment_id=attachment.pk,
                )
        except RenkeiError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(back)
        return HttpResponseRedirect(f"{reverse('incidents:leak_trace')}?token={token}")


class TraceEvidenceView(ObjectDetailView):
    """A kept trace: the sample's name, size and hash, who traced it when, and the result."""

    model = TraceEvidence
    permission_action = VIEW_INCIDENTS
    change_action = CHANGE_INCIDENTS
    template_name = "incidents/leaks/evidence_detail.html"

    def base_queryset(self) -> QuerySet[TraceEvidence]:
        return TraceEvidence.objects.select_related("incident", "attachment", "traced_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            title=_("Leak trace kept as evidence"),
            incident=self.object.incident,
            result=self.object.result,
            summary=evidence.conclusion_text(self.object.result),
            conclusion=conclusion_points(self.object.result),
            match_kinds=MATCH_KINDS,
        )
        return ctx


class TraceEvidencePdfView(TraceEvidenceView):
    """The kept trace as an A4 PDF report (Japanese font embedded), named after the sample."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        kept = self.get_object()
        response = HttpResponse(evidence_report.evidence_pdf(kept), content_type="application/pdf")
        stem = kept.sample_name.rsplit(".", 1)[0] or "sample"
        response["Content-Disposition"] = str(content_disposition_header(True, _("leak-trace-{name}.pdf").format(name=stem)))
        return response
