"""Reads of the assessments app that join or aggregate. Query counts here do not grow with the number
of questions, answers or parties on a page (the portal page of a 300-question assessment included).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from renkei.assessments import assurance, scoring
from renkei.assessments.frameworks.spec import yesno_labels
from renkei.assessments.models import (
    OPEN_STATUSES,
    Answer,
    AssessmentPolicy,
    Assignment,
    AssignmentStatus,
    AssuranceLevel,
    AssuranceOverride,
    Evidence,
    FollowUp,
    Framework,
    Question,
    ReviewComment,
    Section,
    SubcontractorDeclaration,
    answered,
    pick,
)
from renkei.registry.models import DataHolding, InformationAsset, Organisation, SystemAccess

# --- scoring -------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _framework_data(framework_id: int, content_hash: str, language: str) -> tuple[scoring.FrameworkData, tuple[scoring.QuestionData, ...]]:
    # Keyed by content hash too: a framework replaced in place (unused, same version) is re-read.
    framework = Framework.objects.get(pk=framework_id)
    sections = list(Section.objects.filter(framework_id=framework_id).order_by("order").values_list("pk", "ref", "title_ja", "title_en"))
    section_refs = {pk: ref for pk, ref, _ja, _en in sections}
    questions = tuple(
        scoring.QuestionData(
            ref=q.ref,
            section_ref=section_refs[q.section_id],
            answer_type=q.answer_type,
            weight=q.weight,
            levels=tuple(q.levels or ()),
            choices=tuple(q.choices or ()),
            required=q.required,
        )
        for q in Question.objects.filter(framework_id=framework_id).order_by("order")
    )
    data = scoring.FrameworkData(
        scoring=framework.scoring,
        answer_points=dict(framework.answer_points or {}),
        levels=tuple(framework.levels or ()),
        levels_cumulative=framework.levels_cumulative,
        sections=tuple((ref, (en if language.startswith("en") and en else ja)) for _pk, ref, ja, en in sections),
    )
    return data, questions


def framework_data(framework: Framework) -> tuple[scoring.FrameworkData, tuple[scoring.QuestionData, ...]]:
    """What scoring needs of a framework, cached per process (frameworks change rarely)."""
    return _framework_data(framework.pk, framework.content_hash, get_language() or "ja")


def answer_values(assignment: Assignment) -> dict[str, Any]:
    """Question ID → answer value; answers carried over from the last cycle count as given, and a
    file question is answered by the names of the evidence attached to it."""
    values: dict[str, Any] = dict(assignment.answers.filter(value__isnull=False).values_list("question__ref", "value"))
    files = Evidence.objects.filter(assignment=assignment, question__answer_type="file").values_list("question__ref", "name")
    for ref, name in files:
        values.setdefault(ref, []).append(name)
    return values


def assignment_summary(assignment: Assignment) -> scoring.Summary:
    data, questions = framework_data(assignment.framework)
    return scoring.summarise(data, questions, answer_values(assignment))


# --- the questionnaire page (portal, self-assessment, review) -----------------------------------


@dataclass
class Item:
    """One question with everything shown beside it."""

    question: Question
    answer: Answer | None
    evidence: list[Evidence] = field(default_factory=list)
    comments: list[ReviewComment] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)

    @property
    def value(self) -> Any:
        return self.answer.value if self.answer else None

    @property
    def version(self) -> int:
        return self.answer.version if self.answer else 0

    @property
    def is_answered(self) -> bool:
        if self.question.answer_type == "file":
            return bool(self.evidence)
        return self.answer is not None and answered(self.answer.value)

    @property
    def carried_over(self) -> bool:
        return bool(self.answer and self.answer.carried_over)

    @property
    def changed(self) -> bool:
        """Changed from the last cycle's answer (for the reviewer)."""
        return bool(
            self.answer is not None
            and self.answer.assignment.previous_id
            and not self.answer.carried_over
            and self.answer.value != self.answer.previous_value
        )

    @property
    def value_label(self) -> str:
        return value_label(self.question, self.value)

    @property
    def previous_label(self) -> str:
        return value_label(self.question, self.answer.previous_value) if self.answer else ""

    @property
    def options(self) -> list[tuple[str, str]]:
        return question_options(self.question, self._yesno_answers)

    _yesno_answers: tuple[str, ...] = ()


