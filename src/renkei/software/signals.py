"""What the software services announce, so that they never import the worker tasks.

`tasks.py` imports the services (tasks call services, never the reverse); the services send these
signals and `software/apps.py` connects the receivers in `tasks.py` that queue the work.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the writing transaction with `release_ids` (a list, or None for every release): the
# findings of these releases are stale. The receiver queues one recomputation at commit.
findings_stale = Signal()

# Sent after the commit with `import_id`: a queued OSV import waits for the worker.
osv_import_queued = Signal()

# Sent after the commit with `import_id`: a queued NVD/JVN enrichment import waits for the worker.
nvd_jvn_import_queued = Signal()
