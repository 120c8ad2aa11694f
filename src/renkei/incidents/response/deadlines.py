"""The personal-information clock (APPI Art. 26, PPC rules 7–8): whether a report to the PPC is
required, and by when. Pure functions over plain values: no ORM, no clock of their own. Every
other part of incident response (the APPI panel, task due dates, the notification plan, the
dashboard, the API) takes its dates from `clock_schedule` here: one source.

Decision (`appi_assessment`). A report is required when a leak, loss or damage happened or may
have happened and any of these holds (PPC rules Art. 7 items 1–4; guideline 通則編 3-5-3-1):

1. 要配慮個人情報 (special-care personal information) is involved — from a single person;
2. there is a risk of financial damage (e.g. card numbers, bank log-ins) — from a single person;
3. a wrongful purpose is suspected (unauthorised access, theft, an insider) — from a single person;
4. more than 1,000 persons are affected (1,000 exactly is not "more than").

The decision has three states, never two:

* `REQUIRED` — at least one question is answered "yes" (and no exemption applies);
* `NOT_REQUIRED` — every question is answered "no", or the data was protected by advanced measures
  such as strong encryption *and* the key (or whatever recovers the data) did not leak too
  (the rules' bracketed exception, 「高度な暗号化その他の個人の権利利益を保護するために必要な措置」,
  as the guideline 通則編 3-5-3-1 explains it: the exemption needs the key to be safe);
* `UNDETERMINED` — otherwise. An unanswered question (None) counts as "may apply", never as "no":
  the rules cover cases that *may* have happened, so until the questions are answered a report may
  be required and the deadlines run (provisionally).

When we are the contractor (委託先), promptly notifying the principal (委託元) exempts us from our own
report (rules Art. 9; 通則編 3-5-3-5); the principal reports.

Deadlines (`appi_deadlines`). All in Asia/Tokyo, counted from when we learned of the incident.

* Day counting (通則編 3-5-3-3 and 3-5-3-4, as we read them): the day we learned of it is **day 1**,
  so learned on 10 April → day 30 is 9 May. "Day N" ends at 23:59:59 Asia/Tokyo of the calendar
  date `learned_date + (N − 1) days`. A learning time given in UTC is first converted to Japan
  time: 20:00 UTC on 31 January is 1 February in Japan, and 1 February is day 1.
* Preliminary report (速報): "promptly", about 3–5 days; weekends and holidays count (通則編
  3-5-3-3). `prelim_from` is the end of day `prelim_start_days` (default 3, configurable per
  incident): the target. `prelim_until` is the end of day `prelim_end_days` (default 5): the latest.
* Final report (確報): day 30, or day 60 when a wrongful purpose is suspected (rules Art. 8(2),
  including when another item applies too). When that day falls on a Saturday, Sunday, national
  holiday or the year-end closure 12/29–1/3 (the days the administrative offices are closed, 行政機関
  の休日に関する法律 Art. 1), the strict day stays the **target** and the next working day is the
  **latest** (通則編 3-5-3-4, as we read it). Japanese national holidays (substitute holidays and
  国民の休日 included) come from the `holidays` package.
* While a wrongful purpose is unanswered both final dates (30 and 60 days) are shown as provisional;
  tasks and the plan follow the earlier one, the safe one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import gettext as _

TOKYO = ZoneInfo("Asia/Tokyo")
PERSONS_THRESHOLD = 1000
FINAL_DAYS = 30
FINAL_DAYS_WRONGFUL = 60
PRELIM_START_DAY = 3
PRELIM_END_DAY = 5
# A contractor's notice to the principal: "promptly"; we hold ourselves to one day.
PRINCIPAL_HOURS = 24

# Decision states.
REQUIRED = "required"
NOT_REQUIRED = "not_required"
UNDETERMINED = "undetermined"
STATES = (REQUIRED, NOT_REQUIRED, UNDETERMINED)

# Reason codes; `reason_text` gives their sentence for the page.
SENSITIVE = "sensitive"
FINANCIAL_RISK = "financial_risk"
WRONGFUL_PURPOSE = "wrongful_purpose"
OVER_THRESHOLD = "over_1000_persons"
KEY_LEAKED = "key_leaked"
ENCRYPTED = "encrypted_exempt"
NONE_APPLIES = "none_applies"
MAY_APPLY = "may_apply"
CONTRACTOR = "contractor_notifies_principal"

DATA_OWNER = "data_owner"
CONTRACTOR_ROLE = "contractor"

QUESTIONS = (SENSITIVE, FINANCIAL_RISK, WRONGFUL_PURPOSE, OVER_THRESHOLD)

# Keys of the clock's deadlines, shared by tasks (`IncidentTask.deadline_key`), plan entries
# (`NotificationEntry.generated_key`) and countdowns.
PPC_PRELIMINARY = "ppc:preliminary"
PPC_FINAL = "ppc:final"
INDIVIDUALS = "individuals"
PRINCIPAL = "principal"
CLOCK_KEYS = (PPC_PRELIMINARY, PPC_FINAL, INDIVIDUALS, PRINCIPAL)


@dataclass(frozen=True)
class AppiAssessment:
    """Whether the incident meets the PPC reporting criteria, and why.

    `state` is REQUIRED, NOT_REQUIRED or UNDETERMINED (see the module doc); `contractor_duty` says
    that our own duty is to notify the principal promptly instead (the principal then reports).
    `reasons` are codes, in the order of the questions; `unanswered` lists the open questions.
    """

    state: str
    reasons: list[str]
    contractor_duty: bool = False
    unanswered: list[str] = field(default_factory=list)

    @property
    def report_required(self) -> bool:
        return self.state == REQUIRED

    @property
    def undetermined(self) -> bool:
        return self.state == UNDETERMINED

    @property
    def may_be_required(self) -> bool:
        """Required, or not decided yet: the deadlines run."""
        return self.state != NOT_REQUIRED

    @property
    def we_report_to_ppc(self) -> bool:
        return self.report_required and not self.contractor_duty

    @property
    def we_may_report_to_ppc(self) -> bool:
        return self.may_be_required and not self.contractor_duty

    @property
    def provisional(self) -> bool:
        return self.undetermined or bool(self.unanswered)


@dataclass(frozen=True)
class Due:
    """One legal deadline: `target` is the end of the strict day, `latest` the end of the next
    working day when the strict day is a weekend, holiday or year-end closure day (else the same)."""

    day: int
    target: dt.datetime
    latest: dt.datetime

    @property
    def moved(self) -> bool:
        return self.latest != self.target


@dataclass(frozen=True)
class AppiDeadlines:
    """The preliminary-report window and both final-report deadlines (aware, Asia/Tokyo)."""

    learned_at: dt.datetime
    prelim_from: dt.datetime
    prelim_until: dt.datetime
    final_30: Due
    final_60: Due
    wrongful_purpose: bool | None = None

    @property
    def final(self) -> Due:
        """The final deadline that applies: 60 days for a wrongful purpose; while that is not
        answered, the earlier (30 days) is the safe one to work to."""
        return self.final_60 if self.wrongful_purpose else self.final_30

    @property
    def final_due(self) -> dt.datetime:
        return self.final.target

    @property
    def final_days(self) -> int:
        return self.final.day

    @property
    def final_known(self) -> bool:
        return self.wrongful_purpose is not None


@dataclass(frozen=True)
class ClockItem:
    """One deadline of the clock as tasks, plan entries and countdowns use it."""

    key: str
    due: dt.datetime
    latest: dt.datetime | None = None  # a later legal latest (next working day), when there is one
    provisional: bool = False


@dataclass(frozen=True)
class TimeLeft:
    """What remains until a deadline, for a countdown; negative values are not used: `overdue`."""

    days: int
    hours: int
    minutes: int
    overdue: bool
    total_seconds: int


@dataclass(frozen=True)
class PersonsProposal:
    """Persons affected, proposed from the affected assets' person counts (never their records).

    The same persons often sit in several assets, so the largest count is a floor (`at_least`) and
    the sum a ceiling (`at_most`); `unknown` assets have no person count at all.
    """

    at_least: int | None
    at_most: int | None
    unknown: int

    @property
    def over_threshold(self) -> bool | None:
        """Whether more than 1,000 persons are affected: yes, no, or None (cannot tell)."""
        if self.at_least is not None and self.at_least > PERSONS_THRESHOLD:
            return True
        if self.at_most is not None and self.at_most <= PERSONS_THRESHOLD and not self.unknown:
            return False
        return None


def appi_assessment(
    *,
    sensitive: bool | None,
    financial_risk: bool | None,
    wrongful_purpose: bool | None,
    persons: int | None,
    encrypted: bool = False,
    key_leaked: bool | None = None,
    our_role: str = DATA_OWNER,
) -> AppiAssessment:
    """Decide whether a report to the PPC is required, not required or still undetermined, with
    the reasons (codes) and the questions still open (see the module doc)."""
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
    exempt = encrypted and key_leaked is False
    if encrypted and key_leaked is None:
        # The exemption may apply once we know the key is safe: it is a question of its own.
        unanswered.append(KEY_LEAKED)
    if exempt:
        state, reasons, unanswered = NOT_REQUIRED, [ENCRYPTED], []
    elif met:
        state, reasons = REQUIRED, list(met)
    elif not any(answers[code] is None for code in QUESTIONS):
        state, reasons = NOT_REQUIRED, [NONE_APPLIES]
    else:
        state, reasons = UNDETERMINED, [MAY_APPLY]
    if contractor:
        reasons.append(CONTRACTOR)
    return AppiAssessment(state=state, reasons=reasons, contractor_duty=contractor, unanswered=unanswered)


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 of a calendar day in Japan time."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=TOKYO)


def day_n(first_day: dt.date, n: int) -> dt.date:
    """The calendar date of day `n` when `first_day` is day 1."""
    if n < 1:
        raise ValueError("days are counted from 1 (the day of learning)")
    return first_day + dt.timedelta(days=n - 1)


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("JP", years=year).keys())


def is_closed_day(day: dt.date) -> bool:
    """Saturday, Sunday, a national holiday (振替休日 and 国民の休日 included) or 12/29–1/3: the days
    the administrative offices are closed (行政機関の休日に関する法律 Art. 1)."""
    if day.weekday() >= 5:
        return True
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return True
    return day in _national_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """The day itself when it is a working day, else the first working day after it."""
    while is_closed_day(day):
        day += dt.timedelta(days=1)
    return day


def final_due(first_day: dt.date, days: int) -> Due:
    """The final report's deadline: the strict day `days` as the target, and the next working day
    as the latest when that day is closed (通則編 3-5-3-4, as we read it)."""
    strict = day_n(first_day, days)
    return Due(day=days, target=end_of_day(strict), latest=end_of_day(next_working_day(strict)))


def appi_deadlines(
    *,
    learned_at: dt.datetime,
    wrongful_purpose: bool | None,
    prelim_start_days: int = PRELIM_START_DAY,
    prelim_end_days: int = PRELIM_END_DAY,
) -> AppiDeadlines:
    """The preliminary window and both final deadlines from the moment of learning (see the module
    doc: the day of learning is day 1)."""
    if learned_at.tzinfo is None or learned_at.utcoffset() is None:
        raise ValueError("learned_at must be an aware datetime")
    if prelim_start_days < 1 or prelim_end_days < prelim_start_days:
        raise ValueError("the preliminary window must satisfy 1 <= start <= end")
    local = learned_at.astimezone(TOKYO)
    day1 = local.date()
    return AppiDeadlines(
        learned_at=local,
        prelim_from=end_of_day(day_n(day1, prelim_start_days)),
        prelim_until=end_of_day(day_n(day1, prelim_end_days)),
        final_30=final_due(day1, FINAL_DAYS),
        final_60=final_due(day1, FINAL_DAYS_WRONGFUL),
        wrongful_purpose=wrongful_purpose,
    )


def clock_schedule(assessment: AppiAssessment, deadlines: AppiDeadlines) -> dict[str, ClockItem]:
    """The deadlines that apply now, by key: what tasks, plan entries and countdowns follow.

    The PPC reports and the notice to the persons run while a report is required *or undetermined*
    (provisionally then); a contractor notifies the principal instead. Nothing runs once the report
    is decided not to be required.
    """
    items: dict[str, ClockItem] = {}
    if assessment.we_may_report_to_ppc:
        undecided = assessment.undetermined
        items[PPC_PRELIMINARY] = ClockItem(PPC_PRELIMINARY, deadlines.prelim_until, provisional=undecided)
        final = deadlines.final
        items[PPC_FINAL] = ClockItem(
            PPC_FINAL,
            final.target,
            latest=final.latest if final.moved else None,
            provisional=undecided or not deadlines.final_known,
        )
        items[INDIVIDUALS] = ClockItem(INDIVIDUALS, deadlines.prelim_until, provisional=undecided)
    if assessment.contractor_duty:
        due = deadlines.learned_at + dt.timedelta(hours=PRINCIPAL_HOURS)
        items[PRINCIPAL] = ClockItem(PRINCIPAL, due)
    return items


def persons_proposal(person_counts: list[int | None]) -> PersonsProposal:
    """Persons affected, proposed from the affected assets' person counts (see PersonsProposal)."""
    known = [n for n in person_counts if n is not None]
    unknown = len(person_counts) - len(known)
    if not known:
        return PersonsProposal(at_least=None, at_most=None, unknown=unknown)
    return PersonsProposal(at_least=max(known), at_most=sum(known), unknown=unknown)