@dataclass
class SectionItems:
    section: Section
    items: list[Item]

    @property
    def answered(self) -> int:
        return sum(1 for i in self.items if i.is_answered)


@dataclass
class Questionnaire:
    assignment: Assignment
    sections: list[SectionItems]
    summary: scoring.Summary
    general_comments: list[ReviewComment]

    @property
    def total(self) -> int:
        return sum(len(s.items) for s in self.sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def carried_over(self) -> int:
        return sum(1 for s in self.sections for i in s.items if i.carried_over)


def question_options(question: Question, yesno_answers: Sequence[str]) -> list[tuple[str, str]]:
    """(value, label in the active language) of a choice question."""
    if question.answer_type == "yesno":
        labels = yesno_labels()
        return [(v, str(labels[v])) for v in yesno_answers]
    return [(str(c["value"]), pick(c.get("ja") or "", c.get("en") or "")) for c in question.choices or []]


def value_label(question: Question, value: Any) -> str:
    """An answer as a person reads it."""
    if value is None or value == "" or value == []:
        return ""
    if question.answer_type == "yesno":
        return str(yesno_labels().get(str(value), value))
    if question.answer_type in ("single", "maturity", "multiple"):
        labels = {str(c["value"]): pick(c.get("ja") or "", c.get("en") or "") for c in question.choices or []}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    return str(value)


def questionnaire(assignment: Assignment, *, with_follow_ups: bool = True) -> Questionnaire:
    """Every section and question of an assessment with its answer, evidence, thread and follow-ups,
    in a fixed number of queries."""
    framework = assignment.framework
    sections = list(Section.objects.filter(framework=framework).order_by("order"))
    questions = list(Question.objects.filter(framework=framework).order_by("order"))
    answers = {a.question_id: a for a in Answer.objects.filter(assignment=assignment)}
    for a in answers.values():
        a.assignment = assignment  # avoid a query per answer when templates read it
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for e in Evidence.objects.filter(assignment=assignment).order_by("uploaded_at", "pk"):
        evidence[e.question_id].append(e)
    comments: dict[int | None, list[ReviewComment]] = defaultdict(list)
    for c in ReviewComment.objects.filter(assignment=assignment).order_by("created_at", "pk"):
        comments[c.question_id].append(c)
    follow_ups: dict[int | None, list[FollowUp]] = defaultdict(list)
    if with_follow_ups:
        for f in FollowUp.objects.filter(assignment=assignment).order_by("due_date", "pk"):
            follow_ups[f.question_id].append(f)
    yesno = tuple(framework.answers or ())
    by_section: dict[int, list[Item]] = defaultdict(list)
    for q in questions:
        item = Item(
            question=q,
            answer=answers.get(q.pk),
            evidence=evidence.get(q.pk, []),
            comments=comments.get(q.pk, []),
            follow_ups=follow_ups.get(q.pk, []),
        )
        item._yesno_answers = yesno
        by_section[q.section_id].append(item)
    data, question_data = framework_data(framework)
    values: dict[str, Any] = {q.ref: answers[q.pk].value for q in questions if q.pk in answers and answers[q.pk].value is not None}
    for q in questions:
        if q.answer_type == "file" and evidence.get(q.pk):
            values[q.ref] = [e.name for e in evidence[q.pk]]
    return Questionnaire(
        assignment=assignment,
        sections=[SectionItems(section=s, items=by_section.get(s.pk, [])) for s in sections],
        summary=scoring.summarise(data, question_data, values),
        general_comments=comments.get(None, []),
    )


# --- follow-up proposals -------------------------------------------------------------------------


@dataclass
class FollowUpProposal:
    question: Question
    value: Any
    severity: str
    title: str
    description: str


def _negative_severity(question: Question, value: Any) -> str | None:
    """The severity a gap proposes, or None when the answer is not negative."""
    if value is None:
        return None
    if question.answer_type == "yesno":
        return {"no": "high", "partly": "medium", "unknown": "medium"}.get(str(value))
    if question.answer_type == "maturity":
        try:
            level = int(value)
        except (TypeError, ValueError):
            return None
        return "high" if level <= 1 else ("medium" if level == 2 else None)
    scores = {str(c["value"]): c.get("score") for c in question.choices or [] if c.get("score") is not None}
    if question.answer_type == "single" and scores and str(value) in scores:
        return "medium" if scores[str(value)] < max(scores.values()) else None
    return None


def proposed_followups(assignment: Assignment) -> list[FollowUpProposal]:
    """Negative answers that have no follow-up item yet."""
    taken = set(FollowUp.objects.filter(assignment=assignment).values_list("question_id", flat=True))
    proposals = []
    answers = Answer.objects.filter(assignment=assignment, value__isnull=False).select_related("question").order_by("question__order")
    for answer in answers:
        question = answer.question
        severity = _negative_severity(question, answer.value)
        if severity is None or question.pk in taken:
            continue
        if severity == "high" and question.weight < 1:
            severity = "medium"
        proposals.append(
            FollowUpProposal(
                question=question,
                value=answer.value,
                severity=severity,
                title=f"{question.ref}: {question.text_ja}"[:300],
                description=_("Answer: {answer}").format(answer=value_label(question, answer.value))
                + (("\n" + answer.note) if answer.note else ""),
            )
        )
    return proposals


# --- campaigns -----------------------------------------------------------------------------------


def campaign_progress(campaign: Any, today: dt.date | None = None) -> dict[str, int]:
    """How many assignments are in each status a person tracks (open ones past due count as overdue)."""
    today = today or timezone.localdate()
    counts = campaign.assignments.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        **{
            status: Count("pk", filter=Q(status=status) & ~Q(status__in=OPEN_STATUSES, due_date__lt=today))
            for status in AssignmentStatus.values
        },
    )
    return {k: int(v or 0) for k, v in counts.items()}


