"""Follow-up items of the assessments API: the generic CRUD router and the thread with the party."""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from renkei.assessments.api_common import (
    ERRORS,
    WRITE,
    _follow_ups,
    _not_found,
    _organisations,
)
from renkei.assessments.followups import schemas as followup_schemas
from renkei.assessments.followups import services as followup_services
from renkei.assessments.models import (
    Assignment,
    FollowUp,
    FollowUpMessage,
    Question,
)
from renkei.core.crud_api import (
    CrudSpec,
    ErrorOut,
)
from renkei.core.errors import RenkeiError
from renkei.core.permissions import Role, get_visible_or_404, require

follow_up_messages = Router(tags=["follow-ups"])


# --- follow-up items -----------------------------------------------------------------------------


def _save_follow_up(*, user: Any, instance: FollowUp, extras: dict[str, Any]) -> FollowUp:
    # Users are not scoped records: the responsible one must be an active administrator or analyst.
    if "owner_user_id" in extras:
        owner = extras["owner_user_id"]
        if owner is not None and not get_user_model().objects.filter(
            pk=owner, is_active=True, role__in=[Role.ADMIN, Role.ANALYST]
        ).exists():
            raise _not_found("owner_user_id")
        instance.owner_user_id = owner
    question, assignment = instance.question, instance.assignment
    if question is not None and (assignment is None or question.framework_id != assignment.framework_id):
        raise RenkeiError(_("The question is not one of the assessment's."), field_name="question_id")
    if instance.due_date is None:
        instance.due_date = followup_services.default_due(instance.severity)
    return followup_services.followup_save(user=user, follow_up=instance)


FOLLOW_UPS = CrudSpec(
    name="follow_up",
    model=FollowUp,
    out_schema=followup_schemas.FollowUpOut,
    in_schema=followup_schemas.FollowUpIn,
    filter_schema=followup_schemas.FollowUpFilter,
    queryset=_follow_ups,
    references={
        "organisation_id": _organisations,
        "assignment_id": lambda: Assignment.objects.all(),
        "question_id": lambda: Question.objects.all(),
    },
    extra_fields=("owner_user_id",),
    save=_save_follow_up,
    delete=lambda *, user, instance: followup_services.followup_delete(user=user, follow_up=instance),
    write_action=WRITE,
    tag="follow-ups",
)


def _follow_up(request: HttpRequest, pk: int) -> FollowUp:
    return get_visible_or_404(_follow_ups(), request.user, pk=pk)


@follow_up_messages.get("/{int:pk}/messages", response={200: list[followup_schemas.MessageOut], 404: ErrorOut},
                        operation_id="follow_up_messages", summary="List a follow-up item's messages")
def follow_up_message_list(request: HttpRequest, pk: int) -> list[FollowUpMessage]:
    """The thread with the party (who replies through the portal), oldest first."""
    follow_up = _follow_up(request, pk)
    return list(follow_up.messages.order_by("created_at", "pk"))


@follow_up_messages.post("/{int:pk}/messages", response={201: followup_schemas.MessageOut, **ERRORS},
                         operation_id="follow_up_message_add", summary="Write to the party")
def follow_up_message_add(request: HttpRequest, pk: int, payload: followup_schemas.MessageIn) -> Status[FollowUpMessage]:
    """A message to the party, optionally with a status change (which the thread records)."""
    follow_up = _follow_up(request, pk)
    require(request.user, WRITE)
    message = followup_services.followup_message_add(
        follow_up=follow_up, body=payload.body, user=request.user, status=payload.status
    )
    return Status(201, message)
