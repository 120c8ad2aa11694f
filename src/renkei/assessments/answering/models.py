"""Models of answering (M5, M6): answers, evidence files, review comments and declared subcontractors.

They belong to a group company through their assignment.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from renkei.assessments.campaigns.models import Assignment
from renkei.assessments.frameworks.models import Question
from renkei.core.models import Versioned
from renkei.registry.validators import validate_corporate_number


class ReviewState(models.TextChoices):
    PENDING = "pending", _("Not reviewed")
    ACCEPTED = "accepted", _("Accepted")
    CHANGE_REQUESTED = "change_requested", _("Change requested")


class Answer(Versioned, models.Model):
    """One answer. `version` grows with every save (core.concurrency, as for every edited record),
    so two people editing at once are told of the conflict instead of one silently overwriting the
    other. It starts at 0, "not saved yet": the portal offers a version before the row exists."""

    scope_lookup = "assignment__group_company"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # None: not answered. Otherwise the choice value ("yes", "3"), a list of values, a number,
    # text, or an ISO date, depending on the question's answer type.
    value = models.JSONField(_("answer"), null=True, blank=True)
    note = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(default=0)
    version_field = "version"
    edit_version = None  # type: ignore[assignment]  # the answer's own `version` is its version
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


def answered(value: Any) -> bool:
    """Whether an answer value counts as given (an empty list or text does not)."""
    return value not in (None, "", [])
