"""The partner portal under /portal/: a portal link opens one party's assessments and follow-ups."""
