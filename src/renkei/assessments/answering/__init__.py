"""Answering an assessment: answers, evidence, comments, declarations and submission (staff and portal)."""
