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


def test_strong_encryption_with_the_key_safe_exempts_every_case() -> None:
    a = assess(sensitive=True, financial_risk=True, wrongful_purpose=True, persons=10**6, encrypted=True,
               key_leaked=False)
    assert a.state == d.NOT_REQUIRED and a.reasons == [d.ENCRYPTED] and not a.unanswered


def test_encryption_without_knowing_the_key_is_safe_does_not_exempt() -> None:
    # 通則編 3-5-3-1: the exemption needs the key to be safe; until answered it is a question of its own.
    a = assess(sensitive=True, encrypted=True)
    assert a.state == d.REQUIRED and a.unanswered == [d.KEY_LEAKED] and a.provisional
    leaked = assess(sensitive=True, encrypted=True, key_leaked=True)
    assert leaked.state == d.REQUIRED and not leaked.unanswered
    # Nothing answered but "encrypted": still undetermined, never "not required".
    open_ = d.appi_assessment(sensitive=None, financial_risk=None, wrongful_purpose=None, persons=None,
                              encrypted=True)
    assert open_.state == d.UNDETERMINED and d.KEY_LEAKED in open_.unanswered


def test_contractor_notifies_the_principal_instead() -> None:
    a = assess(persons=5000, our_role="contractor")
    assert a.report_required and a.contractor_duty and not a.we_report_to_ppc
    assert a.reasons == [d.OVER_THRESHOLD, d.CONTRACTOR]


def test_contractor_duty_even_when_no_report_is_required() -> None:
    a = assess(our_role="contractor")
    assert not a.report_required and a.contractor_duty
    assert a.reasons == [d.NONE_APPLIES, d.CONTRACTOR]


def test_nothing_answered_is_undetermined_never_not_required() -> None:
    # Issue 11: an unanswered question counts as "may apply", not as "no".
    a = d.appi_assessment(sensitive=None, financial_risk=None, wrongful_purpose=None, persons=None)
    assert a.state == d.UNDETERMINED and a.reasons == [d.MAY_APPLY]
    assert not a.report_required and a.may_be_required and a.we_may_report_to_ppc and a.provisional
    assert a.unanswered == list(d.QUESTIONS)


def test_unanswered_questions_are_listed_and_keep_it_undetermined() -> None:
    a = d.appi_assessment(sensitive=None, financial_risk=False, wrongful_purpose=None, persons=None)
    assert a.state == d.UNDETERMINED
    assert a.unanswered == [d.SENSITIVE, d.WRONGFUL_PURPOSE, d.OVER_THRESHOLD]
    assert a.provisional
    # Three "no" and one open question: still undetermined.
    assert assess(persons=None).state == d.UNDETERMINED


def test_not_required_only_when_every_question_is_answered_no() -> None:
    a = assess()
    assert a.state == d.NOT_REQUIRED and not a.may_be_required and not a.provisional


def test_an_answered_yes_decides_even_with_open_questions() -> None:
    a = d.appi_assessment(sensitive=None, financial_risk=True, wrongful_purpose=None, persons=None)
    assert a.state == d.REQUIRED and a.reasons == [d.FINANCIAL_RISK] and a.provisional


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="role"):
        assess(our_role="owner")
    with pytest.raises(ValueError, match="negative"):
        assess(persons=-1)


def test_every_reason_and_state_has_a_sentence() -> None:
    with translation.override("en"):
        for code in (*d.QUESTIONS, d.ENCRYPTED, d.NONE_APPLIES, d.MAY_APPLY, d.CONTRACTOR):
            assert d.reason_text(code) != code
        for code in (*d.QUESTIONS, d.KEY_LEAKED):
            assert d.question_text(code).endswith("?")
        for state in d.STATES:
            assert d.state_text(state) != state
    with translation.override("ja"):
        assert d.state_text(d.UNDETERMINED) == "判定未了（報告が必要となる可能性があります）"
        assert d.state_text(d.NOT_REQUIRED) == "個人情報保護委員会への報告は不要です。"


# --- the deadlines: the day of learning is day 1 (通則編 3-5-3-3, 3-5-3-4) ---------------------------


def test_ordinary_case_learned_4_10_final_due_5_9() -> None:
    # Issue 11's case: learned on 10 April → 確報 due 9 May (day 30), not 10 May.
    r = deadlines(jst(2024, 4, 10, 14, 30))
    assert r.prelim_from == eod(2024, 4, 12)  # day 3
    assert r.prelim_until == eod(2024, 4, 14)  # day 5 (a Sunday: 速報 counts weekends)
    assert r.final_due == eod(2024, 5, 9)
    assert r.final_days == 30
    assert r.final_30.latest == r.final_30.target and not r.final_30.moved  # a Thursday


def test_wrongful_purpose_gives_60_days_and_a_saturday_moves_the_latest() -> None:
    r = deadlines(jst(2024, 4, 10, 9, 0), wrongful=True)
    assert r.final_due == eod(2024, 6, 8)  # day 60, a Saturday: the target stays
    assert r.final.latest == eod(2024, 6, 10)  # Monday
    assert r.final_days == 60
    # The preliminary window does not change.
    assert r.prelim_until == eod(2024, 4, 14)


