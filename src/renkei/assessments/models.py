"""Assessments (M3–M6, M8): the framework library, required assurance levels and the reassessment
policy, campaigns and their assignments, answers with evidence and review threads, subcontractors
declared by partners, and follow-up items.

Frameworks, sections and questions are reference data loaded from YAML (or an Excel check sheet);
a framework without a group company belongs to the whole group. Everything else belongs to one of
our group companies (`ScopedModel`, or scoped through its assignment).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from renkei.core.models import ScopedModel, TimeStampedModel
from renkei.registry.validators import validate_corporate_number


def pick(ja: str, en: str) -> str:
    """The text in the active language: English when asked for and written, else Japanese."""
    if (get_language() or "ja").startswith("en") and en:
        return en
    return ja or en


# ---------------------------------------------------------------------------------------------
# Framework library (M4, M5)


class ScoringMode(models.TextChoices):
    PERCENT = "percent", _("Percentage of the achievable score")
    POINTS = "points", _("Points")
    MATURITY = "maturity", _("Maturity (0–5)")


class FrameworkOrigin(models.TextChoices):
    BUILTIN = "builtin", _("Built in")
    UPLOADED = "uploaded", _("Uploaded (YAML)")
    EXCEL = "excel", _("Imported from Excel")


class Framework(TimeStampedModel):
    """A questionnaire: sections of questions with a stable key and version."""

    # Built-in frameworks (and those an unrestricted user uploads) have no group company: every
    # group company may use them (see `permissions.visible`).
    scope_shared_when_null = True

    group_company = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("group company"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty: available to the whole group."),
    )
    key = models.SlugField(_("key"), max_length=80)
    version = models.CharField(_("version"), max_length=40)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    source_ja = models.TextField(_("source (Japanese)"), blank=True)
    source_en = models.TextField(_("source (English)"), blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=FrameworkOrigin.choices)
    scoring = models.CharField(_("scoring"), max_length=10, choices=ScoringMode.choices, default=ScoringMode.PERCENT)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    # Cumulative levels (e.g. Lv1 < Lv2 < Lv3): a question of a lower level counts for every higher one.
    levels_cumulative = models.BooleanField(_("cumulative levels"), default=False)
    chart = models.CharField(_("chart"), max_length=16, blank=True)
    # The choices of yes/no questions and their points (see frameworks.DEFAULT_POINTS).
    answers = models.JSONField(default=list, blank=True)
    answer_points = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    question_count = models.PositiveIntegerField(_("questions"), default=0)
    is_active = models.BooleanField(
        _("available for new assessments"), default=True, help_text=_("Retired frameworks keep their past assessments.")
    )

    class Meta:
        ordering = ["origin", "key", "-version"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="framework_unique_version")]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:framework_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return pick(self.name_ja, self.name_en)

    @property
    def description(self) -> str:
        return pick(self.description_ja, self.description_en)

    @property
    def source(self) -> str:
        return pick(self.source_ja, self.source_en)


class Section(models.Model):
    scope_lookup = "framework__group_company"
    scope_shared_when_null = True

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sections")
    ref = models.CharField(_("ID"), max_length=50)
    order = models.PositiveIntegerField(default=0)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [models.UniqueConstraint(fields=["framework", "ref"], name="section_unique_ref")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def title(self) -> str:
        return pick(self.title_ja, self.title_en)


class AnswerType(models.TextChoices):
    YESNO = "yesno", _("Yes / partly / no")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")
    DATE = "date", _("Date")
    FILE = "file", _("File")
    MATURITY = "maturity", _("Maturity (0–5)")


class Question(models.Model):
    scope_lookup = "framework__group_company"
    scope_shared_when_null = True

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    ref = models.CharField(_("ID"), max_length=50)
    order = models.PositiveIntegerField(default=0)
    text_ja = models.TextField(_("question (Japanese)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    answer_type = models.CharField(_("answer type"), max_length=10, choices=AnswerType.choices)
    # [{"value": "a", "ja": "…", "en": "…", "score": 2 | null}] for single, multiple and maturity.
    choices = models.JSONField(default=list, blank=True)
    weight = models.FloatField(_("weight"), default=1.0)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    mappings = models.JSONField(_("mappings"), default=dict, blank=True)
    evidence_ja = models.TextField(_("typical evidence (Japanese)"), blank=True)
    evidence_en = models.TextField(_("typical evidence (English)"), blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = pgettext_lazy("questionnaire", "question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["framework", "ref"], name="question_unique_ref")]

    def __str__(self) -> str:
        return f"{self.ref} {self.text[:60]}"

    @property
    def text(self) -> str:
        return pick(self.text_ja, self.text_en)

    @property
    def evidence_hint(self) -> str:
        return pick(self.evidence_ja, self.evidence_en)


# ---------------------------------------------------------------------------------------------
# Required assurance and cadence (M3)


class AssuranceLevel(models.TextChoices):
    SCS3 = "scs3", _("SCS ★3")
    SCS4 = "scs4", _("SCS ★4")


class AssuranceOverride(ScopedModel):
    """The analyst's decision on the level a party owes, replacing the proposal, with the reason."""

    organisation = models.OneToOneField(
        "registry.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="assurance_override"
    )
    level = models.CharField(_("required level"), max_length=8, choices=AssuranceLevel.choices)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("assurance level override")
        verbose_name_plural = _("assurance level overrides")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_level_display()}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:party_assurance", args=[self.organisation_id])


