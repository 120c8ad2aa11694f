"""Reviewing a submitted assessment: per-answer review, accept/return/reopen, declared subcontractors."""
