"""Assessments (M3–M6, M8): the models of the one `assessments` app label.

Each sub-capability keeps its models in its own `models.py` (the framework library, required
assurance and campaigns, answering, follow-ups); Django finds them through this module, which also
is the one place other code imports them from. The reminder log used by `reminders` lives here.
Everything except frameworks belongs to one of our group companies (`ScopedModel`, or scoped
through its assignment).
"""

from __future__ import annotations

from django.db import models

from renkei.assessments.answering.models import (
    Answer,
    CommentKind,
    DeclarationStatus,
    Evidence,
    ReviewComment,
    ReviewState,
    SubcontractorDeclaration,
    answered,
    evidence_path,
)
from renkei.assessments.campaigns.models import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    AssessmentPolicy,
    Assignment,
    AssignmentStatus,
    AssuranceLevel,
    AssuranceOverride,
    Campaign,
    CampaignStatus,
)
from renkei.assessments.followups.models import (
    CLOSED_FOLLOW_UP_STATUSES,
    FollowUp,
    FollowUpMessage,
    FollowUpOwner,
    FollowUpSeverity,
    FollowUpStatus,
)
from renkei.assessments.frameworks.models import (
    AnswerType,
    Framework,
    FrameworkOrigin,
    Question,
    ScoringMode,
    Section,
    pick,
)

__all__ = [
    "CLOSED_FOLLOW_UP_STATUSES",
    "EDITABLE_STATUSES",
    "OPEN_STATUSES",
    "Answer",
    "AnswerType",
    "AssessmentPolicy",
    "Assignment",
    "AssignmentStatus",
    "AssuranceLevel",
    "AssuranceOverride",
    "Campaign",
    "CampaignStatus",
    "CommentKind",
    "DeclarationStatus",
    "Evidence",
    "FollowUp",
    "FollowUpMessage",
    "FollowUpOwner",
    "FollowUpSeverity",
    "FollowUpStatus",
    "Framework",
    "FrameworkOrigin",
    "Question",
    "ReminderSent",
    "ReviewComment",
    "ReviewState",
    "ScoringMode",
    "Section",
    "SubcontractorDeclaration",
    "answered",
    "evidence_path",
    "pick",
]


class ReminderSent(models.Model):
    """Reminders already sent, by a key naming the object and the occasion, so a periodic job that
    runs every few minutes sends each reminder once (e.g. "cert:12:30d", "assignment:5:due")."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