def test_both_final_dates_while_the_wrongful_purpose_is_unanswered() -> None:
    r = d.appi_deadlines(learned_at=jst(2024, 4, 10), wrongful_purpose=None)
    assert not r.final_known and r.final_days == 30 and r.final_due == eod(2024, 5, 9)
    assert (r.final_30.target, r.final_60.target) == (eod(2024, 5, 9), eod(2024, 6, 8))


def test_golden_week_2024_constitution_day() -> None:
    # Learned 4 April 2024: day 30 is 3 May (憲法記念日); 4–5 May weekend, 6 May 振替休日 → 7 May.
    r = deadlines(jst(2024, 4, 4, 10, 0))
    assert r.final_due == eod(2024, 5, 3)
    assert r.final.latest == eod(2024, 5, 7) and r.final.moved


def test_golden_week_2026_childrens_day_and_substitute_holiday() -> None:
    # Learned 6 April 2026: day 30 is 5 May (こどもの日, Tue); 6 May 振替休日 → 7 May.
    r = deadlines(jst(2026, 4, 6, 10, 0))
    assert r.final_due == eod(2026, 5, 5)
    assert r.final.latest == eod(2026, 5, 7)


def test_new_year_closure_2024_25() -> None:
    # Learned 1 December 2024: day 30 is 30 December; 12/29–1/3 closed, 4–5 January a weekend → 6 January.
    r = deadlines(jst(2024, 12, 1, 10, 0))
    assert r.final_due == eod(2024, 12, 30)
    assert r.final.latest == eod(2025, 1, 6)


def test_new_year_closure_with_60_days() -> None:
    r = deadlines(jst(2024, 11, 1, 10, 0), wrongful=True)
    assert r.final_due == eod(2024, 12, 30)
    assert r.final.latest == eod(2025, 1, 6)


def test_december_29_on_a_monday_is_closed() -> None:
    # 29 December 2025 is a Monday, yet closed (行政機関の休日); 3–4 January 2026 a weekend → 5 January.
    r = deadlines(jst(2025, 11, 30, 10, 0))
    assert r.final_due == eod(2025, 12, 29)
    assert r.final.latest == eod(2026, 1, 5)


def test_coming_of_age_day() -> None:
    # Learned 15 December 2024: day 30 is 13 January 2025 (成人の日) → 14 January.
    r = deadlines(jst(2024, 12, 15, 10, 0))
    assert r.final_due == eod(2025, 1, 13)
    assert r.final.latest == eod(2025, 1, 14)


def test_closed_days() -> None:
    assert d.is_closed_day(dt.date(2024, 5, 6))  # 振替休日
    assert d.is_closed_day(dt.date(2026, 9, 22))  # 国民の休日 (between 敬老の日 and 秋分の日)
    assert d.is_closed_day(dt.date(2025, 1, 3)) and d.is_closed_day(dt.date(2025, 12, 29))
    assert not d.is_closed_day(dt.date(2024, 12, 27)) and not d.is_closed_day(dt.date(2025, 1, 6))
    assert d.next_working_day(dt.date(2024, 12, 28)) == dt.date(2025, 1, 6)
    assert d.next_working_day(dt.date(2024, 5, 9)) == dt.date(2024, 5, 9)


def test_results_are_aware_and_in_tokyo() -> None:
    r = deadlines(dt.datetime(2024, 4, 10, 5, 0, tzinfo=UTC))
    for value in (r.learned_at, r.prelim_from, r.prelim_until, r.final_due, r.final.latest):
        assert value.tzinfo is not None and value.utcoffset() == dt.timedelta(hours=9)


def test_month_end_31_days() -> None:
    r = deadlines(jst(2024, 1, 31, 10, 0))
    assert r.prelim_from == eod(2024, 2, 2)
    assert r.final_due == eod(2024, 2, 29)  # 2024 is a leap year: day 30 from 31 January is 29 February


def test_month_end_in_a_common_year() -> None:
    r = deadlines(jst(2023, 1, 31, 10, 0))
    assert r.final_due == eod(2023, 3, 1)


def test_leap_day() -> None:
    r = deadlines(jst(2024, 2, 29, 12, 0))
    assert r.prelim_from == eod(2024, 3, 2)
    assert r.prelim_until == eod(2024, 3, 4)
    assert r.final_due == eod(2024, 3, 29)
    assert deadlines(jst(2024, 2, 27, 12, 0)).prelim_from == eod(2024, 2, 29)


def test_year_end() -> None:
    r = deadlines(jst(2024, 12, 30, 18, 0))
    assert r.prelim_from == eod(2025, 1, 1)
    assert r.prelim_until == eod(2025, 1, 3)
    assert r.final_due == eod(2025, 1, 28)
    assert deadlines(jst(2024, 12, 31, 23, 0), wrongful=True).final_due == eod(2025, 2, 28)


