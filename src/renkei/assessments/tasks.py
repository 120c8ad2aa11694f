"""Worker tasks of the assessments app: thin entry points that call services."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from renkei.assessments.campaigns import services
from renkei.assessments.models import Campaign, CampaignStatus
from renkei.core.audit import audit_context


@task()
def launch_campaign(campaign_id: int) -> dict[str, int]:
    """Create the campaign's assignments, portal links and invitations (see `campaign_launch_run`)."""
    with audit_context(actor=None, via="task: campaign launch"):
        try:
            campaign = services.campaign_launch_run(campaign_id=campaign_id)
        except Exception as exc:
            # The page shows the failure; the launch can be run again and skips finished parties.
            Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.LAUNCHING).update(launch_error=str(exc)[:2000])
            raise
    return {"done": campaign.launch_done, "total": campaign.launch_total}


@task()
def send_reminders() -> dict[str, int]:
    """Assessment, follow-up and certification reminders (queued periodically by the worker)."""
    from renkei.assessments.reminders import reminders_send

    with audit_context(actor=None, via="task: assessment reminders"):
        return reminders_send()


def on_campaign_launch_queued(sender: Any, *, campaign_id: int, **kwargs: Any) -> None:
    """Receiver of `signals.campaign_launch_queued` (connected in `apps.py`)."""
    launch_campaign.enqueue(campaign_id)
