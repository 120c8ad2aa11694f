"""Findings: components of current SBOMs matched against the database, their triage and VEX."""