# --- required levels and cadence ----------------------------------------------------------------


@dataclass
class AssuranceRow:
    organisation: Organisation
    proposal: assurance.Proposal
    override: AssuranceOverride | None
    last_assessed: dt.date | None
    interval_months: int
    next_due: dt.date | None
    overdue: bool

    @property
    def level(self) -> str:
        return self.override.level if self.override else self.proposal.level

    def get_level_display(self) -> str:
        return str(AssuranceLevel(self.level).label)

    @property
    def is_overridden(self) -> bool:
        return self.override is not None


def party_facts(organisations: Sequence[Organisation]) -> dict[int, assurance.PartyFacts]:
    """The registry facts the level proposal needs, for a page of parties (three queries)."""
    ids = [o.pk for o in organisations]
    facts = {o.pk: assurance.PartyFacts(criticality=o.criticality, held_assets=[], access=[]) for o in organisations}
    holdings = DataHolding.objects.filter(holder_id__in=ids).values_list(
        "holder_id", "asset__name", "asset__classification", "asset__has_personal_info"
    )
    for holder_id, name, classification, personal in holdings:
        facts[holder_id].held_assets.append(assurance.HeldAsset(name=name, classification=classification, personal=personal))  # type: ignore[attr-defined]
    for org_id, system, level in SystemAccess.objects.filter(organisation_id__in=ids).values_list("organisation_id", "system", "level"):
        facts[org_id].access.append(assurance.Access(system=system, level=level))  # type: ignore[attr-defined]
    return facts


def last_assessed(organisation_ids: Iterable[int]) -> dict[int, dt.date]:
    """The date of each party's latest accepted assessment."""
    rows = (
        Assignment.objects.filter(organisation_id__in=list(organisation_ids), status=AssignmentStatus.ACCEPTED)
        .values("organisation_id")
        .annotate(last=Max("accepted_at"))
    )
    return {r["organisation_id"]: timezone.localtime(r["last"]).date() for r in rows if r["last"]}


def policies(company_ids: Iterable[int]) -> dict[int, AssessmentPolicy]:
    """Each group company's policy (the defaults where none was saved)."""
    ids = set(company_ids)
    found = {p.group_company_id: p for p in AssessmentPolicy.objects.filter(group_company_id__in=ids)}
    return {cid: found.get(cid) or AssessmentPolicy(group_company_id=cid) for cid in ids}


