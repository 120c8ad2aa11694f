"""FIRST EPSS daily scores (epss_scores-YYYY-MM-DD.csv[.gz]): an optional first comment line
`#model_version:…,score_date:…`, the header `cve,epss,percentile`, then one CVE a line. Parsed and
checked into plain values (no database)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from renkei.software.enrichment.files import EnrichmentError
from renkei.software.enrichment.kev import CVE_RE, _limit


@dataclass(frozen=True)
class EpssFile:
    model_version: str
    score_date: dt.datetime | None
    # (CVE, score, percentile)
    scores: list[tuple[str, float, float]]


def parse_epss(text: str, *, max_rows: int = 2_000_000) -> EpssFile:
    """The scores in `text`. Every line is checked; problems (up to 20, naming the line) are
    raised together as one `EnrichmentError`."""
    lines = text.splitlines()
    meta: dict[str, str] = {}
    start = 0
    if lines and lines[0].startswith("#"):
        for part in lines[0][1:].split(","):
            key, _sep, value = part.partition(":")
            meta[key.strip()] = value.strip()
        start = 1
    header = [h.strip().lower() for h in lines[start].split(",")] if len(lines) > start else []
    if header[:3] != ["cve", "epss", "percentile"]:
        raise EnrichmentError(_("This is not a FIRST EPSS file: the header cve,epss,percentile is missing."))
    if len(lines) - start - 1 > max_rows:
        raise EnrichmentError(_("The file has more than {count} rows.").format(count=f"{max_rows:,}"))
    scores: dict[str, tuple[str, float, float]] = {}
    problems: list[str] = []
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if not line.strip():
            continue
        cve, _sep, rest = line.partition(",")
        epss, _sep, percentile = rest.partition(",")
        cve = cve.strip().upper()
        try:
            if not CVE_RE.match(cve):
                raise ValueError
            score, rank = float(epss), float(percentile.split(",", 1)[0])
            if not (0.0 <= score <= 1.0 and 0.0 <= rank <= 1.0) or math.isnan(score) or math.isnan(rank):
                raise ValueError
        except ValueError:
            problems.append(_("Line {number}: expected a CVE ID and two numbers from 0 to 1: {text}").format(
                number=number + 1, text=line[:80]))
            if len(problems) > 100:
                break
            continue
        scores[cve] = (cve, score, rank)
    if problems:
        raise EnrichmentError("\n".join(_limit(problems)))
    if not scores:
        raise EnrichmentError(_("The file has no scores."))
    return EpssFile(model_version=meta.get("model_version", "")[:100], score_date=_score_date(meta),
                    scores=list(scores.values()))


def _score_date(meta: dict[str, str]) -> dt.datetime | None:
    text = meta.get("score_date", "").replace("Z", "+00:00")
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
