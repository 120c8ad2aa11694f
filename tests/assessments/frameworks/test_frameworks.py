"""The framework file format: built-in frameworks load, and broken files are refused with the file,
the item and the problem named."""

import pytest

from renkei.assessments.frameworks import loading as framework_loading
from renkei.assessments.frameworks import services as framework_services
from renkei.assessments.frameworks import spec as frameworks
from renkei.assessments.models import Framework, FrameworkOrigin, Question
from renkei.core.errors import RenkeiError
from tests.assessments.factories import SMALL_FRAMEWORK, small_spec


def test_small_framework_loads_with_levels_weights_and_choices():
    spec = small_spec()
    assert [s.ref for s in spec.sections] == ["A", "B"]
    a1 = spec.sections[0].questions[0]
    assert a1.weight == 2 and a1.levels == ["★3", "★4"] and a1.text_en == "Is someone responsible?"
    b3 = spec.sections[1].questions[2]
    assert [c["value"] for c in b3.choices] == ["none", "partial", "full"] and b3.choices[2]["score"] == 2


def _problems(text: str) -> list[str]:
    with pytest.raises(RenkeiError) as caught:
        framework_loading.load_yaml(text.encode(), filename="broken.yaml")
    return [i.message for i in caught.value.items]


def test_schema_errors_name_file_item_and_problem():
    broken = (
        SMALL_FRAMEWORK.replace("type: number", "type: numbr")
        .replace("id: A-2", "id: A-1")
        .replace('levels: ["★4"]}', 'levels: ["★5"]}')
    )
    problems = _problems(broken)
    assert any("broken.yaml" in p and "(B-2)" in p and "numbr" in p for p in problems)
    assert any("A-1" in p and ("twice" in p or "重複" in p) for p in problems)
    assert any("★5" in p for p in problems)


def test_missing_text_and_unknown_fields_are_reported():
    problems = _problems(SMALL_FRAMEWORK.replace('text: {ja: 規程がありますか, en: "Is there a policy?"}, ', "colour: red, "))
    assert any("A-2" in p and "text" in p for p in problems)
    assert any("colour" in p for p in problems)


def test_not_yaml_and_wrong_schema_are_refused():
    assert any(s in _problems("sections: [unclosed")[0] for s in ("not valid YAML", "YAMLとして正しくありません"))
    assert any("schema" in p for p in _problems(SMALL_FRAMEWORK.replace("renkei-framework/1", "other/2")))


def test_yaml_aliases_are_refused():
    bomb = 'a: &a ["x","x","x","x"]\nb: &b [*a,*a,*a,*a]\nc: [*b,*b,*b,*b]\n'
    assert "aliases are not allowed" in _problems(bomb)[0]


def test_oversized_file_is_refused():
    with pytest.raises(RenkeiError) as caught:
        framework_loading.load_yaml(b"#" * (frameworks.MAX_YAML_BYTES + 1), filename="big.yaml")
    assert caught.value.status == 413


def test_every_builtin_framework_loads():
    paths = framework_loading.builtin_paths()
    assert paths
    for path in paths:
        spec = framework_loading.load_yaml(path.read_bytes(), filename=path.name)
        assert spec.question_count > 0
        for section in spec.sections:
            for question in section.questions:
                assert question.text_ja and question.text_en, (path.name, question.ref)


def test_round_trip_through_document():
    spec = small_spec()
    again = framework_loading.spec_from_document(frameworks.spec_to_document(spec), filename="again.yaml")
    assert again.content_hash() == spec.content_hash()


@pytest.mark.django_db
def test_install_is_idempotent_and_refuses_changed_content_in_use(own):
    framework, changed = framework_services.framework_install(user=None, spec=small_spec(), origin=FrameworkOrigin.UPLOADED)
    assert changed and framework.question_count == 5 == Question.objects.filter(framework=framework).count()
    _same, changed = framework_services.framework_install(user=None, spec=small_spec(), origin=FrameworkOrigin.UPLOADED)
    assert not changed
    from tests.assessments.factories import assignment

    assignment(framework=framework)
    edited = small_spec()
    edited.name_ja = "別の名前"
    with pytest.raises(RenkeiError) as caught:
        framework_services.framework_install(user=None, spec=edited, origin=FrameworkOrigin.UPLOADED)
    assert caught.value.status == 409
    assert Framework.objects.get(pk=framework.pk).name_ja == "小さな確認"


@pytest.mark.django_db
def test_builtin_install_retires_older_versions(own):
    old, _ = framework_services.framework_install(user=None, spec=small_spec("2026.1", key="builtin-x"), origin=FrameworkOrigin.BUILTIN)
    new, _ = framework_services.framework_install(user=None, spec=small_spec("2026.2", key="builtin-x"), origin=FrameworkOrigin.BUILTIN)
    old.refresh_from_db()
    assert new.is_active and not old.is_active


def test_yes_and_no_stay_answers_not_booleans():
    text = SMALL_FRAMEWORK.replace("scoring: percent", "scoring: points\nanswers: [yes, partly, no, unknown]\nanswer_points: {yes: 4, no: 0}")
    spec = framework_loading.load_yaml(text.encode(), filename="points.yaml")
    assert spec.answers == ["yes", "partly", "no", "unknown"] and spec.answer_points["yes"] == 4
    assert spec.sections[0].questions[0].required is True


def test_every_builtin_framework_round_trips_to_the_same_content():
    for path in framework_loading.builtin_paths():
        spec = framework_loading.load_yaml(path.read_bytes(), filename=path.name)
        again = framework_loading.spec_from_document(frameworks.spec_to_document(spec), filename=path.name)
        assert again.content_hash() == spec.content_hash(), path.name


def test_builtin_frameworks_have_the_expected_shape():
    specs = {p.stem: framework_loading.load_yaml(p.read_bytes(), filename=p.name) for p in framework_loading.builtin_paths()}
    scs = specs["scs-readiness"]
    levels = [q.levels for s in scs.sections for q in s.questions]
    assert len(levels) == 43 and levels.count(["★4"]) == 17 and levels.count(["★3", "★4"]) == 26
    quick = specs["quick-check"]
    assert [len(s.questions) for s in quick.sections] == [5, 13, 7]
    assert quick.scoring == "points" and quick.question_count * quick.answer_points["yes"] == 100
    management = specs["management-self-assessment"]
    assert len(management.sections) == 10 and management.chart == "radar"
    assert all(q.answer_type == "maturity" for s in management.sections for q in s.questions)
    assert 40 <= specs["renkei-supplier-baseline"].question_count <= 60


@pytest.mark.parametrize(
    "text",
    ["[" * 5000 + "]" * 5000, "{a: " * 3000 + "1" + "}" * 3000, "".join(f"{'  ' * n}k:\n" for n in range(400)) + "  " * 400 + "v"],
    ids=["flow-sequences", "flow-mappings", "block-mappings"],
)
def test_deeply_nested_yaml_is_refused_with_a_clear_message(text: str) -> None:
    problems = _problems(text)
    assert any(s in problems[0] for s in ("nested more than", "階層")), problems