def assurance_rows(organisations: Sequence[Organisation], today: dt.date | None = None) -> list[AssuranceRow]:
    """Required level (proposal or override), last assessment, next due date and whether it is
    overdue, for a page of parties in a fixed number of queries."""
    today = today or timezone.localdate()
    orgs = list(organisations)
    facts = party_facts(orgs)
    overrides = {o.organisation_id: o for o in AssuranceOverride.objects.filter(organisation__in=orgs)}
    last = last_assessed([o.pk for o in orgs])
    policy = policies(o.group_company_id for o in orgs if o.group_company_id)
    rows = []
    for org in orgs:
        months = policy[org.group_company_id].interval_months(org.criticality) if org.group_company_id else 12
        assessed = last.get(org.pk)
        rows.append(
            AssuranceRow(
                organisation=org,
                proposal=assurance.propose_level(facts[org.pk]),
                override=overrides.get(org.pk),
                last_assessed=assessed,
                interval_months=months,
                next_due=assurance.next_due(assessed, months),
                overdue=assurance.is_overdue(assessed, months, today),
            )
        )
    return rows


def required_level(organisation: Organisation) -> str:
    return assurance_rows([organisation])[0].level


def overdue_party_ids(queryset: QuerySet[Organisation], today: dt.date | None = None) -> list[int]:
    """Parties (of the queryset) due for reassessment now: never assessed, or past their next due date."""
    return [row.organisation.pk for row in assurance_rows(list(queryset), today) if row.overdue]


# --- what a party may see -------------------------------------------------------------------------


def assets_shared_with(organisation: Organisation) -> QuerySet[InformationAsset]:
    """Our information assets the party holds (what it may say its subcontractors handle)."""
    return InformationAsset.objects.filter(holdings__holder=organisation).distinct().order_by("name")


def portal_assignments(organisation: Organisation) -> QuerySet[Assignment]:
    """Everything a portal link opens: the party's assessments, newest first."""
    return (
        Assignment.objects.filter(organisation=organisation)
        .select_related("framework", "campaign", "group_company")
        .order_by("-created_at", "-pk")
    )


def portal_follow_ups(organisation: Organisation) -> QuerySet[FollowUp]:
    """The party's follow-up items it owns or may see (every item of the party)."""
    return FollowUp.objects.filter(organisation=organisation).select_related("question").order_by("due_date", "pk")


def declarations(assignment: Assignment) -> QuerySet[SubcontractorDeclaration]:
    return assignment.declarations.prefetch_related("assets").select_related("organisation").order_by("declared_at", "pk")


def pending_declarations_count(assignments: Iterable[Assignment]) -> dict[int, int]:
    rows = (
        SubcontractorDeclaration.objects.filter(assignment__in=list(assignments), status="proposed")
        .values("assignment_id")
        .annotate(n=Count("pk"))
    )
    return {r["assignment_id"]: r["n"] for r in rows}


def question_label(question: Question) -> str:
    return f"{question.ref} {question.text}"


# --- downloading a framework ----------------------------------------------------------------------


def framework_spec(framework: Framework) -> Any:
    """The framework as a `frameworks.FrameworkSpec` built from its stored rows (two queries), for
    downloading it as YAML (e.g. one imported from Excel). Loading the download again gives the
    same content hash."""
    from renkei.assessments.frameworks.spec import YESNO_VALUES, FrameworkSpec, QuestionSpec, SectionSpec

    sections = {
        s.pk: SectionSpec(ref=s.ref, title_ja=s.title_ja, title_en=s.title_en)
        for s in Section.objects.filter(framework=framework).order_by("order", "pk")
    }
    for q in Question.objects.filter(framework=framework).order_by("order", "pk"):
        sections[q.section_id].questions.append(
            QuestionSpec(
                ref=q.ref,
                text_ja=q.text_ja,
                text_en=q.text_en,
                answer_type=q.answer_type,
                choices=[dict(c) for c in q.choices or []],
                weight=q.weight,
                levels=list(q.levels or []),
                mappings={str(k): list(v) for k, v in (q.mappings or {}).items()},
                evidence_ja=q.evidence_ja,
                evidence_en=q.evidence_en,
                required=q.required,
            )
        )
    return FrameworkSpec(
        key=framework.key,
        version=framework.version,
        name_ja=framework.name_ja,
        name_en=framework.name_en,
        description_ja=framework.description_ja,
        description_en=framework.description_en,
        source_ja=framework.source_ja,
        source_en=framework.source_en,
        scoring=framework.scoring,
        levels=list(framework.levels or []),
        levels_cumulative=framework.levels_cumulative,
        chart=framework.chart,
        answers=list(framework.answers or []) or list(YESNO_VALUES),
        answer_points={str(k): float(v) for k, v in (framework.answer_points or {}).items()},
        sections=list(sections.values()),
    )