class AssessmentPolicy(ScopedModel):
    """How often a group company reassesses its parties, by criticality, and when it reminds them."""

    months_critical = models.PositiveSmallIntegerField(_("critical parties (months)"), default=12)
    months_high = models.PositiveSmallIntegerField(_("high (months)"), default=12)
    months_medium = models.PositiveSmallIntegerField(_("medium (months)"), default=24)
    months_low = models.PositiveSmallIntegerField(_("low (months)"), default=36)
    reminder_days_before = models.PositiveSmallIntegerField(
        _("remind days before the due date"), default=7, help_text=_("0: no reminder before the due date.")
    )
    overdue_reminder_days = models.PositiveSmallIntegerField(
        _("repeat overdue reminders every (days)"), default=7, help_text=_("0: no reminders once overdue.")
    )

    class Meta:
        verbose_name = _("assessment policy")
        verbose_name_plural = _("assessment policies")
        constraints = [models.UniqueConstraint(fields=["group_company"], name="policy_one_per_company")]

    def __str__(self) -> str:
        return str(self.group_company)

    def get_absolute_url(self) -> str:
        return reverse("assessments:policy")

    def interval_months(self, criticality: str) -> int:
        return int(getattr(self, f"months_{criticality}", self.months_medium))


# ---------------------------------------------------------------------------------------------
# Campaigns and assignments (M4, M6)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LAUNCHING = "launching", _("Launching")
    RUNNING = "running", pgettext_lazy("campaign status", "Running")
    CLOSED = "closed", pgettext_lazy("campaign status", "Closed")


