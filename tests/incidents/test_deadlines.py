"""The APPI clock: decision and deadlines (pure functions, no database)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from renkei.incidents.response import deadlines as d

JST = ZoneInfo("Asia/Tokyo")
UTC = dt.UTC


def jst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=JST)


def eod(y: int, m: int, day: int) -> dt.datetime:
    return jst(y, m, day, 23, 59, 59)


def deadlines(learned_at: dt.datetime, wrongful: bool = False, **kw: int) -> d.AppiDeadlines:
    return d.appi_deadlines(learned_at=learned_at, wrongful_purpose=wrongful, **kw)


# --- the decision -------------------------------------------------------------------------------


def assess(**kw: object) -> d.AppiAssessment:
    base: dict[str, object] = {"sensitive": False, "financial_risk": False, "wrongful_purpose": False, "persons": 10}
    base.update(kw)
    return d.appi_assessment(**base)  # type: ignore[arg-type]


def test_nothing_applies_no_report() -> None:
    a = assess()
    assert (a.report_required, a.reasons, a.contractor_duty, a.unanswered) == (False, [d.NONE_APPLIES], False, [])
    assert not a.we_report_to_ppc


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"sensitive": True, "persons": 1}, d.SENSITIVE),
        ({"financial_risk": True, "persons": 1}, d.FINANCIAL_RISK),
        ({"wrongful_purpose": True, "persons": 1}, d.WRONGFUL_PURPOSE),
        ({"persons": 1001}, d.OVER_THRESHOLD),
    ],
)
def test_each_condition_alone_requires_a_report(kw: dict[str, object], code: str) -> None:
    a = assess(**kw)
    assert a.report_required and a.reasons == [code] and a.we_report_to_ppc


def test_exactly_1000_persons_is_not_more_than_1000() -> None:
    assert not assess(persons=1000).report_required
    assert assess(persons=1001).report_required


def test_sensitive_from_a_single_person() -> None:
    assert assess(sensitive=True, persons=1).report_required


def test_several_reasons_in_question_order() -> None:
    a = assess(persons=5000, wrongful_purpose=True, sensitive=True)
    assert a.reasons == [d.SENSITIVE, d.WRONGFUL_PURPOSE, d.OVER_THRESHOLD]


def test_strong_encryption_exempts_every_case() -> None:
    a = assess(sensitive=True, financial_risk=True, wrongful_purpose=True, persons=10**6, encrypted=True)
    assert not a.report_required and a.reasons == [d.ENCRYPTED]


def test_contractor_notifies_the_principal_instead() -> None:
    a = assess(persons=5000, our_role="contractor")
    assert a.report_required and a.contractor_duty and not a.we_report_to_ppc
    assert a.reasons == [d.OVER_THRESHOLD, d.CONTRACTOR]


def test_contractor_duty_even_when_no_report_is_required() -> None:
    a = assess(our_role="contractor")
    assert not a.report_required and a.contractor_duty
    assert a.reasons == [d.NONE_APPLIES, d.CONTRACTOR]


def test_unanswered_questions_are_listed_and_make_it_provisional() -> None:
    a = d.appi_assessment(sensitive=None, financial_risk=False, wrongful_purpose=None, persons=None)
    assert not a.report_required
    assert a.unanswered == [d.SENSITIVE, d.WRONGFUL_PURPOSE, d.OVER_THRESHOLD]
    assert a.provisional


def test_an_answered_yes_decides_even_with_open_questions() -> None:
    a = d.appi_assessment(sensitive=None, financial_risk=True, wrongful_purpose=None, persons=None)
    assert a.report_required and a.reasons == [d.FINANCIAL_RISK] and a.provisional


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="role"):
        assess(our_role="owner")
    with pytest.raises(ValueError, match="negative"):
        assess(persons=-1)


def test_every_reason_has_a_sentence() -> None:
    with translation.override("en"):
        for code in (*d.QUESTIONS, d.ENCRYPTED, d.NONE_APPLIES, d.CONTRACTOR):
            assert d.reason_text(code) != code
        for code in d.QUESTIONS:
            assert d.question_text(code).endswith("?")


# --- the deadlines ------------------------------------------------------------------------------


def test_ordinary_case() -> None:
    r = deadlines(jst(2024, 4, 10, 14, 30))
    assert r.prelim_from == eod(2024, 4, 13)
    assert r.prelim_until == eod(2024, 4, 15)
    assert r.final_due == eod(2024, 5, 10)
    assert r.final_days == 30


def test_wrongful_purpose_gives_60_days() -> None:
    r = deadlines(jst(2024, 4, 10, 9, 0), wrongful=True)
    assert r.final_due == eod(2024, 6, 9)
    assert r.final_days == 60
    # The preliminary window does not change.
    assert r.prelim_until == eod(2024, 4, 15)


def test_results_are_aware_and_in_tokyo() -> None:
    r = deadlines(dt.datetime(2024, 4, 10, 5, 0, tzinfo=UTC))
    for value in (r.learned_at, r.prelim_from, r.prelim_until, r.final_due):
        assert value.tzinfo is not None and value.utcoffset() == dt.timedelta(hours=9)


def test_month_end_31_days() -> None:
    r = deadlines(jst(2024, 1, 31, 10, 0))
    assert r.prelim_from == eod(2024, 2, 3)
    assert r.final_due == eod(2024, 3, 1)  # 2024 is a leap year: Jan 31 + 30 days = Mar 1


def test_month_end_in_a_common_year() -> None:
    r = deadlines(jst(2023, 1, 31, 10, 0))
    assert r.final_due == eod(2023, 3, 2)


def test_leap_day() -> None:
    r = deadlines(jst(2024, 2, 29, 12, 0))
    assert r.prelim_from == eod(2024, 3, 3)
    assert r.prelim_until == eod(2024, 3, 5)
    assert r.final_due == eod(2024, 3, 30)
    assert deadlines(jst(2024, 2, 26, 12, 0)).prelim_from == eod(2024, 2, 29)


def test_year_end() -> None:
    r = deadlines(jst(2024, 12, 30, 18, 0))
    assert r.prelim_from == eod(2025, 1, 2)
    assert r.prelim_until == eod(2025, 1, 4)
    assert r.final_due == eod(2025, 1, 29)
    assert deadlines(jst(2024, 12, 31, 23, 0), wrongful=True).final_due == eod(2025, 3, 1)


def test_learning_just_before_midnight_counts_that_day_as_day_0() -> None:
    late = deadlines(jst(2024, 4, 10, 23, 59, 59))
    early = deadlines(jst(2024, 4, 11, 0, 0, 0))
    assert late.final_due == eod(2024, 5, 10)
    assert early.final_due == eod(2024, 5, 11)


def test_utc_evening_is_the_next_day_in_japan() -> None:
    # 20:00 UTC on 31 January is 05:00 on 1 February in Japan: day 0 is 1 February.
    r = deadlines(dt.datetime(2024, 1, 31, 20, 0, tzinfo=UTC))
    assert r.learned_at == jst(2024, 2, 1, 5, 0)
    assert r.prelim_from == eod(2024, 2, 4)
    assert r.final_due == eod(2024, 3, 2)


def test_utc_morning_is_the_same_day_in_japan() -> None:
    r = deadlines(dt.datetime(2024, 1, 31, 14, 59, 59, tzinfo=UTC))  # 23:59:59 JST
    assert r.final_due == eod(2024, 3, 1)


def test_other_time_zones_are_converted() -> None:
    new_york = ZoneInfo("America/New_York")
    r = deadlines(dt.datetime(2024, 3, 9, 11, 0, tzinfo=new_york))  # 01:00 on 10 March in Japan
    assert r.learned_at.date() == dt.date(2024, 3, 10)


def test_configurable_preliminary_start() -> None:
    r = deadlines(jst(2024, 4, 10, 9, 0), prelim_start_days=1)
    assert r.prelim_from == eod(2024, 4, 11)
    assert r.prelim_until == eod(2024, 4, 15)
    r = deadlines(jst(2024, 4, 10, 9, 0), prelim_start_days=5, prelim_end_days=5)
    assert r.prelim_from == r.prelim_until == eod(2024, 4, 15)
    r = deadlines(jst(2024, 4, 10, 9, 0), prelim_start_days=0, prelim_end_days=0)
    assert r.prelim_until == eod(2024, 4, 10)


def test_bad_preliminary_window_is_refused() -> None:
    with pytest.raises(ValueError):
        deadlines(jst(2024, 4, 10), prelim_start_days=6)
    with pytest.raises(ValueError):
        deadlines(jst(2024, 4, 10), prelim_start_days=-1)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        d.appi_deadlines(learned_at=dt.datetime(2024, 4, 10, 9, 0), wrongful_purpose=False)


def test_none_wrongful_purpose_is_30_days() -> None:
    assert d.appi_deadlines(learned_at=jst(2024, 4, 10), wrongful_purpose=None).final_days == 30


# --- countdowns -----------------------------------------------------------------------------------


def test_time_left() -> None:
    deadline = eod(2024, 4, 15)
    left = d.time_left(deadline=deadline, now=jst(2024, 4, 13, 21, 59, 59))
    assert (left.days, left.hours, left.minutes, left.overdue) == (2, 2, 0, False)
    late = d.time_left(deadline=deadline, now=jst(2024, 4, 16, 1, 59, 59))
    assert (late.days, late.hours, late.overdue) == (0, 2, True)
    assert late.total_seconds == -7200


def test_time_left_across_time_zones() -> None:
    deadline = eod(2024, 4, 15)  # 14:59:59 UTC
    left = d.time_left(deadline=deadline, now=dt.datetime(2024, 4, 15, 13, 59, 59, tzinfo=UTC))
    assert (left.days, left.hours, left.overdue) == (0, 1, False)