def time_left(*, deadline: dt.datetime, now: dt.datetime) -> TimeLeft:
    """Days, hours and minutes until the deadline (or since it, with `overdue`)."""
    seconds = int((deadline - now).total_seconds())
    overdue = seconds < 0
    rest = abs(seconds)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    return TimeLeft(days=days, hours=hours, minutes=rest // 60, overdue=overdue, total_seconds=seconds)


def state_text(state: str) -> str:
    """The decision as the page says it (in the active language)."""
    texts = {
        REQUIRED: _("A report to the PPC is required."),
        NOT_REQUIRED: _("No report to the PPC is required."),
        UNDETERMINED: _("Undetermined (a report may be required)."),
    }
    return texts.get(state, state)


def reason_text(code: str) -> str:
    """The sentence shown for a reason code (in the active language)."""
    texts = {
        SENSITIVE: _("Special-care personal information (要配慮個人情報) is involved."),
        FINANCIAL_RISK: _("There is a risk of financial damage."),
        WRONGFUL_PURPOSE: _("A wrongful purpose (e.g. unauthorised access) is suspected."),
        OVER_THRESHOLD: _("More than 1,000 persons are affected."),
        ENCRYPTED: _("The data was protected by strong encryption and the key did not leak: exempt from reporting."),
        NONE_APPLIES: _("None of the four conditions applies: no report to the PPC is required."),
        MAY_APPLY: _(
            "Some questions are not answered yet: an unanswered question may apply, so the deadlines run "
            "provisionally."
        ),
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
        KEY_LEAKED: _("Did the decryption key leak too?"),
    }
    return texts.get(code, code)
