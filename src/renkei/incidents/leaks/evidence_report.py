"""The leak-trace evidence report (PDF, A4): what was traced, how, and what it shows, for a lawyer.

Built from a `TraceEvidence` alone: the stored result is the trace as it was reached, so the report
reads the same whenever it is printed. Texts follow the reader's language (gettext); the layout is
core's document model.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.core.documents import Document, Heading, KeyValues, Notice, Paragraph, Table, render_pdf
from renkei.incidents.leaks.models import TraceEvidence
from renkei.incidents.leaks.selectors import conclusion_points, conclusion_text


def _count(value: Any) -> str:
    return f"{int(value or 0):,}"


def _when(value: Any) -> str:
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}" + _(" (Japan time)")


def _method_text(result: dict[str, Any]) -> str:
    return _(
        "Every dataset we shared was recorded only as keyed fingerprints (HMAC-SHA-256) of its rows and of "
        "their identifying values after normalisation; the sample was normalised and fingerprinted the same "
        "way and compared with each of them. Each copy we sent carried invented canary rows unique to its "
        "recipient and sending; our own master data contains no canary rows, so a canary in the sample can "
        "only come from the copy it was made for. Datasets compared: {datasets}; fingerprints compared: "
        "{fingerprints}."
    ).format(datasets=_count(result.get("datasets_compared")), fingerprints=_count(result.get("fingerprints_compared")))


def evidence_document(evidence: TraceEvidence) -> Document:
    result = evidence.result or {}
    facts = KeyValues(
        rows=(
            (_("incident"), str(evidence.incident)),
            (_("sample"), evidence.sample_name),
            (_("size"), _("{n} bytes").format(n=_count(evidence.sample_size))),
            ("SHA-256", evidence.sample_sha256),
            (_("rows in the sample"), _count(result.get("rows_total"))),
            (_("traced at"), _when(evidence.traced_at)),
            (_("traced by"), str(evidence.traced_by or "—")),
        )
    )
    points = conclusion_points(result) or [conclusion_text(result)]
    blocks: list[Any] = [Heading(_("Conclusion")), *(Paragraph(point) for point in points)]
    if result.get("tie"):
        blocks.append(Notice(_("The result is inconclusive between several recipients; see the table below.")))
    blocks += [Heading(_("The sample")), facts, Heading(_("Method")), Paragraph(_method_text(result))]
    canaries = result.get("canaries") or []
    if canaries:
        blocks += [
            Heading(_("Canary rows found in the sample")),
            Table(
                header=(_("row"), _("recipient"), _("dataset"), _("shared on"), _("matched value")),
                rows=tuple(
                    (str(c.get("row", "")), str(c.get("recipient", "")), str(c.get("dataset", "")),
                     str(c.get("shared_on", "")), str(c.get("value", "")))
                    for c in canaries
                ),  # fmt: skip
                widths=(0.08, 0.25, 0.27, 0.14, 0.26),
            ),
        ]
    recipients = result.get("recipients") or []
    if recipients:
        blocks += [
            Heading(_("Recipients whose data matches")),
            Table(
                header=(_("rank"), _("recipient"), _("matching rows"), _("rows only they were sent"), _("datasets")),
                rows=tuple(
                    (str(r.get("rank", "")), str(r.get("recipient", "")), _count(r.get("rows")),
                     _count(r.get("exclusive_rows")),
                     "\n".join(f"{d.get('name', '')} ({d.get('shared_on', '')})" for d in r.get("datasets", [])))
                    for r in recipients
                ),  # fmt: skip
                widths=(0.08, 0.27, 0.15, 0.17, 0.33),
            ),
        ]
    blocks += [
        Heading(_("Rows that match nothing we shared")),
        Paragraph(_("{n} rows of the sample match no row or identifying value of any dataset we shared.").format(
            n=_count(result.get("unmatched_count")))),
    ]  # fmt: skip
    if result.get("skipped_datasets"):
        blocks.append(
            Notice(_("{n} datasets were fingerprinted with another key and could not be compared.").format(
                n=_count(result["skipped_datasets"])))
        )  # fmt: skip
    return Document(
        title=_("Leak trace report"),
        blocks=tuple(blocks),
        footer=f"{evidence.sample_name} · SHA-256 {evidence.sample_sha256}",
    )


def evidence_pdf(evidence: TraceEvidence) -> bytes:
    return render_pdf(evidence_document(evidence))
