"""What both Excel pages share: limits, and the pending uploads kept between the steps of an import
(`core.files.pending`: the workbook is read once, safely, and its rows are kept on the server by a
random name held in the session, so later steps never take data back from the browser)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from renkei.assessments.permissions import CHANGE_ASSESSMENTS
from renkei.core.files.pending import PendingUploads
from renkei.core.permissions import Action

READ = Action.VIEW
WRITE = CHANGE_ASSESSMENTS
PENDING_DIR = "assessments/excel-pending"
FRAMEWORK_SESSION_KEY = "assessments_excel_framework"
ANSWERS_SESSION_KEY = "assessments_excel_answers"
# A check sheet being imported as a framework, and a filled assessment being imported as answers.
FRAMEWORK_UPLOADS = PendingUploads(folder=PENDING_DIR, session_key=FRAMEWORK_SESSION_KEY)
ANSWER_UPLOADS = PendingUploads(folder=PENDING_DIR, session_key=ANSWERS_SESSION_KEY)
PREVIEW_QUESTIONS = 50
PROBLEMS_SHOWN = 200
TEMPLATES = "assessments/excel/"


def optional_url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