class Campaign(ScopedModel):
    """One questionnaire sent to a chosen set of parties with a due date."""

    name = models.CharField(_("name"), max_length=200)
    framework = models.ForeignKey(Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="campaigns")
    due_date = models.DateField(_("due date"))
    message = models.TextField(_("message to the parties"), blank=True)
    parties = models.ManyToManyField(
        "registry.Organisation", verbose_name=_("parties"), blank=True, related_name="assessment_campaigns"
    )
    # The filter the parties were chosen by, kept to show how the list came about.
    party_filter = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("launched by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    launch_total = models.PositiveIntegerField(default=0)
    launch_done = models.PositiveIntegerField(default=0)
    launch_error = models.TextField(blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessments:campaign_detail", args=[self.pk])

    @property
    def launch_percent(self) -> int:
        return int(100 * self.launch_done / self.launch_total) if self.launch_total else 0


class AssignmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


EDITABLE_STATUSES = (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS, AssignmentStatus.CHANGES_REQUESTED)
OPEN_STATUSES = EDITABLE_STATUSES


class Assignment(ScopedModel):
    """One party's (or our own company's) questionnaire of one cycle."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="assignments"
    )
    framework = models.ForeignKey(Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="assignments")
    cycle = models.PositiveIntegerField(_("cycle"), default=1)
    previous = models.ForeignKey(
        "self", verbose_name=_("previous cycle"), on_delete=models.SET_NULL, null=True, blank=True, related_name="next_cycles"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.NOT_STARTED
    )
    due_date = models.DateField(_("due date"))
    language = models.CharField(_("language"), max_length=2, choices=[("ja", "日本語"), ("en", "English")], default="ja")
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by_name = models.CharField(_("submitted by"), max_length=100, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The scores when it was last submitted or accepted (scoring.Summary.as_dict()).
    score = models.JSONField(default=dict, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "organisation__name"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], condition=Q(campaign__isnull=False), name="assignment_once_per_campaign"
            )
        ]
        indexes = [models.Index(fields=["organisation", "framework", "status"]), models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.framework.name}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assignment_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status in OPEN_STATUSES and self.due_date < (today or timezone.localdate())

    def display_status(self, today: dt.date | None = None) -> str:
        """The status a person tracks: an open assignment past its due date shows as overdue."""
        return "overdue" if self.is_overdue(today) else self.status

    def get_display_status_display(self) -> str:
        status = self.display_status()
        return str(_("Overdue")) if status == "overdue" else self.get_status_display()


class ReviewState(models.TextChoices):
    PENDING = "pending", _("Not reviewed")
    ACCEPTED = "accepted", _("Accepted")
    CHANGE_REQUESTED = "change_requested", _("Change requested")


class Answer(models.Model):
    """One answer. `version` grows with every save, so two people editing at once are told of the
    conflict instead of one silently overwriting the other."""

    scope_lookup = "assignment__group_company"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # None: not answered. Otherwise the choice value ("yes", "3"), a list of values, a number,
    # text, or an ISO date, depending on the question's answer type.
    value = models.JSONField(_("answer"), null=True, blank=True)
    note = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)
    updated_by_name = models.CharField(_("updated by"), max_length=100, blank=True)
    # Prefilled from the previous cycle and not yet confirmed by the party.
    carried_over = models.BooleanField(_("carried over from the last cycle"), default=False)
    previous_value = models.JSONField(_("answer in the last cycle"), null=True, blank=True)
    review_state = models.CharField(
        _("review"), max_length=20, choices=ReviewState.choices, default=ReviewState.PENDING
    )

    class Meta:
        ordering = ["assignment", "question__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["assignment", "question"], name="answer_once_per_question")]

    def __str__(self) -> str:
        return f"{self.assignment_id}/{self.question_id}"

    def get_absolute_url(self) -> str:
        return self.assignment.get_absolute_url()

    @property
    def changed_since_last_cycle(self) -> bool:
        return self.assignment.previous_id is not None and not self.carried_over and self.value != self.previous_value


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"assessments/{instance.assignment_id}/{filename}"


class Evidence(models.Model):
    scope_lookup = "assignment__group_company"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="evidence")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("file"), upload_to=evidence_path)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=100, blank=True)

    class Meta:
        ordering = ["assignment", "question__order", "uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.assignment.get_absolute_url()


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    CHANGE_REQUEST = "change_request", _("Change requested")
    ACCEPTED = "accepted", _("Accepted")


class ReviewComment(models.Model):
    """One message of the thread on a question (or on the whole assignment), from us or the party."""

    scope_lookup = "assignment__group_company"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="comments")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=CommentKind.choices, default=CommentKind.COMMENT)
    from_party = models.BooleanField(_("from the party"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    author_name = models.CharField(_("author"), max_length=100, blank=True)
    body = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["assignment", "created_at", "pk"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return self.assignment.get_absolute_url()


class DeclarationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted into the registry")
    REJECTED = "rejected", _("Rejected")


class SubcontractorDeclaration(models.Model):
    """A subcontractor the party declares, with which of our information it handles: a proposal
    our analyst accepts into the registry (organisation, relationship and holdings) or rejects."""

    scope_lookup = "assignment__group_company"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="declarations")
    name = models.CharField(_("name"), max_length=200)
    corporate_number = models.CharField(
        _("corporate number"), max_length=13, blank=True, validators=[validate_corporate_number]
    )
    country = models.CharField(_("country"), max_length=2, default="JP")
    service = models.CharField(_("work delegated"), max_length=200, blank=True)
    assets = models.ManyToManyField(
        "registry.InformationAsset", verbose_name=_("our information it handles"), blank=True, related_name="+"
    )
    declared_by_name = models.CharField(_("declared by"), max_length=100, blank=True)
    declared_at = models.DateTimeField(pgettext_lazy("declaration", "declared"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=DeclarationStatus.choices, default=DeclarationStatus.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("registry record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["assignment", "declared_at", "pk"]
        verbose_name = _("declared subcontractor")
        verbose_name_plural = _("declared subcontractors")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.assignment.get_absolute_url()


# ---------------------------------------------------------------------------------------------
# Follow-up items (M8)


class FollowUpSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class FollowUpOwner(models.TextChoices):
    PARTY = "party", _("The party")
    US = "us", _("Us")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("follow-up status", "In progress")
    PARTY_DONE = "party_done", _("Reported done, to verify")
    RESOLVED = "resolved", _("Resolved")
    RISK_ACCEPTED = "risk_accepted", _("Risk accepted")


CLOSED_FOLLOW_UP_STATUSES = (FollowUpStatus.RESOLVED, FollowUpStatus.RISK_ACCEPTED)


class FollowUp(ScopedModel):
    """A gap to close: from a negative answer, a vulnerability finding, or added by hand."""

    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("party"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assessment"), on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    question = models.ForeignKey(
        Question,
        verbose_name=pgettext_lazy("questionnaire", "question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    software_finding = models.ForeignKey(
        "software.Finding",
        verbose_name=_("vulnerability finding"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=FollowUpSeverity.choices, default=FollowUpSeverity.MEDIUM)
    owner = models.CharField(
        pgettext_lazy("follow-up", "owner"), max_length=8, choices=FollowUpOwner.choices, default=FollowUpOwner.PARTY
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible on our side"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    resolved_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        indexes = [models.Index(fields=["status", "due_date"]), models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:followup_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_FOLLOW_UP_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())


class FollowUpMessage(models.Model):
    scope_lookup = "follow_up__group_company"

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="messages")
    from_party = models.BooleanField(_("from the party"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    author_name = models.CharField(_("author"), max_length=100, blank=True)
    body = models.TextField(pgettext_lazy("follow-up", "message"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["follow_up", "created_at", "pk"]
        verbose_name = _("follow-up message")
        verbose_name_plural = _("follow-up messages")

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return self.follow_up.get_absolute_url()


class ReminderSent(models.Model):
    """Reminders already sent, by a key naming the object and the occasion, so a periodic job that
    runs every few minutes sends each reminder once (e.g. "cert:12:30d", "assignment:5:due")."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


def answered(value: Any) -> bool:
    """Whether an answer value counts as given (an empty list or text does not)."""
    return value not in (None, "", [])
