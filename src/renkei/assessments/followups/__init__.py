"""Follow-up items: gaps found in an assessment (or a software finding) tracked with the party."""
