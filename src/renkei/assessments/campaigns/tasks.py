"""Worker task of campaigns: the launch, a thin entry point that calls the service.

Imported by `AssessmentsConfig.ready`, which connects it to `services.launch_requested`.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from renkei.assessments.campaigns.services import campaign_launch_run, launch_requested
from renkei.assessments.models import Campaign, CampaignStatus
from renkei.core.audit import audit_context


@task()
def launch_campaign(campaign_id: int) -> dict[str, int]:
    """Create the campaign's assignments, portal links and invitations (see `campaign_launch_run`)."""
    with audit_context(actor=None, via="task: campaign launch"):
        try:
            campaign = campaign_launch_run(campaign_id=campaign_id)
        except Exception as exc:
            # The page shows the failure; the launch can be run again and skips finished parties.
            Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.LAUNCHING).update(launch_error=str(exc)[:2000])
            raise
    return {"done": campaign.launch_done, "total": campaign.launch_total}


def _enqueue_launch(sender: Any, *, campaign_id: int, **kwargs: Any) -> None:
    launch_campaign.enqueue(campaign_id)


launch_requested.connect(_enqueue_launch, dispatch_uid="renkei-campaign-launch")
