"""Scores, level readiness and answer values (pure engine)."""

import pytest

from renkei.assessments import scoring
from renkei.assessments.frameworks.spec import DEFAULT_POINTS
from renkei.core.errors import RenkeiError

Q = scoring.QuestionData
FRAMEWORK = scoring.FrameworkData(
    scoring="percent",
    answer_points=DEFAULT_POINTS["percent"],
    levels=("★3", "★4"),
    sections=(("A", "A"), ("B", "B")),
)
QUESTIONS = (
    Q("A-1", "A", "yesno", weight=2, levels=("★3", "★4")),
    Q("A-2", "A", "yesno", levels=("★4",)),
    Q("B-1", "B", "yesno", levels=("★3", "★4")),
    Q("B-2", "B", "number", required=False),
)


def test_percent_scores_weighted_with_not_applicable_left_out():
    summary = scoring.summarise(FRAMEWORK, QUESTIONS, {"A-1": "yes", "A-2": "partly", "B-1": "na"})
    a, b = summary.sections
    assert (a.points, a.max_points, a.percent) == (2.5, 3.0, 83.3)
    assert b.max_points == 0 and b.percent is None
    assert summary.overall.percent == 83.3
    assert summary.unanswered_required == []


def test_unanswered_counts_as_zero_and_is_listed():
    summary = scoring.summarise(FRAMEWORK, QUESTIONS, {"A-1": "yes"})
    assert summary.overall.percent == 50.0
    assert summary.unanswered_required == ["A-2", "B-1"]


def test_level_readiness_per_level():
    summary = scoring.summarise(FRAMEWORK, QUESTIONS, {"A-1": "yes", "A-2": "no", "B-1": "na"})
    ready = {r.level: r for r in summary.readiness}
    assert ready["★3"].ready and ready["★3"].total == 2
    assert not ready["★4"].ready and ready["★4"].gaps == ["A-2"] and ready["★4"].percent == 66


def test_cumulative_levels_count_lower_level_questions_for_higher_levels():
    framework = scoring.FrameworkData("percent", DEFAULT_POINTS["percent"], levels=("Lv1", "Lv2"), levels_cumulative=True)
    questions = (Q("1", "S", "yesno", levels=("Lv1",)), Q("2", "S", "yesno", levels=("Lv2",)))
    summary = scoring.summarise(framework, questions, {"1": "no", "2": "yes"})
    ready = {r.level: (r.met, r.total) for r in summary.readiness}
    assert ready == {"Lv1": (0, 1), "Lv2": (1, 2)}


def test_quick_check_points_reach_100_and_dont_know_costs_a_point():
    framework = scoring.FrameworkData("points", DEFAULT_POINTS["points"], sections=(("S", "S"),))
    questions = tuple(Q(f"Q{i:02}", "S", "yesno") for i in range(1, 26))
    all_yes = scoring.summarise(framework, questions, {q.ref: "yes" for q in questions})
    assert all_yes.overall.points == 100 and all_yes.overall.max_points == 100
    mixed = scoring.summarise(framework, questions, {"Q01": "unknown", "Q02": "partly", "Q03": "no"})
    assert mixed.overall.points == 1


def test_maturity_averages_answered_questions():
    framework = scoring.FrameworkData("maturity", DEFAULT_POINTS["maturity"], sections=(("D1", "D1"),))
    choices = tuple({"value": str(i), "score": i} for i in range(6))
    questions = (Q("1", "D1", "maturity", choices=choices), Q("2", "D1", "maturity", choices=choices), Q("3", "D1", "maturity", choices=choices))
    summary = scoring.summarise(framework, questions, {"1": "2", "2": "5"})
    assert summary.sections[0].average == 3.5


@pytest.mark.parametrize(
    ("answer_type", "raw", "expected"),
    [
        ("yesno", "はい", "yes"),
        ("yesno", "Partly", "partly"),
        ("yesno", "該当なし", "na"),
        ("number", "1,200", 1200),
        ("number", 2.5, 2.5),
        ("date", "2026/12/05", "2026-12-05"),
        ("text", "  手順書あり ", "手順書あり"),
        ("single", "全て", "full"),
        ("multiple", "none, full", ["none", "full"]),
        ("yesno", "", None),
    ],
)
def test_values_are_normalised(answer_type, raw, expected):
    choices = [{"value": "none", "ja": "なし", "en": "None"}, {"value": "full", "ja": "全て", "en": "Full"}]
    value = scoring.normalise_value(answer_type=answer_type, choices=choices, yesno_answers=("yes", "partly", "no", "na", "unknown"), raw=raw)
    assert value == expected


@pytest.mark.parametrize(("answer_type", "raw"), [("yesno", "maybe"), ("number", "many"), ("date", "next week"), ("single", "some")])
def test_bad_values_are_refused_with_a_message(answer_type, raw):
    with pytest.raises(RenkeiError) as caught:
        scoring.normalise_value(answer_type=answer_type, choices=[{"value": "none", "ja": "なし", "en": ""}], yesno_answers=("yes", "no"), raw=raw)
    assert caught.value.field_name == "value"
