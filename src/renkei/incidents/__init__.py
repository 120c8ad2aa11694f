"""Incidents: one Django app (label `incidents`, one migration history) made of four sub-capabilities,
each a sub-package with the app skeleton pieces it needs:

- `response/`  incidents and what hangs off them (affected assets, task board, timeline, inquiries,
               costs, attachments, the notification plan), the response organisation (roles, reply
               templates, playbooks, drills), and the pure engines behind them (`deadlines`: the APPI
               clock, `notification_plan`, `playbooks`: the default flow as plain data);
- `intake/`    the public form for tips and partner reports, and the CSIRT's triage of them;
- `documents/` the Japanese report and notice drafts (.docx / PDF) built from an incident;
- `leaks/`     leak attribution: the ledger of shared datasets with canaries, and tracing a leak.

Arrows inside the app go one way: intake and documents use response (an intake report becomes an
incident, a draft is built from one); response uses none of the others; leaks stands alone.
The only arrow out of the app, besides core and registry, is to chain's typed `blast_radius_for`.

App level keeps what belongs to the app as a whole: `models.py` (imports every sub-package's models
so Django and the migrations find them in one place), `urls.py` (one `incidents` namespace),
`apps.py`, `tasks.py` (the reminder job the scheduler names by dotted path), the template tags,
management commands, templates (`templates/incidents/`, with `intake/` and `leaks/` folders: the
template loader looks only in the app's folder) and migrations.
"""