def test_learning_just_before_midnight_counts_that_day_as_day_1() -> None:
    late = deadlines(jst(2024, 4, 10, 23, 59, 59))
    early = deadlines(jst(2024, 4, 11, 0, 0, 0))
    assert late.final_due == eod(2024, 5, 9)
    assert early.final_due == eod(2024, 5, 10)


def test_utc_evening_is_the_next_day_in_japan() -> None:
    # 20:00 UTC on 31 January is 05:00 on 1 February in Japan: day 1 is 1 February.
    r = deadlines(dt.datetime(2024, 1, 31, 20, 0, tzinfo=UTC))
    assert r.learned_at == jst(2024, 2, 1, 5, 0)
    assert r.prelim_from == eod(2024, 2, 3)
    assert r.final_due == eod(2024, 3, 1)


def test_utc_morning_is_the_same_day_in_japan() -> None:
    r = deadlines(dt.datetime(2024, 1, 31, 14, 59, 59, tzinfo=UTC))  # 23:59:59 JST
    assert r.final_due == eod(2024, 2, 29)


def test_other_time_zones_are_converted() -> None:
    new_york = ZoneInfo("America/New_York")
    r = deadlines(dt.datetime(2024, 3, 9, 11, 0, tzinfo=new_york))  # 01:00 on 10 March in Japan
    assert r.learned_at.date() == dt.date(2024, 3, 10)


def test_configurable_preliminary_start() -> None:
    r = deadlines(jst(2024, 4, 10, 9, 0), prelim_start_days=1)
    assert r.prelim_from == eod(2024, 4, 10)  # day 1: the day of learning
    assert r.prelim_until == eod(2024, 4, 14)
    r = deadlines(jst(2024, 4, 10, 9, 0), prelim_start_days=5, prelim_end_days=5)
    assert r.prelim_from == r.prelim_until == eod(2024, 4, 14)
    r = deadlines(jst(2024, 4, 10, 9, 0), prelim_start_days=1, prelim_end_days=1)
    assert r.prelim_until == eod(2024, 4, 10)


def test_bad_preliminary_window_is_refused() -> None:
    with pytest.raises(ValueError):
        deadlines(jst(2024, 4, 10), prelim_start_days=6)
    with pytest.raises(ValueError):
        deadlines(jst(2024, 4, 10), prelim_start_days=0)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        d.appi_deadlines(learned_at=dt.datetime(2024, 4, 10, 9, 0), wrongful_purpose=False)


def test_none_wrongful_purpose_is_30_days() -> None:
    assert d.appi_deadlines(learned_at=jst(2024, 4, 10), wrongful_purpose=None).final_days == 30


# --- the schedule every task, plan entry and countdown follows ------------------------------------------


APRIL_10 = jst(2024, 4, 10, 9, 0)


def schedule(**kw: object) -> dict[str, d.ClockItem]:
    answers: dict[str, object] = {"sensitive": None, "financial_risk": None, "wrongful_purpose": None, "persons": None}
    answers.update(kw)
    a = d.appi_assessment(**answers)  # type: ignore[arg-type]
    wrongful = answers["wrongful_purpose"]
    return d.clock_schedule(a, d.appi_deadlines(learned_at=APRIL_10, wrongful_purpose=wrongful))  # type: ignore[arg-type]


def test_undetermined_runs_every_deadline_provisionally() -> None:
    s = schedule()
    assert list(s) == [d.PPC_PRELIMINARY, d.PPC_FINAL, d.INDIVIDUALS]
    assert all(item.provisional for item in s.values())
    assert s[d.PPC_FINAL].due == eod(2024, 5, 9)  # the earlier, safe final date


def test_required_with_wrongful_purpose_follows_60_days() -> None:
    s = schedule(wrongful_purpose=True)
    assert s[d.PPC_FINAL].due == eod(2024, 6, 8) and s[d.PPC_FINAL].latest == eod(2024, 6, 10)
    assert not any(item.provisional for item in s.values())


def test_not_required_runs_nothing_and_the_contractor_notifies_the_principal() -> None:
    assert schedule(sensitive=False, financial_risk=False, wrongful_purpose=False, persons=3) == {}
    s = schedule(sensitive=True, our_role="contractor")
    assert list(s) == [d.PRINCIPAL] and s[d.PRINCIPAL].due == jst(2024, 4, 11, 9, 0)


# --- persons, not records -------------------------------------------------------------------------------


def test_persons_proposal_from_the_assets_person_counts() -> None:
    p = d.persons_proposal([800, 600, None])
    assert (p.at_least, p.at_most, p.unknown) == (800, 1400, 1)
    assert p.over_threshold is None  # 800 to 1,400 and one unknown: cannot tell
    assert d.persons_proposal([1500, 20]).over_threshold is True
    assert d.persons_proposal([400, 500]).over_threshold is False
    assert d.persons_proposal([None]).at_least is None


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
