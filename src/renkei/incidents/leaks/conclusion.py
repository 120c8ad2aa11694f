"""The conclusion of a trace in words a lawyer can read, in Japanese and in English.

`conclude` takes the trace result as the service returns it (recipients and datasets named) and
says which canaries of which sending were found, that our master data holds no canaries, and hence
which copy the sample derives from; or that it is a tie between recipients; or which recipient's data
it most resembles and why that is not proof; or that nothing links it to anything we shared. The
result is plain data (stored with the trace, printed by the command, rendered into a report).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

LANGUAGES = ("ja", "en")
CANARY, SEVERAL, TIE, LIKELY, NONE = "canary", "several_copies", "tie", "likely", "none"
ROWS_LISTED = 10


def _date(iso: str) -> str:
    try:
        return str(formats.date_format(dt.date.fromisoformat(iso), "DATE_FORMAT"))
    except ValueError:
        return iso


def _names(names: list[str]) -> str:
    return ("、" if translation.get_language() == "ja" else ", ").join(names)


def _rows(canaries: list[dict[str, Any]]) -> str:
    rows = [str(c["row"]) for c in canaries if c.get("row")]
    return ", ".join(rows[:ROWS_LISTED]) + (" …" if len(rows) > ROWS_LISTED else "")


def _sendings(canaries: list[dict[str, Any]]) -> list[str]:
    """One sentence per sending whose canaries were found."""
    by_dataset: dict[int, list[dict[str, Any]]] = {}
    for c in canaries:
        by_dataset.setdefault(c["dataset_id"], []).append(c)
    out = []
    for found in by_dataset.values():
        first = found[0]
        out.append(
            ngettext(
                "The sample contains {count} canary record of the dataset “{dataset}” sent to {recipient} on {date} (row {rows}).",
                "The sample contains {count} canary records of the dataset “{dataset}” sent to {recipient} on {date} (rows {rows}).",
                len(found),
            ).format(
                count=f"{len(found):,}", dataset=first.get("dataset", ""), recipient=first.get("recipient", ""),
                date=_date(first.get("shared_on", "")), rows=_rows(found),
            )  # fmt: skip
        )
    return out


def _text(result: dict[str, Any]) -> tuple[str, list[str]]:
    """The verdict and its statements, in the active language."""
    conclusive = [c for c in result.get("canaries", []) if c.get("conclusive")]
    owners = result.get("canary_recipients", [])
    recipients = result.get("recipients", [])
    points: list[str] = []
    if conclusive:
        points += _sendings(conclusive)
        points.append(
            _(
                "Canary records are invented persons made for one sending to one recipient; our master data "
                "does not contain them, and no other recipient was sent them."
            )
        )
        names = [o["recipient"] for o in owners]
        if len(owners) == 1:
            points.append(_("The sample therefore derives from the copy we sent to {recipient}.").format(recipient=names[0]))
            return CANARY, points
        points.append(
            _("The sample therefore combines data from the copies we sent to {recipients}.").format(recipients=_names(names))
        )
        return SEVERAL, points
    for c in result.get("canaries", []):
        points.append(
            _(
                "A field of a canary record of {recipient} was found ({value}, row {row}); a real person may have "
                "the same value, so this alone is not proof."
            ).format(recipient=c.get("recipient", ""), value=c.get("value", ""), row=c.get("row", ""))
        )
    total = f"{result.get('rows_total', 0):,}"
    if not recipients:
        points.insert(
            0,
            _(
                "None of the sample's {total} rows matches any row, e-mail address, phone number, name and address, "
                "name and birth date, postal code and address or member number of the {datasets} datasets we shared. "
                "Nothing links the sample to data we shared."
            ).format(total=total, datasets=f"{result.get('datasets_compared', 0):,}"),
        )
        return NONE, points
    points.insert(0, _("No canary records were found in the sample."))
    tied = [r for r in recipients if r["recipient_id"] in result.get("tie", [])]
    if tied:
        points.append(
            _(
                "The sample cannot be attributed: it is inconclusive between {recipients}, {rows} matching rows each "
                "(of {total})."
            ).format(recipients=_names([r["recipient"] for r in tied]), rows=f"{tied[0]['rows']:,}", total=total)
        )
        return TIE, points
    top = recipients[0]
    points.append(
        _(
            "{rows} of its {total} rows match data we sent to {recipient} ({exclusive} of them were sent to "
            "{recipient} alone)."
        ).format(rows=f"{top['rows']:,}", total=total, recipient=top["recipient"], exclusive=f"{top['exclusive_rows']:,}")
    )
    if len(recipients) > 1:
        points.append(
            _("The next recipient, {recipient}, matches {rows} rows.").format(
                recipient=recipients[1]["recipient"], rows=f"{recipients[1]['rows']:,}"
            )
        )
    points.append(
        _(
            "This points to the copy we sent to {recipient}, but without canary records it is not proof: other "
            "recipients were sent some of the same data."
        ).format(recipient=top["recipient"])
    )
    return LIKELY, points


def conclude(result: dict[str, Any], languages: tuple[str, ...] = LANGUAGES) -> dict[str, Any]:
    """{"verdict", "recipient_ids", "text": {language: paragraph}, "points": {language: [sentences]}}."""
    verdict = NONE
    text: dict[str, str] = {}
    points: dict[str, list[str]] = {}
    for language in languages:
        with translation.override(language):
            verdict, said = _text(result)
            points[language] = said
            text[language] = ("" if language == "ja" else " ").join(said)
    recipient_ids: list[int] = {
        CANARY: lambda: [r["recipient_id"] for r in result.get("canary_recipients", [])],
        SEVERAL: lambda: [r["recipient_id"] for r in result.get("canary_recipients", [])],
        TIE: lambda: list(result.get("tie", [])),
        LIKELY: lambda: [result["recipients"][0]["recipient_id"]],
        NONE: lambda: [],
    }[verdict]()
    return {"verdict": verdict, "recipient_ids": recipient_ids, "text": text, "points": points}

