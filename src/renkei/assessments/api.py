"""The assessments REST API, mounted at /api/v1/assessments/: the sub-packages' routers in one place.

- frameworks (`frameworks/api.py`): the library (list, questions, YAML upload, retire, delete);
- required levels and policies (`campaigns/party_api.py`): the level each party owes, overrides,
  the reassessment policy;
- campaigns and assessments (`campaigns/api.py`): draft, parties, launch (the worker creates the
  assessments), close; one party's (or our own company's) assessment created, listed, deleted;
- answering (`answering/api.py`): answers with conflict detection, submission, evidence files and
  comments;
- review (`review/api.py`): review, follow-up proposals, declared subcontractors;
- follow-ups (`followups/api.py`): the generic CRUD router plus the message thread with the party.

Reads go through `visible()` / `get_visible_or_404()`: an object of another group company answers
404, and a referenced id in a payload the user may not see answers 400 naming the field. Writes need
`assessments.permissions.CHANGE_ASSESSMENTS` (a viewer gets 403) and go through the services; their
`RenkeiError` answers with its status (409 for a conflict with the record's state).

A concurrent change of an answer (`PATCH /assignments/{id}/answers/{question}` with a stale
`base_version`) answers 409 with the other person's answer in an extra `current` field.

Several routers share the /assignments prefix; each path belongs to exactly one of them (Django
resolves a path to the first router that has it), and they are mounted in the order of the
published OpenAPI document.
"""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from ninja import Router

from renkei.assessments.answering import api as answering
from renkei.assessments.campaigns import api as campaigns
from renkei.assessments.campaigns import party_api
from renkei.assessments.followups import api as followups
from renkei.assessments.frameworks import api as frameworks
from renkei.assessments.review import api as review
from renkei.core.crud_api import crud_router

router = Router()
router.add_router("/frameworks", frameworks.frameworks)
router.add_router("", party_api.parties)
router.add_router("/campaigns", campaigns.campaigns)
router.add_router("/assignments", campaigns.assignments)
router.add_router("/assignments", answering.answers)
router.add_router("/assignments", review.reviews)
router.add_router("/assignments", answering.evidence_files)
router.add_router("/assignments", review.assignment_declarations)
router.add_router("/declarations", review.declarations)
router.add_router("/follow-ups", crud_router(followups.FOLLOW_UPS))
router.add_router("/follow-ups", followups.follow_up_messages)
