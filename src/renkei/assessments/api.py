"""The assessments REST API, mounted at /api/v1/assessments/.

- frameworks: the library (list, questions, YAML upload, retire, delete);
- parties and policies: the level each party owes, overrides, the reassessment policy;
- campaigns: draft, parties, launch (the worker creates the assessments), close;
- assignments: one party's (or our own company's) assessment: answers with conflict detection,
  evidence files, comments, submission, review, follow-up proposals and declared subcontractors;
- follow-ups: the generic CRUD router plus the message thread with the party.

Reads go through `visible()` / `get_visible_or_404()`: an object of another group company answers
404, and a referenced id in a payload the user may not see answers 400 naming the field. Writes need
`Action.CHANGE_ASSESSMENTS` (a viewer gets 403) and go through the services; their `RenkeiError`
answers with its status (409 for a conflict with the record's state).

A concurrent change of an answer (`PATCH /assignments/{id}/answers/{question}` with a stale
`base_version`) answers 409 with the other person's answer in an extra `current` field.
"""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from ninja import Router

from renkei.assessments.answering.api import assignments, declarations
from renkei.assessments.campaigns.api import campaigns
from renkei.assessments.followups.api import FOLLOW_UPS, follow_up_messages
from renkei.assessments.frameworks.api import frameworks, parties
from renkei.core.crud_api import crud_router

router = Router()
router.add_router("/frameworks", frameworks)
router.add_router("", parties)
router.add_router("/campaigns", campaigns)
router.add_router("/assignments", assignments)
router.add_router("/declarations", declarations)
router.add_router("/follow-ups", crud_router(FOLLOW_UPS))
router.add_router("/follow-ups", follow_up_messages)
