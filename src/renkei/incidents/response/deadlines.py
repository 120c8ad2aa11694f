"""The personal-information clock (APPI Art. 26, PPC rules 7–8): whether a report to the PPC is
required, and by when. Pure functions over plain values: no ORM, no clock of their own.

Decision (`appi_assessment`). A report is required when a leak, loss or damage happened or may
have happened and any of these holds:

1. 要配慮個人情報 (special-care personal information) is involved — from a single person;
2. there is a risk of financial damage (e.g. card numbers, bank log-ins) — from a single person;
3. a wrongful purpose is suspected (unauthorised access, theft, an insider) — from a single person;
4. more than 1,000 persons are affected (1,000 exactly is not "more than").

Data protected by advanced measures such as strong encryption is exempt (the rules' bracketed
exception applies to every case). An unanswered question (None) counts as "no" for the decision
but is listed in `unanswered`, because the rules also cover cases that *may* have happened: the
page shows that the decision is provisional. When we are the contractor (委託先), promptly
notifying the principal (委託元) exempts us from our own report; the principal reports.

Deadlines (`appi_deadlines`). All in Asia/Tokyo, counted from when we learned of the incident.

* Day counting: the day of learning is day 0 (the first day is not counted, as in the Civil
  Code, Art. 140); "within N days" ends at 23:59:59 Asia/Tokyo of the calendar date
  `learned_date + N days`. A learning time given in UTC is first converted to Japan time, so
  20:00 UTC on 31 January is 1 February in Japan and the count starts from 1 February.
* Preliminary report (速報): "promptly", about 3–5 days. `prelim_from` is the end of day
  `prelim_start_days` (default 3, configurable per incident): the target. `prelim_until` is the
  end of day `prelim_end_days` (default 5): the latest.
* Final report (確報): end of day 30, or of day 60 when a wrongful purpose is suspected.
* A deadline falling on a weekend or holiday is not moved: reporting early is always safe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

TOKYO = ZoneInfo("Asia/Tokyo")
PERSONS_THRESHOLD = 1000
FINAL_DAYS = 30
FINAL_DAYS_WRONGFUL = 60

# Reason codes; `reason_text` gives their sentence for the page.
SENSITIVE = "sensitive"
FINANCIAL_RISK = "financial_risk"
WRONGFUL_PURPOSE = "wrongful_purpose"
OVER_THRESHOLD = "over_1000_persons"
ENCRYPTED = "encrypted_exempt"
NONE_APPLIES = "none_applies"
CONTRACTOR = "contractor_notifies_principal"

DATA_OWNER = "data_owner"
CONTRACTOR_ROLE = "contractor"

QUESTIONS = (SENSITIVE, FINANCIAL_RISK, WRONGFUL_PURPOSE, OVER_THRESHOLD)


@dataclass(frozen=True)
class AppiAssessment:
    """Whether the incident meets the PPC reporting criteria, and why.

    `report_required` says whether the case must be reported at all; `contractor_duty` says that
    our own duty is to notify the principal promptly instead (the principal then reports).
    `reasons` are codes, in the order of the questions; `unanswered` lists the open questions.
    """

    report_required: bool
    reasons: list[str]
    contractor_duty: bool = False
    unanswered: list[str] = field(default_factory=list)

    @property
    def we_report_to_ppc(self) -> bool:
        return self.report_required and not self.contractor_duty

    @property
    def provisional(self) -> bool:
        return bool(self.unanswered)


@dataclass(frozen=True)
class AppiDeadlines:
    """The preliminary-report window and the final-report deadline (aware, Asia/Tokyo)."""

    learned_at: dt.datetime
    prelim_from: dt.datetime
    prelim_until: dt.datetime
    final_due: dt.datetime
    final_days: int


@dataclass(frozen=True)
class TimeLeft:
    """What remains until a deadline, for a countdown; negative values are not used: `overdue`."""

    days: int
    hours: int
    minutes: int
    overdue: bool
    total_seconds: int


def appi_assessment(
    *,
    sensitive: bool | None,
    financial_risk: bool | None,
    wrongful_purpose: bool | None,
    persons: int | None,
    encrypted: bool = False,
    our_role: str = DATA_OWNER,
) -> AppiAssessment:
    """Decide whether a report to the PPC is required, with the reasons (codes) for the decision."""
    if our_role not in (DATA_OWNER, CONTRACTOR_ROLE):
        raise ValueError(f"unknown role: {our_role}")
    if persons is not None and persons < 0:
        raise ValueError("persons must not be negative")
    answers = {
        SENSITIVE: sensitive,
        FINANCIAL_RISK: financial_risk,
        WRONGFUL_PURPOSE: wrongful_purpose,
        OVER_THRESHOLD: None if persons is None else persons > PERSONS_THRESHOLD,
    }
    unanswered = [code for code in QUESTIONS if answers[code] is None]
    met = [code for code in QUESTIONS if answers[code]]
    contractor = our_role == CONTRACTOR_ROLE
    if encrypted:
        reasons = [ENCRYPTED]
        required = False
    elif met:
        reasons = list(met)
        required = True
    else:
        reasons = [NONE_APPLIES]
        required = False
    if contractor:
        reasons.append(CONTRACTOR)
    return AppiAssessment(report_required=required, reasons=reasons, contractor_duty=contractor, unanswered=unanswered)


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 of a calendar day in Japan time."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=TOKYO)


def appi_deadlines(
    *,
    learned_at: dt.datetime,
    wrongful_purpose: bool | None,
    prelim_start_days: int = 3,
    prelim_end_days: int = 5,
) -> AppiDeadlines:
    """The preliminary window and final deadline from the moment of learning (see the module doc)."""
    if learned_at.tzinfo is None or learned_at.utcoffset() is None:
        raise ValueError("learned_at must be an aware datetime")
    if prelim_start_days < 0 or prelim_end_days < prelim_start_days:
        raise ValueError("the preliminary window must satisfy 0 <= start <= end")
    local = learned_at.astimezone(TOKYO)
    day0 = local.date()
    final_days = FINAL_DAYS_WRONGFUL if wrongful_purpose else FINAL_DAYS
    return AppiDeadlines(
        learned_at=local,
        prelim_from=end_of_day(day0 + dt.timedelta(days=prelim_start_days)),
        prelim_until=end_of_day(day0 + dt.timedelta(days=prelim_end_days)),
        final_due=end_of_day(day0 + dt.timedelta(days=final_days)),
        final_days=final_days,
    )


def time_left(*, deadline: dt.datetime, now: dt.datetime) -> TimeLeft:
    """Days, hours and minutes until the deadline (or since it, with `overdue`)."""
    seconds = int((deadline - now).total_seconds())
    overdue = seconds < 0
    rest = abs(seconds)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    return TimeLeft(days=days, hours=hours, minutes=rest // 60, overdue=overdue, total_seconds=seconds)


def reason_text(code: str) -> str:
    """The sentence shown for a reason code (in the active language)."""
    texts = {
        SENSITIVE: _("Special-care personal information (要配慮個人情報) is involved."),
        FINANCIAL_RISK: _("There is a risk of financial damage."),
        WRONGFUL_PURPOSE: _("A wrongful purpose (e.g. unauthorised access) is suspected."),
        OVER_THRESHOLD: _("More than 1,000 persons are affected."),
        ENCRYPTED: _("The data was protected by strong encryption: exempt from reporting."),
        NONE_APPLIES: _("None of the four conditions applies: no report to the PPC is required."),
        CONTRACTOR: _(
            "We are the contractor: notify the principal promptly; the principal reports to the PPC "
            "and notifies the persons."
        ),
    }
    return texts.get(code, code)


def question_text(code: str) -> str:
    """The question behind a reason code, for listing unanswered questions."""
    texts = {
        SENSITIVE: _("Is special-care personal information involved?"),
        FINANCIAL_RISK: _("Is there a risk of financial damage?"),
        WRONGFUL_PURPOSE: _("Is a wrongful purpose suspected?"),
        OVER_THRESHOLD: _("Are more than 1,000 persons affected?"),
    }
    return texts.get(code, code)
