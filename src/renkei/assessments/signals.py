"""What the assessments services announce, so that they never import the worker tasks.

`tasks.py` imports the services (tasks call services, never the reverse); the services send these
signals and `assessments/apps.py` connects the receivers in `tasks.py` that queue the work.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the commit with `campaign_id`: a campaign waits for the worker to launch it.
campaign_launch_queued = Signal()
